import { fails, passes, release } from "../support/policyCases";

/**
 * The grafana chart 12.3.1 renders its pods in a Deployment (templates/deployment.yaml:1) or a
 * StatefulSet (templates/statefulset.yaml:2); values meeting neither run no Grafana at all.
 */
describe("policy (grafana): values for which the grafana chart renders no Grafana workload", () => {
  const R = "grafana-renders-a-workload";
  /** The program's Grafana values as far as this policy reads them (builders/grafana/grafanaValues.ts). */
  const values = (persistence: Record<string, any> = {}, extra: Record<string, any> = {}) => ({
    persistence: { enabled: true, storageClassName: "local-path", ...persistence },
    ...extra,
  });

  it("passes: the program's values (a Deployment and its claim)", () =>
    passes([release("grafana", values())], R));
  it("passes: persistence.type pvc with an existingClaim (the Deployment mounts it)", () =>
    passes([release("grafana", values({ type: "pvc", existingClaim: "grafana-data" }))], R));
  for (const type of ["sts", "StatefulSet", "statefulset"])
    it(`passes: persistence.type ${type} without an existingClaim (a StatefulSet, a claim per pod)`, () =>
      passes([release("grafana", values({ type }))], R));
  it("passes: useStatefulSet beside an existingClaim (the StatefulSet renders whatever persistence says)", () =>
    passes(
      [release("grafana", values({ type: "sts", existingClaim: "grafana-data" }, { useStatefulSet: true }))],
      R,
    ));
  // Go template's truth, which the chart's `if` tests (grafana 12.3.1 templates/statefulset.yaml:2,
  // rendered with helm template): a non-empty string is true, an empty map false.
  for (const useStatefulSet of ["true", "false"])
    it(`passes: useStatefulSet ${JSON.stringify(useStatefulSet)}, a non-empty string the chart reads as true (a StatefulSet)`, () =>
      passes(
        [release("grafana", values({ type: "sts", existingClaim: "grafana-data" }, { useStatefulSet }))],
        R,
      ));
  it("passes: an existingClaim of {}, an empty map the chart reads as unset (a StatefulSet, a claim per pod)", () =>
    passes([release("grafana", values({ type: "sts", existingClaim: {} }))], R));
  it("passes: persistence off, whatever its type (a Deployment)", () =>
    passes([release("grafana", values({ enabled: false, type: "sts", existingClaim: "grafana-data" }))], R));

  it("fails: persistence.type sts beside an existingClaim, saying why and what to set instead", () =>
    fails(
      [release("grafana", values({ type: "sts", existingClaim: "grafana-data" }))],
      R,
      /^kubernetes:helm.sh\/v3:Release "grafana": the grafana chart renders no Grafana workload for these values, so no Grafana pod runs: values\.persistence\.type is "sts" and values\.persistence\.existingClaim is set, with values\.persistence\.enabled true; the chart renders its Deployment only for persistence\.type pvc \(templates\/deployment\.yaml:1\), its StatefulSet only without an existingClaim \(templates\/statefulset\.yaml:2\)\. Set values\.persistence\.type to pvc \(a Deployment mounting the existing claim\), or remove values\.persistence\.existingClaim \(a StatefulSet with a claim per pod\)\.$/,
    ));
  it("fails: a persistence.type the chart knows neither way", () =>
    fails(
      [release("grafana", values({ type: "PVC" }))],
      R,
      /values\.persistence\.type is "PVC", with values\.persistence\.enabled true; the chart renders its Deployment only for persistence\.type pvc \(templates\/deployment\.yaml:1\), its StatefulSet only for sts, StatefulSet or statefulset \(templates\/statefulset\.yaml:2\)\. Set values\.persistence\.type to pvc \(a Deployment and one claim\) or to sts \(a StatefulSet with a claim per pod\)\.$/,
    ));
  // helm template (12.3.1): PVC + existingClaim renders nothing; pvc + existingClaim a Deployment and
  // no claim of its own; sts + existingClaim nothing, so "set it to sts" alone would be untrue.
  it("fails: a type the chart knows neither way beside an existingClaim, whose way to a StatefulSet removes the claim", () =>
    fails(
      [release("grafana", values({ type: "PVC", existingClaim: "grafana-data" }))],
      R,
      /values\.persistence\.type is "PVC", with values\.persistence\.enabled true; .* Set values\.persistence\.type to pvc \(a Deployment mounting the existing claim\), or to sts and remove values\.persistence\.existingClaim \(a StatefulSet with a claim per pod\)\.$/,
    ));
});

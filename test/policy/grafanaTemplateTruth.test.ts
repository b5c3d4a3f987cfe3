import { strict as assert } from "assert";
import { fails, passes, release } from "../support/policyCases";

/**
 * The grafana chart 12.3.1 tests `persistence.enabled` by Go template's truth (templates/
 * deployment.yaml:1, statefulset.yaml:2, pvc.yaml:1): "false" and 1 are true, "" and null false.
 * A `persistence.type` of null deletes the chart's default pvc (Helm's values coalesce), so the
 * type is neither pvc nor a StatefulSet type. Each case below was rendered with
 * `helm template` 3.17.3 over ../shared/charts/grafana-12.3.1.tgz.
 */
describe("policy (grafana): persistence values the chart reads by Go template's truth", () => {
  const RENDERS = "grafana-renders-a-workload";
  const REPLICAS = "grafana-replicas-share-no-state";
  const postgres = { "grafana.ini": { database: { type: "postgres", host: "pg:5432", name: "grafana" } } };

  // helm template: no Deployment, no StatefulSet (the chart default pvc is gone). Passed.
  it("fails: persistence.type null beside persistence on renders no Grafana pod, said as null", () =>
    fails(
      [release("grafana", { persistence: { enabled: true, type: null } })],
      RENDERS,
      /: values\.persistence\.type is null \(a null deletes the chart's default pvc\), with values\.persistence\.enabled true; the chart renders its Deployment only for persistence\.type pvc/,
    ));
  // helm template: no workload ("false" is a non-empty string). Passed.
  it('fails: persistence.enabled "false" beside an unknown type, naming the string the chart reads as true', async () => {
    const [v] = await fails(
      [release("grafana", { persistence: { enabled: "false", type: "PVC" } })],
      RENDERS,
      /values\.persistence\.type is "PVC", with values\.persistence\.enabled "false", which the chart's templates read as true \(Go template: only false, 0, "", null and an empty list or map are false\); .* Or set values\.persistence\.enabled to false \(the boolean\) for a Deployment without a claim\.$/,
    );
    assert.doesNotMatch(v.message, /enabled true/);
  });
  it("passes: persistence.enabled null or an empty string is off to the chart, whatever the type (a Deployment)", async () => {
    await passes([release("grafana", { persistence: { enabled: null, type: null } })], RENDERS);
    await passes([release("grafana", { persistence: { enabled: "", type: "PVC" } })], RENDERS);
  });

  // helm template: a Deployment of 2 pods mounting the one PersistentVolumeClaim g-grafana
  // (ReadWriteOnce). Said "one file per pod" and never named the claim.
  it('fails: two replicas beside persistence.enabled "false" share the chart\'s one ReadWriteOnce claim', async () => {
    const [v] = await fails(
      [release("grafana", { replicas: 2, persistence: { enabled: "false" } })],
      REPLICAS,
      /one file the pods would share; and every pod of the Deployment mounts the one claim the chart makes for its Deployment \(ReadWriteOnce\), which only one node can mount \(values\.persistence\.enabled is "false", which the chart's templates read as true/,
    );
    assert.doesNotMatch(v.message, /one file per pod/);
  });
  it("fails: two replicas beside persistence.enabled 1 on a shared database still share the claim", () =>
    fails(
      [release("grafana", { replicas: 2, ...postgres, persistence: { enabled: 1 } })],
      REPLICAS,
      /every pod of the Deployment mounts the one claim .*\(values\.persistence\.enabled is 1, which the chart's templates read as true/,
    ));
  // helm template: no Grafana pod at all. Was refused for a shared claim of pods that do not exist.
  it("passes: two replicas beside persistence.type null: no Grafana pod, so no replicas to judge", () =>
    passes([release("grafana", { replicas: 2, persistence: { enabled: true, type: null } })], REPLICAS));
  // helm template: a StatefulSet, whose `replicas` the chart sets with autoscaling on or off
  // (templates/statefulset.yaml). Was said "read once autoscaling is off", of a Deployment.
  it('fails: persistence.enabled "true" with a StatefulSet type is the StatefulSet, which reads replicas', () =>
    fails(
      [
        release("grafana", {
          replicas: 2,
          autoscaling: { enabled: true, maxReplicas: 3 },
          persistence: { enabled: "true", type: "sts" },
        }),
      ],
      REPLICAS,
      /chartValues\.grafana\.replicas to 1 or remove it \(it is 2, which the chart's StatefulSet reads with autoscaling on or off\)/,
    ));
});

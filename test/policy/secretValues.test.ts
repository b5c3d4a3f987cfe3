import { podSecurityLabels } from "../../builders/security/podSecurity";
import { versions } from "../../model/versions";
import { fails, passes, release, res, secret } from "../support/policyCases";

/**
 * A Release whose values are a Pulumi secret as a whole, in an export made without
 * `--show-secrets` (ciphertext only): the pack cannot read one of its values. It judges what it
 * can: no-plaintext-credentials refuses the secret values themselves; no other policy reads them
 * as the chart's defaults and states a value the release may not have.
 */
const inNs = (ns: string, chart: string, values: any, name = chart) => {
  const r = release(chart, values, { name });
  r.inputs!.namespace = ns;
  return r;
};
const namespace = (name: string, labels: Record<string, string>) =>
  res("kubernetes:core/v1:Namespace", { metadata: { name, labels } }, { name: `ns-${name}` });

describe("policy: a Release whose values are a Pulumi secret held as ciphertext", () => {
  it("loki-replication-factor does not say the replicas that take writes are the chart default 0", () =>
    // At the pinned chart, whose default mode (Monolithic) has no single-binary replica by default.
    passes(
      [
        res(
          "kubernetes:helm.sh/v3:Release",
          { chart: "loki", version: versions.charts.loki.version, namespace: "monitoring", values: secret() },
          { name: "loki" },
        ),
      ],
      "loki-replication-factor",
    ));
  it("pod-security-levels does not say a node agent whose values it cannot read needs no host access", () =>
    passes(
      [
        namespace("monitoring", podSecurityLabels("baseline", "restricted")),
        namespace("monitoring-agents", podSecurityLabels("privileged")),
        inNs("monitoring", "loki", {}),
        inNs("monitoring-agents", "alloy", secret(), "alloy-agents"),
        inNs("monitoring-agents", "prometheus-node-exporter", {}),
      ],
      "pod-security-levels",
    ));
  it("pod-security-levels does not say a baseline namespace refuses a release whose values it cannot read", () =>
    passes(
      [
        namespace("monitoring", podSecurityLabels("baseline", "restricted")),
        inNs("monitoring", "prometheus-node-exporter", secret()),
      ],
      "pod-security-levels",
    ));
  // Guard: the one finding such a release does get, which the change above must keep.
  it("no-plaintext-credentials still refuses the secret values, naming the release", () =>
    fails(
      [release("loki", secret())],
      "no-plaintext-credentials",
      /Release "loki": the release's values are a Pulumi secret/,
    ));
});

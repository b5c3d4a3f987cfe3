import { strict as assert } from "assert";
import { fails, passes, release } from "../support/policyCases";

/**
 * kube-prometheus-stack 88.0.0 and victoria-metrics-k8s-stack 0.80.0 each carry the grafana chart
 * as a subchart under `grafana` (Chart.yaml:26-29 grafana 12.10.0 and Chart.yaml:32-35 grafana
 * 12.3.3, both `condition: grafana.enabled`, on by default: values.yaml:1378 and :1115), whose
 * workload templates open as the top-level chart's do (deployment.yaml:1, statefulset.yaml:2).
 * helm template 3.17.3 of each with `grafana: {replicas: 2, persistence: {enabled: true}}`
 * renders Deployment <release>-grafana of 2 pods mounting the one claim <release>-grafana.
 */
describe("policy (grafana): a metrics stack chart's own Grafana is judged as the grafana release is", () => {
  const RENDERS = "grafana-renders-a-workload";
  const REPLICAS = "grafana-replicas-share-no-state";

  it("fails: kube-prometheus-stack's Grafana with two replicas on SQLite and one claim, naming its keys", async () => {
    const [v] = await fails(
      [release("kube-prometheus-stack", { grafana: { replicas: 2, persistence: { enabled: true } } })],
      REPLICAS,
      /^kubernetes:helm\.sh\/v3:Release "kube-prometheus-stack": values\.grafana\.replicas is 2, but its database is SQLite .*one file the pods would share; and every pod of the Deployment mounts the one claim the chart makes for its Deployment \(ReadWriteOnce\), which only one node can mount \(values\.grafana\.persistence\.enabled is true\).* Keep one replica \(set chartValues\.kube-prometheus-stack\.grafana\.replicas to 1, or remove it\), or for 2: give Grafana a database its pods share \(chartValues\.kube-prometheus-stack\.grafana\["grafana\.ini"\]\.database: type postgres .*and chartValues\.kube-prometheus-stack\.grafana\.persistence\.enabled: false \(the shared database holds the state\) or chartValues\.kube-prometheus-stack\.grafana\.persistence\.type: statefulset\.$/,
    );
    assert.doesNotMatch(v.message, /chartValues\.grafana\./);
    // "grafana.grafana.ini" read as the keys grafana, grafana and ini: a key holding a dot is
    // bracketed, as the stack file's key paths are written (config/tree.ts propertyPath).
    assert.doesNotMatch(v.message, /grafana\.grafana\.ini/);
  });
  it("fails: victoria-metrics-k8s-stack's Grafana with autoscaling on (its maxReplicas 5), naming its keys", () =>
    fails(
      [release("victoria-metrics-k8s-stack", { grafana: { autoscaling: { enabled: true } } })],
      REPLICAS,
      /values\.grafana\.autoscaling\.enabled is true and values\.grafana\.autoscaling\.maxReplicas is 5 \(unset: the chart's default\), but .*Keep one replica \(set chartValues\.victoria-metrics-k8s-stack\.grafana\.autoscaling\.enabled to false, or chartValues\.victoria-metrics-k8s-stack\.grafana\.autoscaling\.maxReplicas to 1\)/,
    ));
  // Helm takes a condition only as a boolean (helm template 3.17.3: `grafana.enabled: "false"`
  // still renders Deployment kps-grafana).
  it('fails: grafana.enabled "false" does not switch the subchart off', () =>
    fails(
      [release("kube-prometheus-stack", { grafana: { enabled: "false", replicas: 2 } })],
      REPLICAS,
      /values\.grafana\.replicas is 2/,
    ));
  it("passes: the subchart off (the program's values), whatever its replicas", () =>
    passes([release("kube-prometheus-stack", { grafana: { enabled: false, replicas: 3 } })], REPLICAS));
  it("passes: the subchart's defaults (one replica)", () =>
    passes([release("victoria-metrics-k8s-stack", {})], REPLICAS));
  // Its templates sit under the stack chart's charts/grafana/ (victoria-metrics-k8s-stack 0.80.0,
  // kube-prometheus-stack 88.0.0): the stack chart has no templates/deployment.yaml of its own.
  it("fails: a subchart's StatefulSet type beside an existingClaim renders no Grafana pod, naming its keys and files", () =>
    fails(
      [
        release("victoria-metrics-k8s-stack", {
          grafana: { persistence: { enabled: true, type: "sts", existingClaim: "grafana-data" } },
        }),
      ],
      RENDERS,
      /^kubernetes:helm\.sh\/v3:Release "victoria-metrics-k8s-stack": its grafana subchart renders no Grafana workload for these values, so no Grafana pod runs: values\.grafana\.persistence\.type is "sts" and values\.grafana\.persistence\.existingClaim is set, with values\.grafana\.persistence\.enabled true; the subchart renders its Deployment only for persistence\.type pvc \(charts\/grafana\/templates\/deployment\.yaml:1\), its StatefulSet only without an existingClaim \(charts\/grafana\/templates\/statefulset\.yaml:2\)\. Set values\.grafana\.persistence\.type to pvc/,
    ));
  it("passes: a subchart switched off renders no workload to miss", () =>
    passes(
      [
        release("kube-prometheus-stack", {
          grafana: { enabled: false, persistence: { enabled: true, type: "sts", existingClaim: "x" } },
        }),
      ],
      RENDERS,
    ));
});

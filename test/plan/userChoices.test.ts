import { strict as assert } from "assert";
import { parseStackConfig } from "../../config/resolve";
import { planStack } from "../../plan/plan";

const plan = (extra: Record<string, unknown>) =>
  planStack(
    parseStackConfig(
      { phase: "kps-removed", objectStore: { type: "filesystem" }, ...extra },
      "t",
      {},
      { allowAbsentSecrets: true },
    ),
  );

describe("plan: the user's receivers, Grafana's way in and chart values", () => {
  it("admits each receiver's port to Alertmanager only: SMTP's, a webhook's own, HTTPS for the rest", () => {
    const p = plan({
      alerting: {
        receivers: [
          { name: "m", type: "email", to: "a@b", from: "c@d", smarthost: "smtp.example.net:465" },
          { name: "w", type: "webhook", port: 8443 },
          { name: "pd", type: "pagerduty", url: "https://pd.example.net:9443/v2/enqueue" },
          { name: "s", type: "slack" },
        ],
      },
    });
    const groups = p.networkPolicies.inputs.policies;
    const rule = (g: string) => groups.find((x) => x.name === g)?.egress?.find((r) => r.kind === "receivers");
    assert.deepEqual(
      (rule("alertmanager")!.ports as { port: number }[]).map((x) => x.port),
      [443, 465, 8443, 9443],
    );
    assert.equal(rule("grafana"), undefined);
  });

  it("with receivers only (no Pushover, no heartbeat), Alertmanager still gets its receivers' egress", () => {
    const p = plan({
      alerting: {
        pushover: false,
        heartbeat: false,
        receivers: [
          {
            name: "m",
            type: "email",
            to: "a@example.net",
            from: "b@example.net",
            smarthost: "s.example.net:587",
          },
        ],
      },
    });
    const r = p.networkPolicies.inputs.policies
      .find((x) => x.name === "alertmanager")
      ?.egress?.find((x) => x.kind === "receivers");
    assert.deepEqual(
      (r!.ports as { port: number }[]).map((x) => x.port),
      [587],
    );
  });

  it("Grafana's UI is admitted from the Ingress controller's namespace instead of anywhere", () => {
    const open = plan({}).networkPolicies.inputs.policies.find((g) => g.name === "grafana")!;
    assert.equal(open.ingress[0].from, "anywhere");
    const p = plan({
      grafana: {
        ingress: { host: "grafana.example.net", className: "nginx", controllerNamespace: "ingress-nginx" },
      },
    });
    const g = p.networkPolicies.inputs.policies.find((x) => x.name === "grafana")!;
    assert.deepEqual(g.ingress[0].from, [{ namespace: "ingress-nginx", pods: {} }]);
    assert.deepEqual(g.ingress[0].ports, ["grafana"]);
    assert.ok(!g.ingress.some((r) => r.from === "anywhere"));
    assert.deepEqual(p.grafana.inputs.settings.ingress, {
      host: "grafana.example.net",
      className: "nginx",
      tlsSecret: undefined,
      clusterIssuer: undefined,
    });
    assert.equal(p.outputs.grafanaUrl, "http://grafana.example.net");
  });

  it("an HTTPRoute admits the Gateway's namespace", () => {
    const p = plan({
      grafana: { httpRoute: { host: "g.example.net", parentRef: { name: "gw", namespace: "gateways" } } },
    });
    const g = p.networkPolicies.inputs.policies.find((x) => x.name === "grafana")!;
    assert.deepEqual(g.ingress[0].from, [{ namespace: "gateways", pods: {} }]);
  });

  it("chart values reach the plan by chart name, and the outputs list them only when set", () => {
    const p = plan({ chartValues: { grafana: { replicas: 2 }, loki: {} } });
    assert.deepEqual(p.chartValues, { grafana: { replicas: 2 } });
    assert.deepEqual(p.outputs.chartValueOverrides, ["grafana.replicas"]);
    assert.equal("chartValueOverrides" in plan({}).outputs, false);
  });
});

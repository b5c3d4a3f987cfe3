import { strict as assert } from "assert";
import { parseStackConfig, PROJECT } from "../../config/resolve";
import { BASE, P, refusal, STORE } from "../support/stackText";

/*
 * Audit C: every config problem in one run. A refused item of a list inside `grafana` cut the
 * whole `grafana` for the rules between keys, so a `grafana.url` on another host than the Ingress
 * showed only in the next run; and a secret of an alerting integration that is off
 * (`heartbeatUrl` with `alerting.heartbeat: false`) passed, a setting that does nothing.
 */

const INGRESS = `    ingress:
      host: grafana.example.net
      controllerNamespace: ingress-nginx
`;

describe("config: the rules between keys run on what parsed (audit C)", () => {
  it("a bad grafana.dashboardNamespaces item and grafana.url on another host are both told in one run", () => {
    const e = refusal(
      `${BASE}${STORE}  ${P("grafana")}:
    url: http://other.example.net
    dashboardNamespaces: [Bad_NS]
${INGRESS}`,
      "lab",
    );
    assert.deepEqual(
      e.problems.map((p) => p.split(":")[1]),
      ["grafana.url", "grafana.dashboardNamespaces[0]"],
      e.message,
    );
    assert.match(e.problems[0], /expected a URL on grafana\.ingress\.host "grafana\.example\.net"/);
    // The note names the list that stood at its default, not the whole of grafana.
    assert.match(e.message, /ran with homelab-observability:grafana\.dashboardNamespaces at its default/);
    assert.doesNotMatch(e.message, /homelab-observability:grafana at its default/);
  });

  it("a refused value is its one message: the rules do not judge what stood in for it", () => {
    // A bad TLS secret name: `grafana.ingress.tls` is not judged absent (that would call the
    // https:// URL wrong), so only the secret name is refused.
    const e = refusal(
      `${BASE}${STORE}  ${P("grafana")}:
    url: https://grafana.example.net
${INGRESS}      tls:
        secretName: Bad_Name
`,
      "lab",
    );
    assert.deepEqual(
      e.problems.map((p) => p.split(":")[1]),
      ["grafana.ingress.tls.secretName"],
      e.message,
    );
  });
});

describe("config: a secret of an alerting integration that is off (audit C)", () => {
  const parse = (raw: Record<string, unknown>) => () =>
    parseStackConfig(
      { phase: "kps-removed", objectStore: { type: "filesystem" }, secrets: { backend: "config" }, ...raw },
      "t",
      {},
    );

  it("heartbeatUrl with alerting.heartbeat false is one message, at the key, with what to do", () => {
    const e = refusal(
      `${BASE}${STORE}  ${P("alerting")}: {pushover: false, heartbeat: false}
  ${P("heartbeatUrl")}:
    secure: AAABAGhlYXJ0YmVhdC11cmwtY2lwaGVydGV4dA==
`,
      "lab",
    );
    assert.deepEqual(
      e.problems,
      [
        `${PROJECT}:heartbeatUrl: expected no heartbeatUrl while alerting.heartbeat is false (the heartbeat is off, so nothing reads it), got it set; remove it with \`pulumi config rm --stack lab heartbeatUrl\`, or set alerting.heartbeat true`,
      ],
      e.message,
    );
    assert.match(e.message, /Pulumi\.lab\.yaml:8:3/);
  });

  it("Pushover's two secrets with alerting.pushover false are one message naming both", () => {
    assert.throws(
      parse({ alerting: { pushover: false, heartbeat: false }, pushoverToken: "t", pushoverUserKey: "k" }),
      (e: Error) => {
        assert.match(
          e.message,
          /homelab-observability:pushoverToken: expected no pushoverToken or pushoverUserKey while alerting\.pushover is false \(Pushover is off, so nothing reads them\), got them set; remove them with `pulumi config rm pushoverToken` and `pulumi config rm pushoverUserKey`, or set alerting\.pushover true/,
        );
        assert.equal((e.message.match(/pushoverUserKey/g) ?? []).length, 2, e.message);
        return true;
      },
    );
  });

  it("the secrets are taken while their integration is on", () => {
    assert.doesNotThrow(
      parse({
        alerting: { pushover: true, heartbeat: true },
        heartbeatUrl: "h",
        pushoverToken: "t",
        pushoverUserKey: "k",
      }),
    );
  });
});

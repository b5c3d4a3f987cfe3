import { strict as assert } from "assert";
import { BASE, P, refusal, STORE } from "../support/stackText";

/*
 * docs/how-to/expose-grafana.md: a key of the guide's block written one level off names the key
 * itself where it belongs, before any key it merely resembles (`clusterIssuer` is a key of
 * grafana.ingress.tls, not the top-level `cluster` its name holds).
 */
const INGRESS = (extra: string) => `${BASE}${STORE}  ${P("grafana")}:
    ingress:
      host: grafana.example.net
      controllerNamespace: ingress-nginx
${extra}`;

describe("guide expose-grafana: a key of the Ingress block at the wrong depth", () => {
  it("names tls.clusterIssuer for clusterIssuer written beside host, once, at its line", () => {
    const e = refusal(INGRESS("      clusterIssuer: letsencrypt\n"));
    assert.deepEqual(e.problems, [
      'homelab-observability:grafana.ingress.clusterIssuer: unknown key; did you mean "homelab-observability:grafana.ingress.tls.clusterIssuer"? (a key one level down: move it under the map named)',
    ]);
    assert.equal(e.places[0]?.line, 11, e.message);
  });

  it("names tls.secretName for secretName written beside host", () => {
    const e = refusal(INGRESS("      secretName: grafana-tls\n"));
    assert.equal(e.problems.length, 1, e.message);
    assert.match(e.problems[0], /did you mean "homelab-observability:grafana\.ingress\.tls\.secretName"\?/);
  });

  it("still names the closest key when no level has the key itself", () => {
    const e = refusal(INGRESS("      tls:\n        secretNme: grafana-tls\n"));
    assert.equal(e.problems.length, 1, e.message);
    assert.match(e.problems[0], /tls\.secretNme: unknown key; did you mean "secretName"\?/);
  });
});

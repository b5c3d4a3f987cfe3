import { strict as assert } from "assert";
import * as path from "path";
import { pathToFileURL } from "url";
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

describe("guide expose-grafana: grafana.httpRoute.parentRef judged by the Gateway API's own rules", () => {
  const ROUTE = (sectionName: string, namespace = "gateways") => `${BASE}${STORE}  ${P("grafana")}:
    httpRoute:
      host: grafana.example.net
      parentRef:
        name: public
        namespace: ${namespace}
        sectionName: ${sectionName}
`;
  // The models generated from the Gateway API's CRDs, which the rendered HTTPRoute is checked with
  // (checks/schema.ts): the stack keys must take what they take, and refuse what they refuse.
  const gatewayRule = async (type: string): Promise<(v: string) => boolean> => {
    const dir = path.dirname(require.resolve("@kubernetes-models/gateway-api/package.json"));
    const m = (await import(
      pathToFileURL(path.join(dir, `_schemas/IoK8sSigsGatewayApiApisV1${type}.js`)).href
    )) as { validate: (v: unknown) => boolean };
    return (v) => m.validate(v);
  };
  const accepted = (text: string) => {
    try {
      refusal(text);
      return false;
    } catch (e) {
      assert.match(String(e), /was accepted/);
      return true;
    }
  };
  const NAMES = ["https", "web.https", "a".repeat(63), "a".repeat(64), "a".repeat(253), "a".repeat(254)];
  const SLIPS = ["HTTPS_Listener", "Gateways", "-https", "https."];

  it("refuses a listener name the Gateway API refuses, at its line, as the stack key's problem", () => {
    const e = refusal(ROUTE("HTTPS_Listener"));
    assert.deepEqual(e.problems, [
      `homelab-observability:grafana.httpRoute.parentRef.sectionName: expected a Gateway listener name (the Gateway API's SectionName: a DNS-1123 subdomain of lowercase letters, digits, '-' and '.', at most 253 characters) like "https", got string "HTTPS_Listener"`,
    ]);
    assert.equal(e.places[0]?.line, 13, e.message);
  });

  it("takes exactly the listener names the Gateway API's SectionName takes", async () => {
    const takes = await gatewayRule("SectionName");
    for (const v of [...NAMES, ...SLIPS])
      assert.equal(accepted(ROUTE(JSON.stringify(v))), takes(v), `sectionName ${JSON.stringify(v)}`);
  });

  it("takes exactly the Gateway namespaces the Gateway API's Namespace takes", async () => {
    const takes = await gatewayRule("Namespace");
    for (const v of [...NAMES, ...SLIPS])
      assert.equal(accepted(ROUTE("https", JSON.stringify(v))), takes(v), `namespace ${JSON.stringify(v)}`);
  });
});

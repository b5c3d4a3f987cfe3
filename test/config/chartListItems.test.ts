import { strict as assert } from "assert";
import { chartProblems, helmSchemaRefusals, refusedPaths } from "../support/chartSchema";
import { PROJECT } from "../../config/resolve";

/*
 * A list's items Helm validates against the chart's values.schema.json before any template
 * renders, refused by the config check first (config/chartValueCheck.ts itemRefusals). Helm
 * merges no default into a list, so each item is validated as written, a null in it too. Run,
 * helm 3.17.3 `helm template` over the pinned archives (loki 18.11.0, alertmanager 1.42.0, the
 * two pinned charts that ship a schema): each refusal below is one Helm makes, each value kept is
 * one it renders. A sweep of 15 kinds of item value over every list the two schemas type (2790
 * cases of a list and a kind) found no refusal here that Helm does not make; what it found Helm
 * refuses and this did not then is alertmanager's `pattern` (config.route.group_by items "5" and ""),
 * read since (test/config/chartSchemaKeywords.test.ts). The same 14 kinds (null aside) at every key the two schemas type, maps' own
 * keys included (31374 cases), found none either but the quoted-number rule's, which is not
 * Helm's (a number in quotes where the chart's default is a number: `ingester.maxUnavailable: "5"`).
 */

describe("chartValues: a list's items Helm refuses by the chart's schema, refused before the render", function () {
  this.timeout(30000);
  const problems = chartProblems;
  const loki = "the loki chart 18.11.0's values.schema.json";
  const am = "the alertmanager chart 1.42.0's values.schema.json";
  const refuses = ": Helm refuses the release at render)";

  // helm: "gateway.ingress.hosts.0.host: Invalid type. Expected: string, given: integer".
  it("judges each item of a list by the schema's items, down to the keys and lists an item holds", () => {
    assert.deepEqual(
      problems({
        loki: {
          gateway: {
            ingress: {
              hosts: [
                { host: "a", paths: [{ path: "/" }] },
                { host: 5, paths: [{ path: 1 }] },
              ],
              tls: [{ hosts: ["a", true] }],
            },
          },
        },
      }),
      [
        `${PROJECT}:chartValues.loki.gateway.ingress.hosts[1].host: expected text (${loki} allows only text there${refuses}, got the number 5; write it in quotes: "5"`,
        `${PROJECT}:chartValues.loki.gateway.ingress.hosts[1].paths[0].path: expected text (${loki} allows only text there${refuses}, got the number 1; write it in quotes: "1"`,
        `${PROJECT}:chartValues.loki.gateway.ingress.tls[0].hosts[1]: expected text (${loki} allows only text there${refuses}, got true; write it in quotes: "true"`,
      ],
    );
  });

  // helm: "backend.persistence.accessModes.0: Invalid type. Expected: string, given: null" and
  // "gateway.ingress.hosts.0: Invalid type. Expected: object, given: string".
  it("a null in a list stays a null to Helm, and a scalar where an item is a map is refused", () => {
    assert.deepEqual(
      problems({
        loki: { backend: { persistence: { accessModes: [null] } }, gateway: { ingress: { hosts: ["a"] } } },
      }),
      [
        `${PROJECT}:chartValues.loki.backend.persistence.accessModes[0]: expected text (${loki} allows only text there${refuses}, got null`,
        `${PROJECT}:chartValues.loki.gateway.ingress.hosts[0]: expected a map (${loki} allows only a map there${refuses}, got string "a"`,
      ],
    );
  });

  // helm: "config.receivers.0: name is required"; "config.receivers.0.name: Invalid type.
  // Expected: string, given: null"; "extraSecretMounts.0: mountPath is required" and the same of
  // secretName.
  it("an item the schema requires keys of is refused without them; a key given null is there, judged by its type", () => {
    assert.deepEqual(
      problems({
        alertmanager: {
          config: { receivers: [{ webhook_configs: [] }, { name: null }, { name: "ok" }] },
          extraSecretMounts: [{ name: "a" }],
        },
      }),
      [
        `${PROJECT}:chartValues.alertmanager.config.receivers[0]: expected a map with the key name (${am} requires it there${refuses}, got a map with webhook_configs alone`,
        `${PROJECT}:chartValues.alertmanager.config.receivers[1].name: expected text (${am} allows only text there${refuses}, got null`,
        `${PROJECT}:chartValues.alertmanager.extraSecretMounts[0]: expected a map with the keys mountPath and secretName (${am} requires them there${refuses}, got a map with name alone`,
      ],
    );
  });

  // alertmanager 1.42.0 types image, resources and the containers' env by `$ref`
  // (values.schema.json `#/definitions/...`): helm "extraContainers.0.env.0: name is required",
  // "image.repository: Invalid type. Expected: string, given: integer".
  it("follows a $ref of the chart's schema to what it types", () => {
    assert.deepEqual(
      problems({
        alertmanager: {
          extraContainers: [{ name: "a", image: "b", env: [{ value: "x" }] }],
          image: { repository: 5 },
        },
      }),
      [
        `${PROJECT}:chartValues.alertmanager.extraContainers[0].env[0]: expected a map with the key name (${am} requires it there${refuses}, got a map with value alone`,
        `${PROJECT}:chartValues.alertmanager.image.repository: expected text (${am} allows only text there${refuses}, got the number 5; write it in quotes: "5"`,
      ],
    );
  });

  // helm: "read.podDisruptionBudget: Invalid type. Expected: object, given: integer" (its
  // coalesce keeps the scalar given for the chart's map, with a warning).
  it("a scalar where the schema types a map is refused", () => {
    assert.deepEqual(problems({ loki: { read: { podDisruptionBudget: 5 } } }), [
      `${PROJECT}:chartValues.loki.read.podDisruptionBudget: expected a map (${loki} allows only a map there${refuses}, got the number 5`,
    ]);
  });

  // Each rendered by helm 3.17.3 (group_by's items match alertmanager's labelname pattern).
  it("keeps items Helm renders: of the types the schema says, keys it does not name, lists it does not type", () => {
    assert.deepEqual(
      problems({
        loki: {
          gateway: { ingress: { hosts: [{ host: "a", extra: 5, paths: [] }] } },
          backend: { persistence: { accessModes: ["ReadWriteOnce"] } },
        },
        alertmanager: {
          config: {
            receivers: [{ name: "x", webhook_configs: [{ url: "http://a" }] }],
            route: { group_by: ["job", "..."] },
          },
          extraSecretMounts: [{ name: "a", mountPath: "/a", secretName: "a", readOnly: true }],
          extraArgs: { "log.level": "debug" },
        },
      }),
      [],
    );
  });

  // Helm itself, on the pinned archives: the paths it names in "values don't meet the
  // specifications of the schema(s)" are the paths refused here, and what is kept renders.
  describe("as helm template judges the same values", () => {
    const helmRefuses = (ctx: Mocha.Context, chart: string, values: Record<string, unknown>) =>
      helmSchemaRefusals(ctx, "chart-list-items-helm", chart, values);
    const ours = refusedPaths;

    it("alertmanager 1.42.0: an item's missing key, a $ref'd item's, a null in a list; its valid items render", async function () {
      const refused = {
        config: { receivers: [{ webhook_configs: [] }, { name: null }] },
        extraContainers: [{ name: "a", image: "b", env: [{ value: "x" }] }],
        additionalPeers: [null, 5],
      };
      const expected = ours("alertmanager", refused);
      assert.equal(expected.length, 5, expected.join(", "));
      assert.deepEqual(await helmRefuses(this, "alertmanager", refused), expected);
      const kept = {
        config: { receivers: [{ name: "x", webhook_configs: [{ url: "http://a" }] }] },
        extraSecretMounts: [{ name: "a", mountPath: "/a", secretName: "a" }],
        additionalPeers: ["a:9094"],
      };
      assert.deepEqual(ours("alertmanager", kept), []);
      assert.equal(await helmRefuses(this, "alertmanager", kept), undefined);
    });

    it("loki 18.11.0: an item's key and a list's item of the wrong type", async function () {
      const refused = {
        deploymentMode: "SingleBinary",
        gateway: { ingress: { hosts: [{ host: 5, paths: [{ path: "/" }] }], tls: [{ hosts: [true] }] } },
      };
      const expected = ours("loki", refused);
      assert.deepEqual(expected, ["gateway.ingress.hosts.0.host", "gateway.ingress.tls.0.hosts.0"]);
      assert.deepEqual(await helmRefuses(this, "loki", refused), expected);
    });
  });
});

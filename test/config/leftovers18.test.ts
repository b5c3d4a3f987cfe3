import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../../config/errors";
import { loadStackConfig } from "../../config/load";
import { ROOT, tmpDir } from "../support/helpers";
import { BASE, P, RECEIVER, refusal, STORE } from "../support/stackText";
import { withRuntimeConfig } from "../support/runtimeConfig";

/*
 * Leftovers of issue 51 items 1-3 (round 18, hM): a misspelt key beside the key it meant, holding
 * the entries that key lacks, is one message naming both and the fix; an object written as a list
 * says the form it wants and whether the list's one item is that value.
 */

const SALT = "encryptionsalt: v1:c2FsdHNhbHQ=:v1:AAAAAAAAAAAAAAAA:BBBBBBBBBBBBBBBBBBBBBBBB\n";
const CIPHER = "secure: v1:AAAAAAAAAAAAAAAA:BBBBBBBBBBBBBBBBBBBBBBBB";
const SECRETS = `  ${P("secrets")}:\n    backend: config\n`;
/** stackText's one Slack receiver, and two PagerDuty ones. */
const RECEIVERS = `${RECEIVER}      - name: oncall
        type: pagerduty
      - name: ops
        type: pagerduty
`;
const credentials = (key: string, names: string[]) =>
  `  ${key}:\n${names.map((n) => `    ${n}:\n      ${CIPHER}\n`).join("")}`;

describe("config: a misspelt map key holding the entries its match lacks is one message (hM)", function () {
  this.timeout(20000);

  it("receiverCredential beside receiverCredentials: one line naming the entry, both keys and the move", () => {
    const e = refusal(
      `${SALT}${BASE}${STORE}${SECRETS}${RECEIVERS}${credentials(P("receiverCredentials"), ["team-slack", "ops"])}${credentials(P("receiverCredential"), ["oncall"])}`,
      "lab",
    );
    assert.deepEqual(
      e.problems,
      [
        `${P("receiverCredential")}: unknown key; did you mean "receiverCredentials"? (receiverCredentials.oncall is required and missing, and this key holds it: move it under receiverCredentials, then remove this key)`,
      ],
      e.message,
    );
  });

  it("an entry the misspelt key does not hold keeps its own line (another mistake)", () => {
    const e = refusal(
      `${SALT}${BASE}${STORE}${SECRETS}${RECEIVERS}${credentials(P("receiverCredentials"), ["team-slack"])}${credentials(P("receiverCredential"), ["oncall"])}`,
      "lab",
    );
    assert.equal(e.problems.length, 2, e.message);
    assert.ok(e.problems.some((p) => p.startsWith(`${P("receiverCredentials.ops")}: required for`)));
    assert.ok(e.problems.some((p) => p.includes("(receiverCredentials.oncall is required and missing")));
  });

  it("a namespace slip holding two entries: one line naming both", () => {
    const e = refusal(
      `${SALT}${BASE}${STORE}${SECRETS}${RECEIVERS}${credentials(P("receiverCredentials"), ["team-slack"])}${credentials("homelab-observabilty:receiverCredentials", ["oncall", "ops"])}`,
      "lab",
    );
    assert.equal(e.problems.length, 1, e.message);
    assert.match(
      e.problems[0],
      /\(receiverCredentials\.oncall, receiverCredentials\.ops are required and missing, and this key holds them: move them under homelab-observability:receiverCredentials, then remove this key\)$/,
    );
  });

  it("the same for any map: objectStor holding objectStore's endpoint, takeovr holding prometheusVolume", () => {
    const store = refusal(
      `${BASE}  ${P("objectStore")}:\n    type: minio\n  ${P("objectStor")}:\n    endpoint: http://minio.storage.svc:9000\n`,
    );
    assert.deepEqual(store.problems, [
      `${P("objectStor")}: unknown key; did you mean "objectStore"? (objectStore.endpoint is required and missing, and this key holds it: move it under objectStore, then remove this key)`,
    ]);
    const takeover = refusal(
      // At a phase that runs kube-prometheus-stack: kps-removed (BASE's) has no Release to import it into.
      `${BASE.replace("kps-removed", "loki-fixed")}${STORE}  ${P("takeover")}:\n    namespace: true\n    releases:\n      kubePrometheusStack: monitoring/kube-prometheus-stack\n  ${P("takeovr")}:\n    prometheusVolume: x\n`,
    );
    assert.deepEqual(takeover.problems, [
      `${P("takeovr")}: unknown key; did you mean "takeover"? (takeover.prometheusVolume is required and missing, and this key holds it: move it under takeover, then remove this key)`,
    ]);
  });

  it("under the Pulumi runtime (config/load.ts): the same one message", async () => {
    const dir = tmpDir("hm-load");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    await withRuntimeConfig(
      "lab",
      {
        [P("kubeContext")]: "admin@example",
        [P("phase")]: "kps-removed",
        [P("objectStore")]: JSON.stringify({ type: "minio" }),
        [P("objectStor")]: JSON.stringify({ endpoint: "http://minio.storage.svc:9000" }),
      },
      () =>
        assert.throws(
          () => loadStackConfig(dir),
          (e: unknown) => {
            assert.ok(e instanceof ConfigError, String(e));
            assert.deepEqual(
              e.problems.filter((p) => p.includes("objectStor")),
              [
                `${P("objectStor")}: unknown key; did you mean "objectStore"? (objectStore.endpoint is required and missing, and this key holds it: move it under objectStore, then remove this key)`,
              ],
              e.message,
            );
            return true;
          },
        ),
    );
  });
});

describe("config: the misspelt key's value is read, never said (hM, config/load.ts cliConfigValues)", function () {
  this.timeout(20000);

  it("a receiverCredential holding a decrypted credential: one message naming the entry, not the credential", async () => {
    const dir = tmpDir("hm-secret");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const credential = "pd-routing-key-0123456789abcdef";
    await withRuntimeConfig(
      "lab",
      {
        [P("kubeContext")]: "admin@example",
        [P("phase")]: "kps-removed",
        [P("objectStore")]: JSON.stringify({ type: "minio", endpoint: "http://minio.storage.svc:9000" }),
        [P("alerting")]: JSON.stringify({
          pushover: false,
          heartbeat: false,
          receivers: [
            { name: "oncall", type: "pagerduty" },
            { name: "ops", type: "pagerduty" },
          ],
        }),
        [P("receiverCredentials")]: JSON.stringify({ ops: "pd-routing-key-ops" }),
        // What the CLI hands the program for a secret map: its decrypted JSON text.
        [P("receiverCredential")]: JSON.stringify({ oncall: credential }),
      },
      () =>
        assert.throws(
          () => loadStackConfig(dir),
          (e: unknown) => {
            assert.ok(e instanceof ConfigError, String(e));
            const line = e.problems.filter((p) => p.startsWith(`${P("receiverCredential")}:`));
            assert.equal(line.length, 1, e.message);
            assert.match(
              line[0],
              /receiverCredentials\.oncall is required and missing, and this key holds it/,
            );
            assert.ok(!e.message.includes(credential), e.message);
            return true;
          },
        ),
    );
  });
});

describe("config: an object written as a list says its form and whether its one item is meant (hM)", () => {
  const route = (parentRef: string) =>
    `${BASE}${STORE}  ${P("grafana")}:\n    httpRoute:\n      host: grafana.example.net\n      parentRef:${parentRef}`;
  const FORM =
    "expected an object (YAML: `key: value` lines indented under the key, not `- ` items, like `name: <name>` then `namespace: <namespace>`; every key: docs/reference/configuration.md)";

  it("a list of one valid item: the form with an example, and that the item is a valid parentRef", () => {
    const e = refusal(route("\n        - name: public\n          namespace: gateways\n"));
    assert.deepEqual(e.problems, [
      `${P("grafana.httpRoute.parentRef")}: ${FORM}, got a list; did you mean its one item as the value? (drop the \`- \`, so its keys name, namespace sit right under parentRef: that item is a valid parentRef)`,
    ]);
  });

  it("a list of one item that is not valid either says so; two items or text get no guess", () => {
    const one = refusal(route("\n        - name: public\n"));
    assert.match(
      one.problems[0],
      /that item is no valid parentRef either; its own problems are said once it is written so\)$/,
    );
    const two = refusal(route("\n        - name: public\n        - name: other\n"));
    assert.deepEqual(two.problems, [`${P("grafana.httpRoute.parentRef")}: ${FORM}, got a list`]);
    const text = refusal(route(" public\n"));
    assert.deepEqual(text.problems, [`${P("grafana.httpRoute.parentRef")}: ${FORM}, got string "public"`]);
  });
});

/**
 * A Pulumi secret the export holds only as ciphertext reaches policies as the evaluator's stand-in
 * (policy/evaluate.ts unwrapSecrets). A user's own text "[secret]" (the stand-in's printed form) is
 * text: judged as any other value, never as a secret; a real secret at the same place still is one.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { check, passes, release, res, secret, v4Chart, workload } from "../support/policyCases";
import { stackCopy, synthCli, synthMessages } from "../support/helpers";

const P = "no-plaintext-credentials";
const TEXT = "[secret]";

describe("policy: the text \"[secret]\" is a user's text, not the evaluator's stand-in for a secret", () => {
  it("passes as grafana.ini and annotation text in Helm values", () =>
    passes(
      [
        release("grafana", {
          "grafana.ini": { users: { login_hint: TEXT } },
          podAnnotations: { note: TEXT },
        }),
      ],
      P,
    ));

  it("is one literal credential under a credential key, said as a literal (one cause for its two places)", async () => {
    const v = await check(
      [release("grafana", { adminPassword: TEXT, env: { GF_SECURITY_ADMIN_PASSWORD: TEXT } })],
      P,
    );
    assert.deepEqual(
      v.map((x) => x.message.replace(/ in Helm values.*/s, "")),
      [
        'kubernetes:helm.sh/v3:Release "grafana": values.adminPassword is a literal credential',
        'kubernetes:helm.sh/v3:Release "grafana": values.env.GF_SECURITY_ADMIN_PASSWORD is a literal credential (env GF_SECURITY_ADMIN_PASSWORD)',
      ],
    );
    // The same literal at two places of one release is one mistake (credentials.ts literalCause).
    assert.ok(v[0].cause && v[0].cause === v[1].cause, JSON.stringify(v));
  });

  it("beside a real secret in the same values: one message, at the secret", async () => {
    const v = await check([release("grafana", { podAnnotations: { note: TEXT, other: secret() } })], P);
    assert.deepEqual(
      v.map((x) => x.message.replace(/ in Helm values.*/s, "")),
      [
        'kubernetes:helm.sh/v3:Release "grafana": values.podAnnotations.other is a Pulumi secret written into plain configuration (its plaintext ends up here)',
      ],
    );
  });

  it("as an env entry's value in Helm values and in a raw pod spec: passes, where a real secret is said", async () => {
    const env = [
      { name: "GREETING", value: TEXT },
      { name: "TENANT", value: secret() },
    ];
    const v = await check(
      [
        release("alloy", { alloy: { extraEnv: env } }),
        ...v4Chart("x", [workload("Deployment", "x", { containers: [{ name: "c", image: "i", env }] })]),
      ],
      P,
    );
    assert.deepEqual(
      v.map((x) => x.message.replace(/(has a Pulumi secret as its value).*/s, "$1")),
      [
        'kubernetes:helm.sh/v3:Release "alloy": values.alloy.extraEnv[1] (env TENANT) has a Pulumi secret as its value',
        'kubernetes:apps/v1:Deployment "x:x": spec.template.spec.containers[0] env TENANT has a Pulumi secret as its value',
      ],
    );
  });

  it("as a ConfigMap's data entry and inside its config text: passes, where a real secret entry is said", async () => {
    const v = await check(
      [
        res(
          "kubernetes:core/v1:ConfigMap",
          {
            metadata: { name: "c" },
            data: { note: TEXT, "config.yaml": `ruler:\n  secret_note: "${TEXT}"\n`, token: secret() },
          },
          { name: "c" },
        ),
      ],
      P,
    );
    assert.deepEqual(
      v.map((x) => x.message.replace(/ in a ConfigMap.*/s, "")),
      [
        'kubernetes:core/v1:ConfigMap "c": data["token"] is a Pulumi secret written into plain configuration (its plaintext ends up here)',
      ],
    );
  });
});

describe('synth: a stack file\'s chart values text "[secret]"', function () {
  this.timeout(120_000);

  it('staging with grafana.ini and annotation text "[secret]": no policy refuses it', async () => {
    const { dir, file } = stackCopy("secret-text", "staging");
    // Under the file's `config:` map, which closes it.
    const override = [
      "homelab-observability:chartValues:",
      "  grafana:",
      "    grafana.ini:",
      `      users: { login_hint: "${TEXT}" }`,
      `    podAnnotations: { note: "${TEXT}" }`,
    ];
    fs.appendFileSync(file, `\n${override.map((l) => `  ${l}\n`).join("")}`);
    const r = await synthCli("--dir", dir, "--stack", "staging", "--out", path.join(dir, "out"), "--quiet");
    assert.deepEqual(synthMessages(r, "staging").filter(Boolean), []);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
});

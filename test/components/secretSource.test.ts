import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { synthesize } from "../../synth/synthesize";
import { Secrets, type SecretsArgs } from "../../components/secrets/secrets";
import { pulumiSecretSource } from "../../config/load";
import type { SecretKey, SecretSource } from "../../model/secrets";
import { PROJECT } from "../../model/names";

/** A source that records what the component asks for and answers from `values` (undefined when absent). */
function recordingSource(values: Partial<Record<SecretKey | "token", string>>) {
  const asked: string[] = [];
  const answer = (k: SecretKey | "token") => {
    const v = values[k];
    return v === undefined ? undefined : pulumi.secret(v);
  };
  const source: SecretSource<pulumi.Output<string>> = {
    get: (key) => (asked.push(`get ${key}`), answer(key)),
    require: (key) => {
      asked.push(`require ${key}`);
      const v = answer(key);
      if (!v) throw new Error(`test source: ${key} missing`);
      return v;
    },
    onepasswordToken: (envName) => (asked.push(`token ${envName}`), answer("token")),
  };
  return { source, asked };
}

const EMPTY = { config: {}, secretKeys: [] };

/** Runs one Secrets component under the mocks with an empty stack config. */
function secretsUnderMocks(args: Pick<SecretsArgs, "backend" | "needs" | "secretSource">) {
  return synthesize("t", EMPTY, (rootOpts) => {
    const provider = new k8s.Provider("k8s", {}, rootOpts);
    const randomProvider = new random.Provider("random", {}, rootOpts);
    new Secrets("secrets", { ...args, namespace: "monitoring", provider, randomProvider }, rootOpts);
    return {};
  });
}

/** The plain value of an Output under the mocks, and whether it is a secret. */
async function valueOf(o: pulumi.Output<string> | undefined): Promise<[string, boolean] | undefined> {
  if (!o) return undefined;
  return [await new Promise<string>((resolve) => o.apply(resolve)), await pulumi.isSecret(o)];
}

describe("Secrets reads the config and the environment only through its secret source", () => {
  it("config backend: every config secret comes from the source, Grafana's user is the fixed admin", async () => {
    // The runtime config is empty: a component reading it itself would fail on the first required key.
    const { source, asked } = recordingSource({
      minioAdminUser: "u",
      minioAdminPassword: "p",
      pushoverToken: "t",
      pushoverUserKey: "k",
      heartbeatUrl: "h",
    });
    const exp = (
      await secretsUnderMocks({
        backend: { backend: "config" },
        needs: { minioAdmin: true, pushover: true, heartbeat: true },
        secretSource: source,
      })
    ).export;
    assert.deepEqual(asked, [
      "require minioAdminUser",
      "require minioAdminPassword",
      "require pushoverToken",
      "require pushoverUserKey",
      "require heartbeatUrl",
      "get grafanaAdminPassword",
    ]);
    // No grafanaAdminPassword in the source: the password is generated.
    const generated = exp.deployment.resources.filter(
      (r) => r.type === "random:index/randomPassword:RandomPassword",
    );
    assert.deepEqual(
      generated.map((r) => r.urn.split("::").pop()),
      ["secrets-grafana-admin"],
    );
  });

  it("1Password backend: the token comes from the source (never the environment); without one the error names the key and the variable", async () => {
    const saved = process.env.OP_SERVICE_ACCOUNT_TOKEN;
    // A token in this process's environment must not reach the component: only the source may read it.
    process.env.OP_SERVICE_ACCOUNT_TOKEN = "from-the-environment";
    try {
      const { source, asked } = recordingSource({});
      await assert.rejects(
        secretsUnderMocks({
          backend: {
            backend: "onepassword",
            vault: "v",
            items: { minioAdmin: "m", pushover: "p", grafanaAdmin: "g", heartbeat: "h" },
          },
          needs: { minioAdmin: false, pushover: false, heartbeat: false },
          secretSource: source,
        }),
        (e: Error) => {
          assert.equal(
            e.message,
            `${PROJECT}:onepasswordToken: required with secrets.backend "onepassword" (or set OP_SERVICE_ACCOUNT_TOKEN)`,
          );
          return true;
        },
      );
      assert.deepEqual(asked, ["token OP_SERVICE_ACCOUNT_TOKEN"]);
    } finally {
      if (saved === undefined) delete process.env.OP_SERVICE_ACCOUNT_TOKEN;
      else process.env.OP_SERVICE_ACCOUNT_TOKEN = saved;
    }
  });

  it("the Pulumi-config adapter: the config's token before the environment's, both as secrets; unset keys are undefined", async () => {
    const seen: Record<string, [string, boolean] | undefined> = {};
    const read = async (config: Record<string, string>, env: NodeJS.ProcessEnv) => {
      const results: Promise<void>[] = [];
      await synthesize("t", { config, secretKeys: Object.keys(config) }, () => {
        const s = pulumiSecretSource(env);
        const take = (what: string, o: pulumi.Output<string> | undefined) =>
          results.push(valueOf(o).then((v) => void (seen[what] = v)));
        take("token connect", s.onepasswordToken("OP_CONNECT_TOKEN"));
        take("token service account", s.onepasswordToken("OP_SERVICE_ACCOUNT_TOKEN"));
        take("grafanaAdminPassword", s.get("grafanaAdminPassword"));
        return {};
      });
      await Promise.all(results);
    };
    await read({}, { OP_CONNECT_TOKEN: "env-token" });
    assert.deepEqual(seen, {
      "token connect": ["env-token", true],
      "token service account": undefined,
      grafanaAdminPassword: undefined,
    });
    await read(
      { [`${PROJECT}:onepasswordToken`]: "config-token", [`${PROJECT}:grafanaAdminPassword`]: "pw" },
      { OP_CONNECT_TOKEN: "env-token" },
    );
    assert.deepEqual(seen, {
      "token connect": ["config-token", true],
      "token service account": ["config-token", true],
      grafanaAdminPassword: ["pw", true],
    });
  });
});

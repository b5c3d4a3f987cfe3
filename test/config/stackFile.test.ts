import { strict as assert } from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import {
  cliStackConfig,
  CliConfigError,
  ciphertextProblem,
  loadProject,
  parseYamlText,
} from "../../config/stackFile";
import { readStackConfig } from "../../synth/synthesize";
import { synthStack } from "../../synth/run";
import { stackNames } from "../../config/paths";
import { ConfigError, parseStackConfig, PROJECT, rawFromPulumiConfig } from "../../config/resolve";
import { SECRET_KEYS } from "../../model/secrets";
import { release, ROOT, synth, synthCli, tmpDir, withEnv } from "../support/helpers";
import { documents } from "../support/documents";

const STACKS = stackNames(ROOT);
const P = (k: string) => `${PROJECT}:${k}`;

/** A copy of the project with an edited Pulumi.yaml and stack file (both as parsed YAML). */
function project(
  stack: string,
  edit: { project?: (p: any) => void; stack?: (s: any) => void; stackText?: string } = {},
): string {
  const dir = tmpDir("cli");
  const proj = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
  edit.project?.(proj);
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), stringify(proj));
  const st = parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));
  edit.stack?.(st);
  fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), edit.stackText ?? stringify(st));
  return dir;
}

/**
 * The CLI's rules (cliStackConfig) fail with exactly `message` (the CLI's own text), and the
 * synthesis, which lists every problem at once (config/stackCheck.ts), keeps that text as a note.
 */
async function failsLikeCli(dir: string, stack: string, message: string): Promise<void> {
  assert.throws(
    () => cliStackConfig(dir, stack),
    (e: unknown) => {
      assert.ok(e instanceof CliConfigError, `a CLI config error, got ${String(e)}`);
      assert.equal(e.message, message);
      return true;
    },
  );
  await assert.rejects(synthStack(dir, stack), (e: unknown) => {
    assert.ok(e instanceof ConfigError, `a config error listing every problem, got ${String(e)}`);
    assert.ok(e.notes.includes(`(the Pulumi CLI itself stops at the first: "${message}")`), e.message);
    return true;
  });
}

/** AES-256-GCM as crypt.go's symmetricCrypter writes it: v1:<nonce>:<ciphertext+tag>. */
function v1Ciphertext(plaintext: string, key = crypto.randomBytes(32)): string {
  const nonce = crypto.randomBytes(12);
  const c = crypto.createCipheriv("aes-256-gcm", key, nonce);
  const body = Buffer.concat([c.update(plaintext, "utf8"), c.final(), c.getAuthTag()]);
  return `v1:${nonce.toString("base64")}:${body.toString("base64")}`;
}

describe("config as the Pulumi CLI sees it (pulumi/pulumi pkg/workspace/config.go mergeConfig)", function () {
  this.timeout(60000);

  it("Pulumi.yaml passes Project.Validate: types only where allowed, arrays with items, defaults of their type", () => {
    const p = loadProject(ROOT);
    assert.equal(p.name, PROJECT);
    const required = Object.entries(p.config)
      .filter(([, d]) => d.default === undefined && d.value === undefined)
      .map(([k]) => k);
    // Only what is truly required lacks a default, and every stack file sets it.
    assert.deepEqual(required.sort(), ["kubeContext", "objectStore", "phase"]);
    for (const stack of STACKS) {
      const doc = parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));
      for (const k of required) assert.ok(P(k) in doc.config, `${stack} sets ${k}`);
    }
  });

  it("Pulumi.yaml's defaults are the program's defaults (sdk/go/common/workspace/project.go ProjectConfigType.Default)", () => {
    const p = loadProject(ROOT);
    const required = { phase: "kps-removed", objectStore: { type: "filesystem" } };
    const defaults = Object.fromEntries(
      Object.entries(p.config)
        .filter(([, d]) => d.default !== undefined)
        .map(([k, d]) => [P(k), typeof d.default === "string" ? d.default : JSON.stringify(d.default)]),
    );
    const withDefaults = parseStackConfig(
      rawFromPulumiConfig({
        ...defaults,
        [P("phase")]: "kps-removed",
        [P("objectStore")]: '{"type":"filesystem"}',
      }),
      "s",
      {},
      { allowAbsentSecrets: true },
    );
    assert.deepEqual(withDefaults, parseStackConfig(required, "s", {}, { allowAbsentSecrets: true }));
  });

  for (const stack of STACKS) {
    describe(`Pulumi.${stack}.yaml`, () => {
      it("passes every CLI rule and gets the project defaults applied", () => {
        const { config } = cliStackConfig(ROOT, stack);
        // namespace is set in no stack file: it comes from Pulumi.yaml's default, as the CLI applies it.
        assert.equal(config[P("namespace")], "monitoring");
        // pi and the example (one 8 GiB node) set the light profile; the others take Pulumi.yaml's default.
        assert.equal(config[P("profile")], ["pi", "example"].includes(stack) ? "lightweight" : "standard");
      });

      it("fails with the CLI's message when a required key is missing", async () => {
        await failsLikeCli(
          project(stack, { stack: (s) => delete s.config[P("phase")] }),
          stack,
          `validating stack config: Stack '${stack}' is missing configuration value 'phase'`,
        );
        await failsLikeCli(
          project(stack, {
            stack: (s) => {
              delete s.config[P("phase")];
              delete s.config[P("objectStore")];
            },
            project: (p) => delete p.config.namespace.default,
          }),
          stack,
          `validating stack config: Stack '${stack}' is missing configuration values 'namespace', 'objectStore' and 'phase'`,
        );
      });

      it("fails with the CLI's message when a typed key has the wrong type", async () => {
        await failsLikeCli(
          project(stack, { stack: (s) => (s.config[P("production")] = "maybe") }),
          stack,
          `validating stack config: Stack '${stack}' with configuration key 'production' must be of type 'boolean'`,
        );
        await failsLikeCli(
          project(stack, { stack: (s) => (s.config[P("phase")] = ["kps-removed"]) }),
          stack,
          `validating stack config: Stack '${stack}' with configuration key 'phase' must be of type 'string'`,
        );
        await failsLikeCli(
          project(stack, {
            project: (p) => (p.config.tags = { type: "array", items: { type: "integer" }, default: [] }),
            stack: (s) => (s.config[P("tags")] = [1, "two"]),
          }),
          stack,
          `validating stack config: Stack '${stack}' with configuration key 'tags' must be of type 'array<integer>'`,
        );
      });

      it("fails with the CLI's message when a `secret: true` key is plain text, never printing it", async () => {
        const dir = project(stack, {
          project: (p) => (p.config.pushoverToken = { type: "string", secret: true }),
          stack: (s) => (s.config[P("pushoverToken")] = "plain-token-value"),
        });
        await failsLikeCli(
          dir,
          stack,
          `validating stack config: Stack '${stack}' with configuration key 'pushoverToken' must be encrypted as it's secret`,
        );
        // Encrypted in the passphrase provider's form, it passes.
        const ok = project(stack, {
          project: (p) => (p.config.pushoverToken = { type: "string", secret: true }),
          stack: (s) => {
            s.encryptionsalt = `v1:${crypto.randomBytes(8).toString("base64")}:${v1Ciphertext("pulumi")}`;
            s.config[P("pushoverToken")] = { secure: v1Ciphertext("plain-token-value") };
          },
        });
        assert.equal(cliStackConfig(ok, stack).config[P("pushoverToken")], "synth-secret-pushoverToken");
      });

      it("rejects a secure: value the CLI cannot decrypt (base64 of plain text), naming the key, not the value", async () => {
        const dir = project(stack, {
          stack: (s) => (s.config[P("pushoverToken")] = { secure: "v1:cHVzaG92ZXItdG9rZW4=" }),
        });
        await assert.rejects(synthStack(dir, stack), (e: any) => {
          // Reported with every other problem of the file (config/stackCheck.ts), not alone.
          assert.ok(e instanceof ConfigError, String(e));
          // One problem at the key says it (in a stack that reads no pushoverToken, inside the
          // message that says so); the note under the list does not say it again.
          const at = e.problems.filter((p: string) => p.startsWith(`${P("pushoverToken")}: `));
          assert.equal(at.length, 1, e.message);
          assert.match(at[0], /secure value is not Pulumi Cloud ciphertext/);
          assert.ok(
            at[0].includes(`pulumi --cwd ${dir} config set --stack ${stack} --secret pushoverToken`),
            at[0],
          );
          assert.equal(e.message.split("is not Pulumi Cloud ciphertext").length, 2, e.message);
          assert.ok(!e.message.includes("cHVzaG92ZXItdG9rZW4"), "the ciphertext is not printed");
          return true;
        });
      });
    });
  }

  it("checks ciphertext per secrets provider (crypt.go symmetricCrypter, secrets/service)", () => {
    const good = v1Ciphertext("x");
    assert.equal(ciphertextProblem(good, "passphrase"), undefined);
    assert.equal(ciphertextProblem(good, "kms"), undefined);
    assert.ok(ciphertextProblem("v1:cGktbWluaW8tYWRtaW4=", "passphrase"), "two parts: bad value");
    assert.ok(
      ciphertextProblem(
        `v1:${crypto.randomBytes(8).toString("base64")}:AAAAAAAAAAAAAAAAAAAAAA==`,
        "passphrase",
      ),
    );
    assert.equal(ciphertextProblem(crypto.randomBytes(40).toString("base64"), "service"), undefined);
    assert.ok(ciphertextProblem(good, "service"), "no salt and no secretsprovider: v1 text cannot decrypt");
  });

  it("no stack file commits a secure: value (they are set with `pulumi config set --secret`)", () => {
    for (const stack of STACKS) {
      const text = fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8");
      assert.ok(!/secure:/.test(text), `Pulumi.${stack}.yaml holds no secure: value`);
    }
  });

  it("stands in recognisable placeholders for absent required secrets and names them", () => {
    const staging = readStackConfig(ROOT, "staging", {}, {});
    assert.deepEqual(staging.placeholders.sort(), [
      P("heartbeatUrl"),
      P("minioAdminPassword"),
      P("minioAdminUser"),
      P("pushoverToken"),
      P("pushoverUserKey"),
    ]);
    assert.equal(staging.config[P("pushoverToken")], "synth-secret-pushoverToken");
    assert.ok(staging.secretKeys.includes(P("pushoverToken")));
    // Optional secrets get none: Grafana's admin password is generated instead.
    assert.ok(!(P("grafanaAdminPassword") in staging.config));
    assert.deepEqual(readStackConfig(ROOT, "production", {}, {}).placeholders, [P("onepasswordToken")]);
    // A token in the environment is used instead of a placeholder.
    assert.deepEqual(readStackConfig(ROOT, "production", {}, { OP_CONNECT_TOKEN: "t" }).placeholders, []);
  });

  it("the synth CLI says which secrets are placeholders, and exits 2 with the CLI's message on a missing key", async () => {
    // The command in this process (its process wrapper: test/cli/cliSmoke.test.ts).
    const ok = await withEnv({ OP_CONNECT_TOKEN: "" }, () =>
      synthCli("--stack", "pi", "--out", tmpDir("o"), "--quiet"),
    );
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(
      ok.stderr,
      /pi: secrets not set, placeholders stand in offline .*homelab-observability:pushoverToken/,
    );
    const dir = project("pi", { stack: (s) => delete s.config[P("phase")] });
    const bad = await synthCli("--stack", "pi", "--dir", dir, "--out", tmpDir("o"));
    assert.equal(bad.status, 2, bad.stdout + bad.stderr);
    assert.match(bad.stderr, /validating stack config: Stack 'pi' is missing configuration value 'phase'/);
  });

  it("keeps scalars the CLI hands over as text as text where the schema wants text", () => {
    // `cluster: 123` and a numeric secret reach the program as "123" (object.go MarshalString).
    const dir = project("staging", { stack: (s) => (s.config[P("cluster")] = 123) });
    const { config } = cliStackConfig(dir, "staging");
    assert.equal(config[P("cluster")], "123");
    const raw = rawFromPulumiConfig({
      ...config,
      [P("pushoverUserKey")]: "12345",
      [P("pushoverToken")]: "true",
    });
    const cfg = parseStackConfig(raw, "staging", {}, { allowAbsentSecrets: true });
    assert.equal(cfg.cluster, "123");
    assert.ok(cfg.secretKeys.includes("pushoverUserKey") && cfg.secretKeys.includes("pushoverToken"));
  });

  it("never prints a secret's value in a config error", () => {
    const raw = {
      phase: "kps-removed",
      objectStore: { type: "filesystem" },
      pushoverToken: { token: 987654321 },
    };
    assert.throws(
      () => parseStackConfig(raw, "s", {}),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.match(
          e.message,
          /homelab-observability:pushoverToken: expected text, got a secret value \(not shown\)/,
        );
        assert.ok(!e.message.includes("987654321"));
        return true;
      },
    );
  });

  it("finds stack files where the Pulumi CLI does: in Pulumi.yaml's stackConfigDir when it sets one", () => {
    const dir = project("staging", { project: (p) => (p.stackConfigDir = "stacks") });
    fs.mkdirSync(path.join(dir, "stacks"));
    fs.renameSync(path.join(dir, "Pulumi.staging.yaml"), path.join(dir, "stacks", "Pulumi.lab.yaml"));
    assert.deepEqual(stackNames(dir), ["lab"]);
    assert.equal(cliStackConfig(dir, "lab").config[P("phase")], "kps-removed");
    assert.throws(
      () => cliStackConfig(dir, "labb"),
      (e: unknown) =>
        e instanceof CliConfigError &&
        e.message ===
          `no stack file Pulumi.labb.yaml in ${path.join(dir, "stacks")}; did you mean "lab"?\n  stacks there: lab`,
    );
  });

  it("Project.Validate rules: an array needs items, a default must have the declared type", () => {
    const withArray = project("staging", { project: (p) => (p.config.tags = { type: "array" }) });
    assert.throws(
      () => loadProject(withArray),
      /The configuration key 'tags' declares an array but does not specify the underlying type via the 'items' attribute/,
    );
    const badDefault = project("staging", { project: (p) => (p.config.production.default = "no") });
    assert.throws(
      () => loadProject(badDefault),
      /The default value specified for configuration key 'production' is not of the expected type 'boolean'/,
    );
  });
});

describe("providers dial endpoints reachable from where Pulumi runs", function () {
  this.timeout(60000);
  it("the MinIO provider uses objectStore.adminEndpoint; pods keep the in-cluster endpoint", async () => {
    const rs = (await synth("staging")).export.deployment.resources;
    const provider = rs.find((r) => r.type === "pulumi:providers:minio")!;
    assert.equal(provider.inputs.minioServer, "localhost:9000");
    const loki = release(rs, "loki").inputs.values;
    assert.match(JSON.stringify(loki.loki.storage), /minio\.storage\.svc\.cluster\.local:9000/);
    assert.ok(!JSON.stringify(loki).includes("localhost"), "pods never see the admin endpoint");
    // Without adminEndpoint, Pulumi is taken to run in the cluster.
    const inCluster = (
      await synth("staging", { objectStore: { type: "minio", endpoint: "https://minio.storage.svc:9000" } })
    ).export.deployment.resources.find((r) => r.type === "pulumi:providers:minio")!;
    assert.equal(inCluster.inputs.minioServer, "minio.storage.svc:9000");
    assert.equal(inCluster.inputs.minioSsl, "true"); // provider inputs are serialized as text
  });

  it("production's 1Password Connect URL is the operator's port-forward", async () => {
    const rs = (await synth("production")).export.deployment.resources;
    assert.equal(
      rs.find((r) => r.type === "pulumi:providers:onepassword")!.inputs.url,
      "http://localhost:8080",
    );
  });
});

describe("the documents' `pulumi config set --secret` lines", () => {
  it("name, for every stack file, each secret that stack needs and does not set, and only secret keys", () => {
    const docs = documents()
      .map((f) => fs.readFileSync(path.join(ROOT, f), "utf8"))
      .join("\n");
    const listed = new Map<string, string[]>();
    for (const m of docs.matchAll(/^pulumi config set --stack (\S+) --secret (\w+)\b/gm)) {
      listed.set(m[1], [...(listed.get(m[1]) ?? []), m[2]]);
    }
    for (const stack of STACKS) {
      const needed = readStackConfig(ROOT, stack, {}, {}).placeholders.map((k) => k.split(":")[1]);
      const said = new Set(listed.get(stack) ?? []);
      assert.deepEqual(
        needed.filter((k) => !said.has(k)),
        [],
        `documents' lines for ${stack}`,
      );
      // More may be listed: a guide that turns a feature on (alerting.pushover, a Garage store)
      // sets that feature's secrets, which the stack as written does not need.
      assert.deepEqual(
        [...said].filter((k) => !(SECRET_KEYS as readonly string[]).includes(k)),
        [],
        `documents' lines for ${stack} name no secret key`,
      );
    }
  });
});

describe("stack file values as object.go reads them", () => {
  it("a map with a `secure` key among others is data, with its nested secure value secret", () => {
    const dir = tmpDir("secure-map");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const nonce = crypto.randomBytes(12).toString("base64");
    const body = crypto.randomBytes(20).toString("base64");
    fs.writeFileSync(
      path.join(dir, "Pulumi.s.yaml"),
      stringify({
        encryptionsalt: `v1:${crypto.randomBytes(8).toString("base64")}:v1:${nonce}:${body}`,
        config: {
          [P("phase")]: "kps-removed",
          [P("kubeContext")]: "admin@s",
          [P("objectStore")]: { type: "filesystem" },
          [P("grafana")]: { secure: "text", nested: { secure: `v1:${nonce}:${body}` } },
        },
      }),
    );
    const { config, secretKeys } = cliStackConfig(dir, "s");
    assert.deepEqual(JSON.parse(config[P("grafana")]), {
      secure: "text",
      nested: `synth-secret-grafana.nested`,
    });
    assert.ok(secretKeys.includes(P("grafana")));
  });
});

describe("config/stackFile.ts parseYamlText: a text parsed once per process", () => {
  it("gives each caller its own copy: a change to one result never reaches the next parse", () => {
    const text = "config:\n  homelab-observability:phase: dual-write\n  list: [a, b]\n";
    const first = parseYamlText("Pulumi.x.yaml", text);
    first.config["homelab-observability:phase"] = "changed";
    first.config.list.push("c");
    const second = parseYamlText("Pulumi.x.yaml", text);
    assert.deepEqual(second, parse(text));
    second.config.list.pop();
    assert.deepEqual(parseYamlText("Pulumi.x.yaml", text), parse(text));
  });
});

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import {
  decodeStackInfo,
  encodeStackInfo,
  holdsSecret,
  isSecretEnvelope,
  mapSecrets,
  parseQuantity,
  SECRET_SIG,
  SECRET_SIG_KEY,
  STACK_INFO_LABEL,
} from "../../contract";
import { config, ROOT } from "../support/helpers";

describe("contract/: what the program writes and the pack reads", () => {
  it("stack-info round trip: what encode writes, decode reads back (pools with numeric capacity)", () => {
    const cfg = config({
      phase: "dual-write",
      production: true,
      nodePools: [
        { name: "x86", arch: "amd64", count: 2, cpu: "4", memory: "16Gi" },
        {
          name: "pi",
          arch: "arm64",
          count: 3,
          cpu: "4",
          memory: "8Gi",
          taints: [{ key: "pi", effect: "NoSchedule" }],
        },
      ],
    });
    const data = encodeStackInfo(cfg);
    for (const v of Object.values(data))
      assert.equal(typeof v, "string", "ConfigMap data holds strings only");
    const facts = decodeStackInfo(data);
    assert.equal(facts.cluster, "test");
    assert.equal(facts.phase, "dual-write");
    assert.equal(facts.production, true);
    assert.equal(facts.profile, cfg.profile);
    assert.deepEqual(
      facts.pools?.map((p) => [p.name, p.arch, p.count, p.cpu, p.memoryBytes, p.taints.length]),
      [
        ["x86", "amd64", 2, 4, 16 * 2 ** 30, 0],
        ["pi", "arm64", 3, 4, 8 * 2 ** 30, 1],
      ],
    );
    assert.deepEqual(facts.pools?.[1].labels, { "kubernetes.io/arch": "arm64" });
  });

  it("decode leaves what is absent or malformed undefined instead of guessing", () => {
    assert.deepEqual(decodeStackInfo(undefined), {
      cluster: undefined,
      phase: undefined,
      production: undefined,
      profile: undefined,
      pools: undefined,
      workload: undefined,
      sized: undefined,
      unprotected: undefined,
      takeoverStep: undefined,
      imageMirrors: undefined,
    });
    assert.equal(decodeStackInfo({ nodePools: "[{" }).pools, undefined);
    assert.equal(decodeStackInfo({ unprotected: '["prometheus-volume"]' }).unprotected, undefined);
    assert.equal(decodeStackInfo({ workload: "[1]" }).workload, undefined);
    assert.equal(decodeStackInfo({ sized: "{}" }).sized, undefined);
    assert.equal(decodeStackInfo({ nodePools: '{"a":1}' }).pools, undefined);
    assert.equal(decodeStackInfo({ production: "false" }).production, false);
  });

  it("quantities: binary and decimal suffixes, milli, malformed is undefined", () => {
    assert.equal(parseQuantity("1Gi"), 2 ** 30);
    assert.equal(parseQuantity("1G"), 1e9);
    assert.equal(parseQuantity("500m"), 0.5);
    assert.equal(parseQuantity(" 2 "), 2);
    assert.equal(parseQuantity(3), 3);
    assert.equal(parseQuantity("1GB"), undefined);
    assert.equal(parseQuantity("-1"), undefined);
    assert.equal(parseQuantity(null), undefined);
  });

  it("the secret signature is Pulumi's (sdk/go/common/resource/sig/sig.go)", () => {
    assert.equal(SECRET_SIG_KEY, "4dabf18193072939515e22adb298388d");
    assert.equal(SECRET_SIG, "1b47061264138c4ac30d75fd1eb44270");
    assert.ok(isSecretEnvelope({ [SECRET_SIG_KEY]: SECRET_SIG, ciphertext: "x" }));
    assert.ok(!isSecretEnvelope({ [SECRET_SIG_KEY]: "other" }));
    assert.ok(!isSecretEnvelope("[secret]"));
  });

  it("the walker over secret envelopes finds them at any depth, with their paths, and copies the rest", () => {
    const env = (v: unknown) => ({ [SECRET_SIG_KEY]: SECRET_SIG, value: v });
    const tree = { a: 1, b: [null, { c: env("x") }], d: { e: undefined, f: env({ nested: env(2) }) } };
    const seen: string[] = [];
    const out = mapSecrets(
      tree,
      (e, p) => (seen.push(p.join(".")), `<${JSON.stringify(e.value)}>`),
      (x) => (x === undefined ? null : x),
    );
    // The outer envelope is replaced whole: the walker does not open it (its handler may).
    assert.deepEqual(seen, ["b.1.c", "d.f"]);
    assert.deepEqual(out, {
      a: 1,
      b: [null, { c: '<"x">' }],
      d: { e: null, f: `<${JSON.stringify({ nested: env(2) })}>` },
    });
    assert.notEqual(out.b, tree.b);
    assert.ok(holdsSecret(tree) && holdsSecret([0, [env(1)]]) && holdsSecret(env(1)));
    assert.ok(
      !holdsSecret({ a: [1, { b: "x" }], [SECRET_SIG_KEY]: "other" }) &&
        !holdsSecret(null) &&
        !holdsSecret("s"),
    );
  });

  it("the label is a valid Kubernetes label (a prefix/name key, a value of at most 63 characters)", () => {
    assert.match(STACK_INFO_LABEL.key, /^[a-z0-9.-]+\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/);
    assert.ok(STACK_INFO_LABEL.value.length <= 63);
  });

  it("contract/ imports nothing: neither the program nor the pack, nor any package", () => {
    const dir = path.join(ROOT, "contract");
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith(".ts"))) {
      for (const m of fs.readFileSync(path.join(dir, f), "utf8").matchAll(/from "([^"]+)"/g))
        assert.match(m[1], /^\.\/[a-zA-Z]+$/, `${f} imports ${m[1]}`);
    }
  });
});

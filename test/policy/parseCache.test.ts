/**
 * What the pack caches while it evaluates (policy/lib/resources.ts parseDoc and its evaluation
 * scope, lib/loki.ts Loki configs per resource, credentials.ts key classes): shared within one
 * evaluation, never stale: a changed text or value is judged anew.
 */
import { strict as assert } from "assert";
import type { ResourceValidationArgs } from "@pulumi/policy";
import { evaluateResources, SECRET_STAND_IN } from "../../policy/evaluate";
import { parseDoc } from "../../policy/lib/resources";
import { plaintextIn } from "../../policy/credentials";
import { check, res } from "../support/policyCases";

const CM = "kubernetes:core/v1:ConfigMap";
const broken = "schema_config:\n  configs: []\ncompactor:\n  retention_enabled: true\n";
const fixed = `${broken}  delete_request_store: s3\ncommon:\n  storage:\n    s3: {}\n`;
const P = "loki-retention-needs-delete-store";

describe("policy (caches): one parse per text, never a stale one", () => {
  it("a resource whose text changes between evaluations is judged on its new text", async () => {
    const cm = res(CM, { metadata: { name: "loki" }, data: { "config.yaml": broken } });
    assert.equal((await check([cm], P)).length, 1, "the broken text fails");
    cm.inputs!.data["config.yaml"] = fixed;
    assert.deepEqual(await check([cm], P), [], "the same resource object, its text fixed, passes");
    cm.inputs!.data["config.yaml"] = broken;
    assert.equal((await check([cm], P)).length, 1, "and fails again when broken again");
  });

  it("an evaluation that throws leaves no cache open: the next one judges a changed text anew", async () => {
    // Inputs nested deeper than the stack: reading them throws (RangeError) once the resource's
    // scope is open.
    let deep: unknown = "x";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const tooDeep = res(CM, { metadata: { name: "deep" }, data: { "config.yaml": broken }, deep });
    await assert.rejects(() => check([tooDeep], P), RangeError);
    const cm = res(CM, { metadata: { name: "loki" }, data: { "config.yaml": broken } });
    assert.equal((await check([cm], P)).length, 1, "the broken text fails");
    cm.inputs!.data["config.yaml"] = fixed;
    assert.deepEqual(await check([cm], P), [], "its text fixed, it passes");
  });

  it("two resources sharing one inputs object under different types are each judged as their type", async () => {
    const inputs = { metadata: { name: "x" }, data: { "config.yaml": broken } };
    // A Secret's `data` is base64: this text decodes to no Loki config.
    const found = await check([res(CM, inputs), res("kubernetes:core/v1:Secret", inputs)], P);
    assert.equal(found.length, 1);
    assert.match(found[0].urn!, /ConfigMap/);
  });

  it("texts differing in one character are two parses within one evaluation", async () => {
    const a = res(CM, { metadata: { name: "a" }, data: { "config.yaml": broken } });
    const b = res(CM, { metadata: { name: "b" }, data: { "config.yaml": fixed } });
    const found = await check([a, b], P);
    assert.deepEqual(
      found.map((v) => v.urn),
      [a.urn],
    );
  });

  it("policies of one evaluation share one parse of a text; the evaluation keeps none of it", async () => {
    const seen: unknown[] = [];
    const read = (a: ResourceValidationArgs) => void seen.push(parseDoc(a.props.data["config.yaml"]));
    await evaluateResources(
      [res(CM, { data: { "config.yaml": broken } })],
      {},
      [1, 2].map((n) => ({
        name: `read-${n}`,
        description: "d",
        enforcementLevel: "advisory" as const,
        validateResource: read,
      })),
    );
    assert.equal(seen.length, 2);
    assert.ok(seen[0] && seen[0] === seen[1], "the same parsed document");
    assert.notEqual(parseDoc(broken), seen[0], "parsed anew once the evaluation is over");
    assert.deepEqual(parseDoc(broken), seen[0]);
  });

  it("concurrent evaluations with asynchronous policies: each judged on its texts, no scope left open", async () => {
    const docs: unknown[] = [];
    const slow = {
      name: "slow",
      description: "d",
      enforcementLevel: "advisory" as const,
      validateResource: async (a: ResourceValidationArgs, report: (m: string) => void) => {
        await new Promise((r) => setImmediate(r));
        const doc = parseDoc(a.props.data["config.yaml"]);
        docs.push(doc);
        if (doc?.compactor?.delete_request_store === undefined) report(`${a.name} has none`);
      },
    };
    const one = evaluateResources([res(CM, { data: { "config.yaml": broken } }, { name: "one" })], {}, [
      slow,
    ]);
    const two = evaluateResources([res(CM, { data: { "config.yaml": fixed } }, { name: "two" })], {}, [slow]);
    const [a, b] = await Promise.all([one, two]);
    assert.deepEqual(
      a.map((v) => v.message),
      ["one has none"],
    );
    assert.deepEqual(b, []);
    // Every scope closed: outside one, a text is parsed anew rather than served from a scope.
    assert.ok(!docs.includes(parseDoc(broken)) && !docs.includes(parseDoc(fixed)));
  });

  it("key classes are remembered by key only: any number of keys, the same findings", () => {
    const tree: Record<string, string> = {};
    for (let i = 0; i < 20000; i++) tree[`key${i}`] = "v";
    tree.password = "hunter2";
    tree.api_key = "${API_KEY}";
    tree.DB_PASSWORD = "x";
    const first = plaintextIn(tree, "values");
    assert.deepEqual(first, [
      "values.password is a literal credential",
      "values.DB_PASSWORD is a literal credential (env DB_PASSWORD)",
    ]);
    // Past the memo's bound (it is cleared and refilled): the same answers.
    assert.deepEqual(plaintextIn(tree, "values"), first);
    assert.deepEqual(plaintextIn({ nested: [{ token: "t" }] }, "v"), [
      "v.nested[0].token is a literal credential",
    ]);
  });
});

describe("policy (evaluator): props as the engine hands them, copied only where a secret is", () => {
  const SIG = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };
  async function propsOf(inputs: Record<string, any>): Promise<any> {
    const seen: any[] = [];
    await evaluateResources([res(CM, inputs)], {}, [
      {
        name: "capture",
        description: "d",
        enforcementLevel: "advisory",
        validateResource: (a: ResourceValidationArgs) => void seen.push(a.props),
      },
    ]);
    return seen[0];
  }

  it("a secret at any depth, in objects and in arrays, arrives unwrapped", async () => {
    const inputs = {
      a: [1, "x", { b: [{ c: { ...SIG, plaintext: JSON.stringify({ token: "t" }) } }] }],
      d: { e: { ...SIG, ciphertext: "z" } },
    };
    assert.deepEqual(await propsOf(inputs), {
      a: [1, "x", { b: [{ c: { token: "t" } }] }],
      d: { e: SECRET_STAND_IN },
    });
  });

  it("a resource without recorded outputs is unwrapped once: stack policies get the props its resource policies got", async () => {
    const seen: { resource: any[]; stack: any[] } = { resource: [], stack: [] };
    const secretTree = () => ({ d: { e: { ...SIG, plaintext: '"p"' } } });
    const own = res(CM, secretTree());
    const recorded = { ...res(CM, secretTree()), outputs: { f: { ...SIG, ciphertext: "z" } } };
    const chart = res("kubernetes:helm.sh/v4:Chart", secretTree());
    await evaluateResources([own, recorded, chart], {}, [
      {
        name: "capture",
        description: "d",
        enforcementLevel: "advisory",
        validateResource: (a: ResourceValidationArgs) => void seen.resource.push(a.props),
      },
      {
        name: "capture-stack",
        description: "d",
        enforcementLevel: "advisory",
        validateStack: (a) => void seen.stack.push(...a.resources.map((r) => r.props)),
      },
    ]);
    assert.deepEqual(seen.resource, [{ d: { e: "p" } }, { d: { e: "p" } }, {}]);
    assert.deepEqual(seen.stack, [{ d: { e: "p" } }, { f: SECRET_STAND_IN }, { d: { e: "p" } }]);
    // The same unwrapped copy (one walk of the tree), not a second one.
    assert.equal(seen.stack[0], seen.resource[0]);
  });

  it("a tree without a secret is handed over as it is (the same object, no copy)", async () => {
    const inputs = { a: [1, "x", { b: [{ c: "4dabf18193072939515e22adb298388d" }] }], n: null };
    assert.equal(await propsOf(inputs), inputs);
  });
});

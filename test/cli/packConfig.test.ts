import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { isBuiltin } from "module";
import { packConfigProblems, packConfigWarnings } from "../../synth/pack";
import { policySettings, type PackConfig } from "../../policy/evaluate";
import { DEFAULT_ARM64_IMAGES, DEFAULT_CHARTS } from "../../policy/lib/charts";
import { allPolicies } from "../../policy/policies";
import { schemaFor } from "../../policy/lib/config";
import { policyCheckCli, ROOT, synth, synthCli, tmpDir } from "../support/helpers";

const EXAMPLE = path.join(ROOT, "policy/config.example.json");

describe("pack config as the engine validates it (pulumi pkg/resource/analyzer/config.go, JSON Schema via ajv)", function () {
  this.timeout(60000);

  it("the shipped example config is valid against every policy's configSchema", () => {
    const example = JSON.parse(fs.readFileSync(EXAMPLE, "utf8"));
    assert.deepEqual(packConfigProblems(example), []);
    // The example lists every built-in image; a user's list adds to them (policy/lib/config.ts configOf).
    for (const image of DEFAULT_ARM64_IMAGES)
      assert.ok(example["arm64-images"].arm64Images.includes(image), image);
  });

  it("accepts every value the README documents: levels, production true|false|null, nodePools or null", () => {
    for (const production of [true, false, null])
      assert.deepEqual(
        packConfigProblems({ "production-data-protected": { production } }),
        [],
        String(production),
      );
    assert.deepEqual(
      packConfigProblems({ "resource-budget": { nodePools: null, maxRequestShare: 0.7 } }),
      [],
    );
    assert.deepEqual(
      packConfigProblems({
        "resource-budget": { nodePools: [{ name: "pi", arch: "arm64", count: 3, cpu: 4, memoryBytes: 8e9 }] },
      }),
      [],
    );
    assert.deepEqual(packConfigProblems({ "loki-compactor-misplaced": "mandatory", all: "advisory" }), []);
    assert.deepEqual(packConfigProblems({ "arm64-images": { enforcementLevel: "disabled" } }), []);
  });

  it("rejects what the engine rejects, naming the policy", () => {
    assert.deepEqual(packConfigProblems({ "production-data-protected": { production: "yes" } }), [
      'production-data-protected: production must be true, false or null, found string "yes" (production: Whether the stack is production (null: read the stack-info ConfigMap))',
    ]);
    assert.deepEqual(packConfigProblems({ "resource-budget": { maxRequestShare: "80%" } }), [
      'resource-budget: maxRequestShare must be a number, found string "80%" (maxRequestShare: Largest share of capacity the requests may use: a fraction in (0, 1], 0.8 for 80% (the default))',
    ]);
    assert.deepEqual(packConfigProblems({ "arm64-images": "sometimes" }), [
      'parsing enforcement level for "arm64-images": "sometimes" is not a valid enforcement level (advisory, mandatory, remediate, disabled)',
    ]);
    assert.match(
      packConfigProblems({ "arm64-images": { enforcementLevel: "advisry" } })[0],
      /"advisry" is not a valid enforcement level \(advisory, .*\); did you mean "advisory"\?$/,
    );
  });

  it("a level in another tool's word (warn, deny, off) is offered the Pulumi level it means", () => {
    const level = (l: string) =>
      `"${l}" is not a valid enforcement level (advisory, mandatory, remediate, disabled)`;
    assert.deepEqual(
      packConfigProblems({
        "arm64-images": "warn",
        "resource-budget": { enforcementLevel: "deny" },
        all: "off",
      }),
      [
        `parsing enforcement level for "arm64-images": ${level("warn")}; did you mean "advisory"? (Pulumi's level where a violation is reported and stops nothing)`,
        `parsing enforcement level for "resource-budget": ${level("deny")}; did you mean "mandatory"? (Pulumi's level where a violation is reported and fails the run)`,
        `parsing enforcement level for "all": ${level("off")}; did you mean "disabled"? (Pulumi's level where the policy does not run)`,
      ],
    );
  });

  // String(level) printed "[object Object]", and a list of one level refused the level itself.
  it("says an enforcement level that is no string by its kind, and a listed level without its brackets", () => {
    const LEVELS = "(advisory, mandatory, remediate, disabled)";
    assert.deepEqual(packConfigProblems({ "arm64-images": { enforcementLevel: { level: "advisory" } } }), [
      `parsing enforcement level for "arm64-images": expected an enforcement level, a string ${LEVELS}, found an object`,
    ]);
    assert.deepEqual(packConfigProblems({ "arm64-images": { enforcementLevel: ["advisory"] } }), [
      `parsing enforcement level for "arm64-images": expected an enforcement level, a string ${LEVELS}, found a list (without the brackets: "advisory")`,
    ]);
    assert.deepEqual(packConfigProblems({ "arm64-images": { enforcementLevel: 3 } }), [
      `parsing enforcement level for "arm64-images": expected an enforcement level, a string ${LEVELS}, found number 3`,
    ]);
    assert.deepEqual(packConfigProblems({ "arm64-images": ["advisory"] }), [
      `parsing "arm64-images": expected an enforcement level ${LEVELS} or an object of its settings, found a list (without the brackets: "advisory")`,
    ]);
    assert.deepEqual(packConfigProblems({ "arm64-images": ["advisory", "mandatory"] }), [
      `parsing "arm64-images": expected an enforcement level ${LEVELS} or an object of its settings, found a list`,
    ]);
  });

  // A user thinking in percent (80) silently disabled the budget; -1 printed "above the -100.0% budget".
  it("refuses a maxRequestShare outside (0, 1], naming the key, the expected form and what was found", () => {
    const schema = (allPolicies().find((p) => p.name === "resource-budget")!.configSchema!.properties as any)
      .maxRequestShare;
    assert.equal(schema.exclusiveMinimum, 0);
    assert.equal(schema.maximum, 1);
    // Both bounds whichever is broken: one of them alone sends back a second guess.
    for (const share of [80, -1, 0])
      assert.deepEqual(packConfigProblems({ "resource-budget": { maxRequestShare: share } }), [
        `resource-budget: maxRequestShare must be a number above 0 and at most 1, found number ${share} (maxRequestShare: Largest share of capacity the requests may use: a fraction in (0, 1], 0.8 for 80% (the default))`,
      ]);
    assert.deepEqual(packConfigProblems({ "resource-budget": { maxRequestShare: 1 } }), []);
  });

  // A malformed chart passed validation, then crashed the pack ("Cannot read properties of
  // undefined (reading 'map')"): the schema describes ChartData, so it is refused up front.
  it("refuses a malformed arm64-images charts entry naming its key, and takes the built-in ones", () => {
    const problems = packConfigProblems({
      "arm64-images": { charts: { loki: { workloads: [{ name: "x" }] } } },
    });
    assert.ok(
      problems.includes("arm64-images: charts.loki.workloads[0].images is missing: it is required"),
      problems.join("\n"),
    );
    assert.deepEqual(packConfigProblems({ "arm64-images": { charts: DEFAULT_CHARTS } }), []);
    assert.deepEqual(packConfigProblems({ "arm64-images": { arm64Images: [""] } }).length, 1);
  });

  // ajv's own words named neither the choices nor a form: "must be equal to one of the allowed
  // values", "must be boolean,null", "must NOT have fewer than 1 characters".
  it("names the choices of an enum and the closest one, and every other form in words, deep in a chart entry", () => {
    const workload = { name: "w", kind: "Deploymnet", resources: [], images: [] };
    const chart = (w: Record<string, unknown>) => ({
      "arm64-images": { charts: { mychart: { workloads: [{ ...workload, ...w }] } } },
    });
    const at = "arm64-images: charts.mychart.workloads[0]";
    assert.deepEqual(packConfigProblems(chart({})), [
      `${at}.kind must be one of "Deployment", "StatefulSet", "DaemonSet" or "Job", found string "Deploymnet"; did you mean "Deployment"?`,
    ]);
    assert.deepEqual(packConfigProblems(chart({ kind: 3 })), [
      `${at}.kind must be one of "Deployment", "StatefulSet", "DaemonSet" or "Job", found number 3`,
    ]);
    assert.deepEqual(
      packConfigProblems(
        chart({
          kind: "Job",
          name: "",
          resources: "a",
          replicas: { path: "r", default: -1 },
          memcachedAllocatedMemory: { path: "m", default: 0 },
          enabled: { path: "e", default: "yes" },
        }),
      ),
      [
        `${at}.name must be a string that is not empty, found string ""`,
        `${at}.enabled.default must be true or false, found string "yes"`,
        `${at}.replicas.default must be a whole number at least 0, found number -1`,
        `${at}.resources must be a list, found string "a"`,
        `${at}.memcachedAllocatedMemory.default must be a number above 0, found number 0`,
      ],
    );
  });

  it("warns of what the engine accepts but ignores: a key naming no policy, a setting no schema declares", () => {
    assert.deepEqual(packConfigWarnings(JSON.parse(fs.readFileSync(EXAMPLE, "utf8"))), []);
    assert.deepEqual(
      packConfigWarnings({ all: "advisory", environments: {}, "arm64-images": "mandatory" }),
      [],
    );
    const w = packConfigWarnings({
      "grafana-replicas-share-no-stat": "advisory",
      "resource-budget": { maxRequestShar: 0.7, enforcementLevel: "mandatory" },
    });
    assert.equal(w.length, 2, w.join("\n"));
    assert.match(
      w[0],
      /^"grafana-replicas-share-no-stat" names no policy of this pack, so the engine ignores it; did you mean "grafana-replicas-share-no-state"\?/,
    );
    assert.match(
      w[1],
      /^resource-budget: "maxRequestShar" is not one of its settings \(maxRequestShare, nodePools, and enforcementLevel\), so the engine ignores it; did you mean "maxRequestShare"\?$/,
    );
  });

  it("warns of an operatorImages entry without a registry that names Docker Hub's image where a default operator's path ends with it", () => {
    const w = packConfigWarnings({
      "no-cluster-secret-read": {
        operatorImages: [
          "prometheus-operator/prometheus-operator:v0.93.0",
          "victoriametrics/operator",
          "quay.io/prometheus-operator/prometheus-operator",
          "registry.home.lan/quay/prometheus-operator/prometheus-operator",
          "grafana/grafana",
        ],
      },
    });
    // Only the first: Docker Hub's victoriametrics/operator is the default itself; the others
    // carry a registry or end no default's path.
    assert.deepEqual(w, [
      `no-cluster-secret-read: operatorImages entry "prometheus-operator/prometheus-operator:v0.93.0" names Docker Hub's docker.io/prometheus-operator/prometheus-operator (an image without a registry is Docker Hub's), not quay.io/prometheus-operator/prometheus-operator, which the pack counts as an operator already; write a mirror's copy with its registry (registry.home.lan/prometheus-operator/prometheus-operator, say), or declare the mirror in the stack's imageMirrors key`,
    ]);
  });

  it("warns of an agents image without a registry that names Docker Hub's image where a default agent's path ends with it", () => {
    const paths = [{ path: "/proc", readOnly: true }];
    const w = packConfigWarnings({
      "host-paths-for-agents-only": {
        agents: [
          { image: "grafana/alloy", paths },
          { image: "quay.io/prometheus/node-exporter", paths },
          { image: "prometheus/node-exporter", paths },
          { image: "fluent/fluent-bit", paths },
        ],
      },
    });
    // Only the third: Docker Hub's grafana/alloy is the default itself; the others carry a registry
    // or end no default's path.
    assert.deepEqual(w, [
      `host-paths-for-agents-only: agents[2].image "prometheus/node-exporter" names Docker Hub's docker.io/prometheus/node-exporter (an image without a registry is Docker Hub's; an agent is known by its repository, never by a trailing path), not quay.io/prometheus/node-exporter, which then gets none of these host paths; write "quay.io/prometheus/node-exporter", and a mirror's copy is known through the stack's imageMirrors key`,
    ]);
  });

  it("warns of a setting under all, which the engine gives no policy, naming the policies that take it; the pack reads none", () => {
    const config = { all: { enforcementLevel: "advisory", operatorImages: ["x/y"], nope: 1 } } as PackConfig;
    assert.deepEqual(packConfigWarnings(config), [
      'all: "operatorImages" reaches no policy: the engine takes only all\'s enforcementLevel for every policy, never its settings, so it ignores it; write it under "no-cluster-secret-read"',
      'all: "nope" reaches no policy: the engine takes only all\'s enforcementLevel for every policy, never its settings, so it ignores it',
    ]);
    // Read as no-cluster-secret-read's own, it made a workload an operator that preview refuses.
    assert.deepEqual(policySettings(config, "no-cluster-secret-read"), {});
    assert.deepEqual(
      policySettings(
        { ...config, "no-cluster-secret-read": { operatorImages: ["a/b"] } },
        "no-cluster-secret-read",
      ),
      {
        operatorImages: ["a/b"],
      },
    );
  });

  it("a null default must state its type: {type: null} would reject every real value", () => {
    assert.throws(() => schemaFor({ x: null }, {}), /"x" defaults to null; give its type/);
    const s = schemaFor({ x: null }, {}, { x: { type: ["string", "null"] } });
    assert.deepEqual((s.properties as any).x.type, ["string", "null"]);
  });

  // The engine validates only what a schema states: an open list item took `{key, efect}` silently.
  it("a setting's lists and maps must state their items and keys", () => {
    assert.throws(
      () => schemaFor({ xs: [] }, {}),
      /^Error: schemaFor: xs\[\] takes anything; give its items/,
    );
    assert.throws(
      () => schemaFor({ m: {} }, {}, { m: { additionalProperties: { type: "object", properties: {} } } }),
      /^Error: schemaFor: m\.\* takes anything/,
    );
    assert.doesNotThrow(() => schemaFor({ xs: [] }, {}, { xs: { items: { type: "string" } } }));
  });

  it("policy:check takes the example config and rejects an invalid one with exit 2", async () => {
    const dir = tmpDir("packcfg");
    const exp = path.join(dir, "pi.json");
    fs.writeFileSync(exp, JSON.stringify((await synth("pi")).export));
    const ok = await policyCheckCli([exp, "--config", EXAMPLE]);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    const bad = path.join(dir, "bad.json");
    fs.writeFileSync(bad, JSON.stringify({ "production-data-protected": { production: "yes" } }));
    const r = await policyCheckCli([exp, "--config", bad]);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      /production-data-protected: production must be true, false or null, found string "yes"/,
    );
  });

  it("policy:check prints the warnings on stderr, naming the file, and judges as before", async () => {
    const dir = tmpDir("packcfg");
    const exp = path.join(dir, "pi.json");
    fs.writeFileSync(exp, JSON.stringify((await synth("pi")).export));
    const cfg = path.join(dir, "typo.json");
    fs.writeFileSync(cfg, JSON.stringify({ "arm64-image": "advisory" }));
    const r = await policyCheckCli([exp, "--config", cfg]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      /typo\.json:1:2: warning: "arm64-image" names no policy of this pack.*did you mean "arm64-images"\?/,
    );
  });

  it("synth --policy-config: a config that is not JSON or breaks the rules exits 2 led by the flag and file, as its other refusals, without a stack", async () => {
    const dir = tmpDir("packcfg");
    const cases: [string, string, RegExp][] = [
      [
        "notjson.json",
        "{not json",
        /^\S*notjson\.json:1:2: expected a JSON policy pack configuration, found a word where a key \(a string in double quotes\) is due/,
      ],
      [
        "loud.json",
        JSON.stringify({ all: "loud" }),
        /^policy pack configuration is invalid:\n {2}- .*"loud" is not a valid enforcement level/,
      ],
    ];
    for (const [name, text, message] of cases) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, text);
      const r = await synthCli("--stack", "pi", "--out", dir, "--no-render", "--policy-config", file);
      assert.equal(r.status, 2, r.stdout + r.stderr);
      // The same lead as `synth: --policy-config <file>: cannot read <file>: …` (refusalForms18).
      const lead = `synth: --policy-config ${file}: `;
      assert.ok(r.stderr.startsWith(lead), r.stderr);
      assert.match(r.stderr.slice(lead.length), message);
      assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace for bad input");
    }
  });

  it("policy:check --config: a config that is not JSON is led by the flag and file, as its other refusals", async () => {
    const dir = tmpDir("packcfg");
    const file = path.join(dir, "notjson.json");
    fs.writeFileSync(file, "{not json");
    const r = await policyCheckCli([dir, "--config", file]);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.ok(
      r.stderr.includes(
        `policy:check: --config ${file}: ${file}:1:2: expected a JSON policy pack configuration, found `,
      ),
      r.stderr,
    );
  });
});

describe("the offline evaluator hands policies what the engine hands them (@pulumi/policy 1.21)", () => {
  const SIG = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };
  const seen: { kind: string; type: string; props: any; opts: any }[] = [];
  const capture = [
    {
      name: "capture-resource",
      description: "records args",
      enforcementLevel: "advisory" as const,
      validateResource: (args: any) => {
        seen.push({ kind: "resource", type: args.type, props: args.props, opts: args.opts });
      },
    },
    {
      name: "capture-stack",
      description: "records args",
      enforcementLevel: "advisory" as const,
      validateStack: (args: any) => {
        for (const r of args.resources)
          seen.push({ kind: "stack", type: r.type, props: r.props, opts: r.opts });
      },
    },
  ];
  const base = "urn:pulumi:s::p::";
  const resources = [
    {
      urn: `${base}pulumi:pulumi:Stack::p-s`,
      type: "pulumi:pulumi:Stack",
      custom: false,
      inputs: {},
      outputs: {},
    },
    {
      urn: `${base}minio:index/s3Bucket:S3Bucket::b`,
      type: "minio:index/s3Bucket:S3Bucket",
      custom: true,
      inputs: { bucket: "b" },
      outputs: { bucket: "b", arn: "arn:aws:s3:::b" },
      protect: true,
      retainOnDelete: true,
    },
    {
      urn: `${base}kubernetes:core/v1:Secret::s`,
      type: "kubernetes:core/v1:Secret",
      custom: true,
      inputs: {
        stringData: { ...SIG, plaintext: JSON.stringify({ token: "t0k" }) },
        other: { ...SIG, ciphertext: "x" },
      },
    },
    {
      urn: `${base}kubernetes:helm.sh/v4:Chart::loki`,
      type: "kubernetes:helm.sh/v4:Chart",
      custom: false,
      inputs: { chart: "loki", values: { a: 1 } },
      outputs: { resources: [] },
    },
    {
      urn: `${base}homelab:logging:Loki::loki`,
      type: "homelab:logging:Loki",
      custom: false,
      inputs: {},
      outputs: {},
    },
  ];

  before(async () => {
    const { evaluateResources } = await import("../../policy/evaluate");
    await evaluateResources(resources, {}, capture);
  });
  const of = (kind: string, type: string) => seen.find((s) => s.kind === kind && s.type === type)!;

  it("options: protect, never retainOnDelete (server.js getResourceOptions)", () => {
    const b = of("resource", "minio:index/s3Bucket:S3Bucket");
    assert.equal(b.opts.protect, true);
    assert.ok(!("retainOnDelete" in b.opts));
    assert.deepEqual(Object.keys(b.opts).sort(), [
      "additionalSecretOutputs",
      "aliases",
      "customTimeouts",
      "ignoreChanges",
      "protect",
    ]);
  });

  it("secrets unwrapped (deserialize.js, proxySecrets false): plaintext as its value, ciphertext as a stand-in", async () => {
    const { SECRET_STAND_IN } = await import("../../policy/evaluate");
    const s = of("resource", "kubernetes:core/v1:Secret");
    assert.deepEqual(s.props.stringData, { token: "t0k" });
    assert.equal(s.props.other, SECRET_STAND_IN);
  });

  it("components are analyzed too; a v4 Chart arrives without inputs", () => {
    assert.deepEqual(of("resource", "kubernetes:helm.sh/v4:Chart").props, {});
    assert.ok(of("resource", "homelab:logging:Loki"), "local components reach resource policies");
  });

  it("stack policies get each resource's outputs (step_generator.go AnalyzeResources uses v.Outputs)", () => {
    assert.equal(of("stack", "minio:index/s3Bucket:S3Bucket").props.arn, "arn:aws:s3:::b");
    assert.deepEqual(of("stack", "kubernetes:helm.sh/v4:Chart").props, { resources: [] });
  });
});

describe("policy/ publishes on its own (`pulumi policy publish` runs npm pack there)", () => {
  const dir = path.join(ROOT, "policy");
  it("policy/package.json declares every package the pack's files import", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    const files = [
      ...fs.readdirSync(dir).filter((f) => f.endsWith(".ts")),
      ...fs.readdirSync(path.join(dir, "lib")).map((f) => `lib/${f}`),
    ];
    const imported = new Set<string>();
    for (const f of files) {
      for (const m of fs.readFileSync(path.join(dir, f), "utf8").matchAll(/from "([^".][^"]*)"/g)) {
        imported.add(m[1].startsWith("@") ? m[1].split("/").slice(0, 2).join("/") : m[1].split("/")[0]);
      }
      assert.ok(
        !/from "\.\.\//.test(fs.readFileSync(path.join(dir, f), "utf8")),
        `${f} imports nothing outside policy/`,
      );
    }
    assert.ok(imported.size > 0);
    // Node's own modules (`node:crypto`) come with the policy host's Node, declared nowhere.
    for (const m of imported)
      if (!isBuiltin(m)) assert.ok(pkg.dependencies?.[m], `policy/package.json declares ${m}`);
  });

  it("npm pack takes PulumiPolicy.yaml, index.ts and every module", () => {
    // --ignore-scripts: the prepack (scripts/pack-contract.sh) rewrites contract/dist/ and
    // policy/contract/ in this checkout, under the other test files of the run that load them
    // (test/published/pack.slow.ts runs it, apart).
    const r = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
      cwd: dir,
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    const packed = new Set(JSON.parse(r.stdout)[0].files.map((f: { path: string }) => f.path));
    for (const f of ["PulumiPolicy.yaml", "index.ts", "policies.ts", "lib/resources.ts", "package.json"])
      assert.ok(packed.has(f), `${f} is packed`);
  });
});

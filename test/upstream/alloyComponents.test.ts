import { strict as assert } from "assert";
import { versions } from "../../model/versions";
import {
  checkAlloyComponents,
  loadAlloyReference,
  referenceVersionProblem,
  type AlloyFinding,
  type AlloyReference,
} from "../../upstream/alloy/components";
import { parseAlloy } from "../../upstream/alloy/syntax";
import { synth } from "../support/helpers";

/**
 * The component checks (upstream/alloy/components.ts) against Alloy v1.12.0's registry
 * (upstream/alloy/data/alloy-1.12/registry.json, from Alloy's code at the tag) and its docs' argument
 * types (components.json). The base is the staging stack's own cluster config; each case plants one
 * mistake and names the rule that must catch it. The reference is read, never restated: the cases
 * take names, stages and shapes from it. Each planted mistake was also run through the real
 * `alloy validate` (and, for types, `alloy run`) v1.12.0 in the session the registry came from
 * (docs/explanation/alloy-conformance.md): the verdicts and positions below are Alloy's.
 */
describe("upstream/alloy/components: Alloy configs judged by Alloy v1.12.0's component reference", function () {
  let ref: AlloyReference;
  let base: string;

  before(async function () {
    ref = loadAlloyReference();
    const r = await synth("staging");
    const texts = r.export.deployment.resources
      .filter((x) => x.inputs?.chart === "alloy")
      .map((x) => x.inputs.values?.alloy?.configMap?.content as string | undefined)
      .filter((t): t is string => typeof t === "string");
    base = texts.find((t) => t.includes("remote.kubernetes.secret"))!;
    assert.ok(base, "staging's cluster Alloy reads a Secret through remote.kubernetes.secret");
  });

  const check = (
    text: string,
    level?: "experimental" | "public-preview" | "generally-available",
    communityComponents?: boolean,
  ) => {
    const parsed = parseAlloy(text);
    assert.deepEqual(parsed.errors, [], "the planted config still parses");
    return checkAlloyComponents(parsed.body, ref, {
      ...(level ? { stabilityLevel: level } : {}),
      ...(communityComponents ? { communityComponents } : {}),
    });
  };
  /** A component's Args type in the registry. */
  const argsOf = (name: string) => ref.code.types[ref.code.components[name].args!];
  /** Components without required attributes or blocks, at a stability and community. */
  const bare = (pred: (c: AlloyReference["code"]["components"][string]) => boolean) =>
    Object.entries(ref.code.components).find(
      ([, c]) =>
        pred(c) &&
        c.args !== null &&
        !Object.values(ref.code.types[c.args].attributes).some((a) => a.required) &&
        !Object.values(ref.code.types[c.args].blocks).some((b) => b.required),
    )!;
  const rules = (fs: AlloyFinding[]) => fs.map((f) => f.rule);
  const plant = (from: string | RegExp, to: string) => {
    const out = base.replace(from, to);
    assert.notEqual(out, base, `the plant ${String(from)} applies to staging's config`);
    return out;
  };

  it("passes staging's cluster config as generated", () => {
    assert.deepEqual(check(base), []);
  });

  it("unknown-component: a misspelt component, with the closest name", () => {
    const f = check(
      plant('remote.kubernetes.secret "minio_metrics" {', 'remote.kubernetes.secrets "minio_metrics" {'),
    );
    assert.ok(rules(f).includes("unknown-component"), JSON.stringify(f));
    assert.match(
      f.find((x) => x.rule === "unknown-component")!.message,
      /did you mean "remote\.kubernetes\.secret"/,
    );
  });

  it("label: a component declared without its label", () => {
    const f = check(plant('remote.kubernetes.secret "minio_metrics" {', "remote.kubernetes.secret {"));
    const labels = f.filter((x) => x.rule === "label");
    assert.equal(labels.length, 1, JSON.stringify(f));
    assert.match(labels[0].message, /component remote\.kubernetes\.secret needs a label/);
  });

  it("unknown-argument: an argument the component does not document", () => {
    const f = check(
      plant(
        'remote.kubernetes.secret "minio_metrics" {',
        'remote.kubernetes.secret "minio_metrics" {\n  namespacee = "x"',
      ),
    );
    assert.deepEqual(rules(f), ["unknown-argument"]);
    assert.match(f[0].message, /did you mean "namespace"/);
  });

  it("unknown-block: a block the component does not document", () => {
    const f = check(
      plant(
        'remote.kubernetes.secret "minio_metrics" {',
        'remote.kubernetes.secret "minio_metrics" {\n  clients {\n  }',
      ),
    );
    assert.deepEqual(rules(f), ["unknown-block"]);
  });

  it("attribute-as-block and block-as-attribute", () => {
    const asBlock = check(
      plant(
        /(remote\.kubernetes\.secret "minio_metrics" \{\n\s*)namespace\s*=\s*("[^"]*")/,
        "$1namespace {\n  }",
      ),
    );
    assert.ok(rules(asBlock).includes("attribute-as-block"), JSON.stringify(asBlock));
    const asAttr = check(
      plant(
        'remote.kubernetes.secret "minio_metrics" {',
        'remote.kubernetes.secret "minio_metrics" {\n  client = {}',
      ),
    );
    assert.deepEqual(rules(asAttr), ["block-as-attribute"]);
  });

  it("missing-argument: a required argument left out (discovery.kubernetes without role)", () => {
    const f = check(plant(/(discovery\.kubernetes "\w+" \{[^}]*?)\n\s*role\s*=\s*"[^"]*"/, "$1"));
    assert.ok(rules(f).includes("missing-argument"), JSON.stringify(f));
    assert.match(
      f.find((x) => x.rule === "missing-argument")!.message,
      /discovery\.kubernetes: missing required attribute "role"/,
    );
  });

  it("missing-block: a required block left out, read from the registry (the first component with one)", () => {
    const [name, comp] = Object.entries(ref.code.components).find(
      ([, c]) =>
        c.args !== null &&
        !c.community &&
        Object.values(ref.code.types[c.args].blocks).some((b) => b.required) &&
        !Object.values(ref.code.types[c.args].attributes).some((a) => a.required),
    )!;
    const f = check(`${base}\n${name} "planted" {\n}\n`, "experimental");
    assert.ok(
      f.some((x) => x.rule === "missing-block" && x.message.startsWith(`${name}: missing required block`)),
      `${name} (${comp.source}): ${JSON.stringify(f)}`,
    );
  });

  it("requires what the code requires where the docs say optional, and takes what the code takes where the docs are silent", () => {
    // The first attribute the code requires inside a block the docs mark optional (loki.process
    // stage.labels values at v1.12.0: Alloy says `missing required attribute "values"`).
    const docsOptional = Object.entries(ref.components).flatMap(([name, docs]) =>
      Object.values(docs.blocks ?? {})
        .filter((b) => b.path.length === 1 && b.path[0].includes("."))
        .flatMap((b) => {
          const block = Object.entries(argsOf(name)?.enums ?? {})
            .map(
              ([e, { type }]) =>
                b.path[0].startsWith(`${e}.`) && ref.code.types[type].blocks[b.path[0].slice(e.length + 1)],
            )
            .find(Boolean);
          const code = block && block.type ? ref.code.types[block.type] : undefined;
          return Object.entries(code?.attributes ?? {})
            .filter(
              ([a, x]) => x.required && (b.arguments ?? []).some((d) => d.name === a && d.required !== true),
            )
            .map(([a]) => ({ name, block: b.path[0], attribute: a }));
        }),
    );
    assert.ok(docsOptional.length > 0, "the docs mark some attribute optional that the code requires");
    const { name, block, attribute } = docsOptional[0];
    const missing = check(`${base}\n${name} "planted" {\n  ${block} {\n  }\n  forward_to = []\n}\n`);
    assert.ok(
      missing.some(
        (x) =>
          x.rule === "missing-argument" && x.message.includes(`missing required attribute "${attribute}"`),
      ),
      `${name} > ${block}: ${JSON.stringify(missing)}`,
    );
    // A block the code takes that the docs do not list (loki.source.docker http_client_config).
    const [docker, undocumented] = Object.entries(ref.code.components)
      .filter(([n, c]) => c.stability === "generally-available" && !c.community && ref.components[n]?.blocks)
      .flatMap(([n]) =>
        Object.entries(argsOf(n).blocks)
          .filter(([b, x]) => !x.required && !ref.components[n].blocks![b])
          .map(([b]) => [n, b] as const),
      )[0];
    const required = Object.keys(argsOf(docker).attributes).filter(
      (a) => argsOf(docker).attributes[a].required,
    );
    const text = `${base}\n${docker} "planted" {\n${required.map((a) => `  ${a} = []\n`).join("")}  ${undocumented} {\n  }\n}\n`;
    assert.deepEqual(
      check(text).filter((x) => x.rule !== "literal-type"),
      [],
      `${docker} > ${undocumented}`,
    );
  });

  it("literal-type: a duration with a unit Alloy does not take, a bool given as a string", () => {
    const f = check(
      `${base}\nprometheus.scrape "planted" {\n  targets = []\n  forward_to = []\n  scrape_interval = "1d"\n  honor_labels = "yes"\n}\n`,
    );
    assert.deepEqual(rules(f), ["literal-type", "literal-type"]);
    // time.ParseDuration's units, microseconds included (`alloy run` loads "60000000us").
    const us = `${base}\nprometheus.scrape "planted" {\n  targets = []\n  forward_to = []\n  scrape_interval = "60000000us"\n}\n`;
    assert.deepEqual(check(us), []);
    // time.ParseDuration's grammar: a sign, a fraction with a digit on either side of the point
    // (`alloy run` v1.12.0 loads ".5s", "1.s" and "+10s"); a number without its unit, or "00", not.
    const interval = (v: string) =>
      check(
        `${base}\nprometheus.scrape "planted" {\n  targets = []\n  forward_to = []\n  scrape_interval = ${v}\n}\n`,
      );
    for (const v of ['".5s"', '"1.s"', '"+10s"', '"1h2m0.5s"', '"-0"', "0"])
      assert.deepEqual(interval(v), [], v);
    for (const v of ['"00"', '"0.0"', '"."', '".s"', '"1"', '"1ms5"', "5"])
      assert.deepEqual(rules(interval(v)), ["literal-type"], v);
  });

  it("literal-type: a list where a map is taken, and one receiver where a list is taken", () => {
    const map = check(plant(/external_labels = \{ cluster = "([^"]*)" \}/, 'external_labels = ["$1"]'));
    assert.deepEqual(rules(map), ["literal-type"]);
    const single = check(plant(/forward_to = \[(loki\.write\.default\.receiver)\]/, "forward_to = $1"));
    assert.deepEqual(rules(single), ["literal-type"]);
    assert.match(single[0].message, /is list\(LogsReceiver\), got one LogsReceiver/);
  });

  it("undefined-reference and unknown-export", () => {
    const planted = plant(
      /remote\.kubernetes\.secret\.minio_metrics\./,
      "remote.kubernetes.secret.minio_metricz.",
    );
    const undefinedRef = check(planted);
    assert.ok(rules(undefinedRef).includes("undefined-reference"), JSON.stringify(undefinedRef));
    // Alloy reports it where the reference starts (internal/util/ast/references.go).
    const line = planted.split("\n").findIndex((l) => l.includes("minio_metricz")) + 1;
    const column = planted.split("\n")[line - 1].indexOf("remote.kubernetes.secret.minio_metricz") + 1;
    assert.deepEqual(
      undefinedRef.filter((x) => x.rule === "undefined-reference").map((x) => [x.pos.line, x.pos.column]),
      [[line, column]],
    );
    const unknownExport = check(
      plant(
        /remote\.kubernetes\.secret\.minio_metrics\.data/,
        "remote.kubernetes.secret.minio_metrics.content",
      ),
    );
    assert.ok(rules(unknownExport).includes("unknown-export"), JSON.stringify(unknownExport));
  });

  it("receiver-kind: a logs receiver in a metrics forward_to, and the reverse", () => {
    const logsInMetrics = check(
      `${base}\nprometheus.scrape "planted" {\n  targets = []\n  forward_to = [loki.write.default.receiver]\n}\n`,
    );
    assert.deepEqual(rules(logsInMetrics), ["receiver-kind"]);
    const metricsInLogs = check(
      `${base}\nloki.source.kubernetes_events "planted" {\n  forward_to = [prometheus.remote_write.backend.receiver]\n}\n`,
    );
    assert.deepEqual(rules(metricsInLogs), ["receiver-kind"]);
  });

  it("unknown-function: a call that is no standard library function", () => {
    const f = check(plant('sys.env("HOSTNAME")', 'sys.envv("HOSTNAME")'));
    assert.deepEqual(rules(f), ["unknown-function"]);
  });

  it("stability: a component below general availability needs the matching --stability.level", () => {
    const [name, c] = bare((x) => x.stability === "experimental" && !x.community);
    const text = `${base}\n${name} "planted" {\n}\n`;
    assert.deepEqual(rules(check(text)), ["stability"], `${name} is ${c.stability}`);
    assert.deepEqual(check(text, "experimental"), []);
  });

  it("stability: the registry's level, where the docs say another (otelcol.receiver.prometheus at v1.12.0)", () => {
    const disagree = Object.entries(ref.code.components).filter(
      ([n, c]) =>
        !c.community &&
        ref.components[n]?.stage?.replace("_", "-") === "public-preview" &&
        c.stability === "generally-available",
    );
    assert.ok(disagree.length > 0, "the docs call some generally-available component public-preview");
    for (const [name] of disagree) {
      const f = check(`${base}\n${name} "planted" {\n}\n`);
      assert.ok(!f.some((x) => x.rule === "stability"), `${name}: ${JSON.stringify(f)}`);
    }
  });

  it("community: a community component needs --feature.community-components.enabled", () => {
    const [name] = bare((x) => x.community === true);
    const text = `${base}\n${name} "planted" {\n}\n`;
    assert.deepEqual(rules(check(text, "experimental")), ["community"]);
    assert.deepEqual(
      check(text, "generally-available", true),
      [],
      "community components are not held to stability",
    );
  });

  it("stability: an experimental standard library function and an experimental configuration block", () => {
    const [fn] = Object.keys(ref.code.stdlib.experimental);
    const call = `${base}\nlocal.file_match "planted" {\n  path_targets = ${fn}([], [])\n}\n`;
    assert.deepEqual(rules(check(call)), ["stability"], fn);
    assert.deepEqual(check(call, "experimental"), []);
    const [block, def] = Object.entries(ref.code.config_blocks).find(
      ([, b]) => b.stability === "experimental",
    )!;
    const attrs = Object.keys(ref.code.types[def.args!].attributes).filter(
      (a) => ref.code.types[def.args!].attributes[a].required,
    );
    // Each required attribute gets a value of its documented type.
    const typeOf = (a: string) => ref.config_blocks[block]?.arguments?.find((x) => x.name === a)?.type ?? "";
    const value = (a: string) => (/^(list|array)\(/.test(typeOf(a)) ? "[]" : '"x"');
    const text = `${base}\n${block} "planted" {\n${attrs.map((a) => `  ${a} = ${value(a)}\n`).join("")}  ${def.template} {\n  }\n}\n`;
    assert.deepEqual(rules(check(text)), ["stability"], block);
    assert.deepEqual(check(text, "experimental"), []);
  });

  it("deprecated-function: a deprecated standard library name (alloy validate warns, which fails it)", () => {
    const [fn] = Object.keys(ref.code.stdlib.deprecated).filter((n) => n === "env");
    const f = check(plant('sys.env("HOSTNAME")', `${fn}("HOSTNAME")`));
    assert.deepEqual(rules(f), ["deprecated-function"]);
  });

  it("duplicate: two blocks with one name and label, and two of a configuration block", () => {
    const again = check(
      `${base}\nremote.kubernetes.secret "minio_metrics" {\n  namespace = "a"\n  name = "b"\n}\n`,
    );
    assert.deepEqual(rules(again), ["duplicate"]);
    assert.match(
      again[0].message,
      /^block remote\.kubernetes\.secret\.minio_metrics already declared at \d+:1$/,
    );
    assert.deepEqual(rules(check(`${base}\nlogging {\n}\n`)), ["duplicate"]);
  });

  it("repeated-argument and repeated-block: an attribute twice, a block the registry takes once given twice", () => {
    const attr = check(plant(/(remote\.kubernetes\.secret "minio_metrics" \{\n)/, '$1  namespace = "x"\n'));
    assert.deepEqual(rules(attr), ["repeated-argument"]);
    const endpoint = ref.code.types[argsOf("prometheus.remote_write").blocks.endpoint.type!];
    assert.equal(endpoint.blocks.queue_config.repeat, "once", "the registry takes queue_config once");
    const twice = check(plant("    queue_config {", "    queue_config {\n    }\n    queue_config {"));
    assert.deepEqual(rules(twice), ["repeated-block", "repeated-block"]);
    assert.equal(
      argsOf("loki.write").blocks.endpoint.repeat,
      "many",
      "the registry takes endpoint many times",
    );
    const endpoints = plant(
      /(loki\.write "default" \{\n)/,
      '$1  endpoint {\n    url = "http://b/loki/api/v1/push"\n  }\n',
    );
    assert.deepEqual(check(endpoints), []);
  });

  it("cycle: a component that reads its own exports, and two that read each other's", () => {
    const self = check(
      `${base}\nloki.relabel "planted" {\n  forward_to = [loki.relabel.planted.receiver]\n}\n`,
    );
    assert.deepEqual(rules(self), ["cycle"]);
    const pair = check(
      `${base}\nloki.relabel "a" {\n  forward_to = [loki.relabel.b.receiver]\n}\nloki.relabel "b" {\n  forward_to = [loki.relabel.a.receiver]\n}\n`,
    );
    assert.deepEqual(rules(pair), ["cycle", "cycle"]);
    assert.match(pair[0].message, /cycle detected: loki\.relabel\.a, loki\.relabel\.b/);
  });

  it("root-block, not-configurable, top-level-attribute: what a config's top level may not hold", () => {
    const [root] = Object.entries(ref.code.config_blocks).find(([, b]) => b.root === "forbidden")!;
    assert.deepEqual(rules(check(`${base}\n${root} "planted" {\n}\n`)).slice(0, 1), ["root-block"], root);
    const [service] = Object.entries(ref.code.config_blocks).find(([, b]) => b.configurable === false)!;
    assert.deepEqual(rules(check(`${base}\n${service} {\n}\n`)), ["not-configurable"], service);
    assert.deepEqual(rules(check(`${base}\nplanted = 1\n`)), ["top-level-attribute"]);
  });

  it("modules: a declare block's components, arguments and instances, an import's namespace and a foreach template's var pass, as alloy validate passes them", () => {
    const modules = `${base}
declare "mylog" {
  argument "target" { }
  argument "tenant" {
    optional = true
  }
  loki.write "inner" {
    endpoint {
      url = argument.target.value
    }
  }
  export "receiver" {
    value = loki.write.inner.receiver
  }
}

mylog "a" {
  target = "http://loki/loki/api/v1/push"
}

import.string "mod" {
  content = ""
}

mod.thing "x" {
  anything = 1
}

loki.relabel "to_modules" {
  forward_to = [mylog.a.receiver, mod.thing.x.out]
  rule {
    target_label = "path"
    replacement = module_path
  }
}

foreach "each_target" {
  collection = ["a", "b"]
  var = "each"
  template {
    loki.relabel "r" {
      forward_to = [loki.relabel.to_modules.receiver]
      rule {
        target_label = "x"
        replacement = each
      }
    }
  }
}
`;
    assert.deepEqual(check(modules, "experimental"), []);
  });

  it("modules: what alloy validate refuses of them, at the positions it reports", () => {
    const text = `${base}
declare "mylog" {
  argument "target" { }
  loki.relabel "inner" {
    forward_to = [loki.write.default.receiver]
  }
}

mylog "a" {
  unknown = 2
}

loki.relabel "outer" {
  forward_to = [loki.relabel.inner.receiver]
}
`;
    const lines = text.split("\n");
    // In the planted part, below staging's config.
    const from = base.split("\n").length;
    const pos = (needle: string) => {
      const line = lines.findIndex((l, i) => i >= from && l.includes(needle));
      return [line + 1, lines[line].indexOf(needle) + 1];
    };
    const f = check(text);
    // alloy validate v1.12.0: `component "loki.write.default.receiver" does not exist or is out of
    // scope` inside the module, `unrecognized attribute name "unknown"` and `missing required
    // attribute "target"` on the instance, out of scope again at the top level.
    assert.deepEqual(
      f.map((x) => [x.rule, x.pos.line, x.pos.column]),
      [
        ["undefined-reference", ...pos("loki.write.default.receiver")],
        ["missing-argument", ...pos('mylog "a"')],
        ["unknown-argument", ...pos("unknown = 2")],
        ["undefined-reference", ...pos("loki.relabel.inner.receiver")],
      ],
      JSON.stringify(f),
    );
    assert.match(f[0].message, /which this declare block does not declare/);
  });

  it("the reference names the Alloy the program pins; another pin fails with what to refresh", () => {
    assert.equal(referenceVersionProblem(ref, versions.images.alloy.tag), undefined);
    const problem = referenceVersionProblem(ref, "v1.13.0");
    assert.match(
      problem ?? "",
      /pins Alloy v1\.13\.0.*reference upstream\/alloy\/data\/alloy-1\.12 is Alloy v1\.12\.0: run npm run refresh-reference -- alloy <checkout of grafana\/alloy at v1\.13\.0>/,
    );
  });
});

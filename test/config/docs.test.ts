import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import {
  configKeyDocs,
  configKeysTable,
  configRows,
  END,
  REFERENCE,
  START,
  withConfigKeys,
  withPulumiDescriptions,
} from "../../scripts/configDocs";
import { rawSchema, SECRET_KEYS } from "../../config/schema";
import { ROOT } from "../support/helpers";
import { z } from "zod";
import { schemaAt, schemaKeys, shapeOf } from "../../scripts/schemaShape";
import { formatted } from "../support/prettier";

describe("the configuration reference is generated from the schema (scripts/configDocs.ts)", () => {
  // Read once for every test: the rows below are configRows of these docs, what configRows reads
  // itself without them (a TypeScript parse of config/schema.ts a call). Measured warm, this file
  // alone, medians of 3 alternated runs: 3.61 -> 3.25 s of CPU.
  const docs = configKeyDocs(ROOT);

  it("every key of the schema has documentation, top-level keys included", () => {
    assert.deepEqual(
      docs.filter((d) => !d.doc).map((d) => d.key),
      [],
    );
    const top = new Set(docs.map((d) => d.key.split(/[.\s]/)[0]));
    // Secret keys are set with `pulumi config set --secret`, listed below the table, not in it.
    const secret = new Set<string>(SECRET_KEYS);
    for (const k of Object.keys(rawSchema.shape).filter((k) => !secret.has(k)))
      assert.ok(top.has(k), `schema key ${k} is in the table`);
  });

  it("the Secrets section and Pulumi.yaml's comment name every secret key (SECRET_KEYS)", () => {
    const reference = fs.readFileSync(path.join(ROOT, REFERENCE), "utf8");
    const secrets = reference.slice(reference.indexOf("\n## Secrets\n"));
    // The comment above Pulumi.yaml's `config:` block: the keys it does not declare.
    const pulumiYaml = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8");
    const comment = pulumiYaml.slice(0, pulumiYaml.indexOf("\nconfig:")).replace(/\n# ?/g, " ");
    assert.deepEqual(
      SECRET_KEYS.filter((k) => !secrets.includes(`\`${k}\``)),
      [],
      "docs/reference/configuration.md ## Secrets",
    );
    assert.deepEqual(
      SECRET_KEYS.filter((k) => !new RegExp(`\\b${k}\\b`).test(comment)),
      [],
      "Pulumi.yaml",
    );
  });

  it("docs/reference/configuration.md holds exactly the generated table (prettier-formatted)", async () => {
    const readme = fs.readFileSync(path.join(ROOT, REFERENCE), "utf8");
    const prettier = await import("prettier");
    const expected = await formatted(withConfigKeys(readme, configKeysTable(docs, ROOT)), {
      ...(await prettier.resolveConfig(path.join(ROOT, REFERENCE))),
      parser: "markdown",
    });
    const section = (t: string) => t.slice(t.indexOf(START), t.indexOf(END));
    assert.equal(section(readme), section(expected), "run scripts/configDocs.ts --write, then prettier");
  });

  it("each key states its type, whether it is required, its default and its allowed values, from the zod schema", () => {
    const rows = new Map(configRows(ROOT, docs).map((r) => [r.key, r]));
    // Required: what the schema requires, and what Pulumi.yaml declares without a default.
    for (const k of ["phase", "objectStore.type (minio)", "objectStore.endpoint (minio)", "kubeContext"])
      assert.equal(rows.get(k)?.required, true, k);
    assert.equal(rows.get("namespace")?.required, false);
    assert.deepEqual(
      [...rows.values()].filter((r) => !r.key.includes(".") && r.required).map((r) => r.key),
      ["kubeContext", "phase"],
    );
    assert.equal(rows.get("phase")?.allowed, "loki-fixed \\| dual-write \\| backend-primary \\| kps-removed");
    assert.equal(rows.get("profile")?.default, '"standard"');
    assert.equal(rows.get("alerting.pushoverPriority")?.type, "integer");
    assert.equal(rows.get("alerting.pushoverPriority")?.allowed, "at least -2, at most 2");
    assert.equal(rows.get("nodePools")?.type, "list of object");
    // A refined string's form is the schema's own error message.
    assert.match(rows.get("namespace")!.allowed!, /^a DNS label \(DNS-1123/);
    // A derived default stated in the JSDoc moves to the default column.
    assert.equal(rows.get("cluster")?.default, "the stack name");
    assert.ok(!/Default/.test(rows.get("cluster")!.meaning));
    // Variants of one union are told apart.
    assert.ok(rows.has("secrets.backend (onepassword)") && rows.has("secrets.backend (config)"));
    for (const r of rows.values()) assert.ok(r.type && r.meaning, `${r.key}: type and meaning`);
  });

  it("lists the keys of every object key, those the schema builds from a table too (takeover.releases)", () => {
    const rows = configRows(ROOT, docs);
    const bare = (k: string) => k.replace(/ \([^)]+\)$/, "");
    const variant = (k: string) => / \(([^)]+)\)$/.exec(k)?.[1] ?? "";
    const unlisted = rows.filter(
      (r) =>
        schemaKeys(schemaAt(rawSchema, r.key)!, `${bare(r.key)}.`, variant(r.key)).length > 0 &&
        !rows.some((o) => bare(o.key).startsWith(`${bare(r.key)}.`)),
    );
    assert.deepEqual(
      unlisted.map((r) => r.key),
      [],
    );
    const row = (k: string) => rows.find((r) => r.key === k);
    assert.match(row("takeover.releases.loki")!.allowed!, /^"<namespace>\/<release name>"/);
    assert.match(row("takeover.buckets.loki.chunks")!.allowed!, /^an S3 bucket name/);
    assert.match(row("takeover.buckets.mimir.blocks")!.meaning, /takeover\.buckets\.mimir/);
  });

  it("says each form a key takes: a number where text is read, a union's members, the empty text a derived key reads as unset", () => {
    const rows = new Map(configRows(ROOT, docs).map((r) => [r.key, r]));
    // `cpu: 4` is taken: the schema turns the number into text before it checks it.
    assert.equal(rows.get("nodePools.cpu")?.type, "string or number");
    assert.equal(rows.get("nodePools.memory")?.type, "string");
    assert.equal(
      rows.get("grafana.dashboardNamespaces")?.allowed,
      '"all" or list of string (at least 1, each: a namespace name like "cert-manager")',
    );
    // Pulumi.yaml's default "" is read as unset (config/resolve.ts DERIVED_KEYS), never refused.
    assert.equal(rows.get("kubeconfig")?.allowed, '"" (read as unset: the default)');
    assert.equal(rows.get("logAgent")?.allowed, 'alloy \\| vector, or "" (read as unset: the default)');
  });

  it("the table changes when the schema's type or allowed values change", () => {
    const text = fs.readFileSync(path.join(ROOT, "config/schema.ts"), "utf8");
    assert.ok(text.includes("pushoverPriority: z.number().int().min(-2).max(2)"));
    // configRows reads the runtime schema: the shape reader on an edited schema shows the change.
    assert.equal(shapeOf(z.number().int().min(-2).max(2).default(0)).allowed, "at least -2, at most 2");
    assert.equal(shapeOf(z.number().int().min(0).max(5).default(0)).allowed, "at least 0, at most 5");
    // An exclusive bound refuses the bound itself, as the config check says ("a number above 0").
    assert.equal(shapeOf(z.number().positive().default(1)).allowed, "above 0");
    assert.equal(shapeOf(z.number().gt(1).lt(10)).allowed, "above 1, below 10");
    assert.equal(shapeOf(z.enum(["a", "b"])).required, true);
    assert.equal(shapeOf(z.enum(["a", "b"]).optional()).required, false);
  });

  it("Pulumi.yaml's config descriptions are the schema's docs, key by key", () => {
    const text = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8");
    // Compared as YAML values: prettier picks the quote style (run scripts/configDocs.ts --write, then prettier).
    const config = parse(text).config as Record<string, { description?: string }>;
    const top = docs.filter((d) => !/[.\s]/.test(d.key));
    assert.ok(top.length >= 8, `top-level documented keys: ${top.length}`);
    for (const d of top)
      if (config[d.key])
        assert.equal(config[d.key].description, d.doc, `Pulumi.yaml config.${d.key}.description`);
    // Object keys without a JSDoc get their members from the schema: no key the schema rejects.
    assert.deepEqual(
      parse(withPulumiDescriptions(text, docs)).config,
      config,
      "run scripts/configDocs.ts --write, then prettier",
    );
    assert.doesNotMatch(config.takeover.description!, /adopt/);
    assert.match(config.objectStore.description!, /^\{type: minio, endpoint, adminEndpoint/);
  });

  it("Pulumi.yaml's `config:` block declares every key of the schema but the secrets, and the script adds one it lacks", () => {
    const text = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8");
    const declared = Object.keys(parse(text).config as object);
    const secret = new Set<string>(SECRET_KEYS);
    assert.deepEqual(
      Object.keys(rawSchema.shape).filter((k) => !secret.has(k) && !declared.includes(k)),
      [],
      "run scripts/configDocs.ts --write, then prettier",
    );
    const without = text.replace(/^ {2}network:\n(?: {4}.*\n)*/m, "");
    assert.ok(!parse(without).config.network, "the network declaration is taken out");
    assert.deepEqual(parse(withPulumiDescriptions(without, docs)).config.network, parse(text).config.network);
  });

  it("the Pulumi.yaml check can fail: a changed doc changes the description", () => {
    const text = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8");
    const edited = docs.map((d) => (d.key === "cluster" ? { ...d, doc: `${d.doc} (edited)` } : d));
    const out = withPulumiDescriptions(text, edited);
    assert.notEqual(out, text);
    assert.match(parse(out).config.cluster.description, /\(edited\)$/);
  });

  it("literal defaults come from the schema: no JSDoc restates one the table adds, none disagrees", () => {
    const withDefault = docs.filter((d) => d.schemaDefault !== undefined);
    assert.ok(withDefault.length >= 30, `keys with a literal default: ${withDefault.length}`);
    for (const d of withDefault) {
      const value = d.schemaDefault!;
      // An enum's default may be written bare (`Default import.`).
      const forms = [value, value.replace(/^"(.*)"$/, "$1")];
      assert.ok(
        forms.some((f) => d.doc.includes(`Default ${f}`)),
        `${d.key}: the table states the schema's default ${value}, got "${d.doc}"`,
      );
      assert.ok(
        !d.written.endsWith(`Default ${value}.`),
        `${d.key}: the JSDoc restates the schema's default (${value}); drop it, the table adds it`,
      );
    }
  });

  it("a default changed in the schema changes the table", () => {
    const text = fs.readFileSync(path.join(ROOT, "config/schema.ts"), "utf8");
    const edited = text.replace(
      'namespace: dnsLabel.default("monitoring")',
      'namespace: dnsLabel.default("obs")',
    );
    assert.notEqual(edited, text);
    const ns = (ds: typeof docs) => ds.find((d) => d.key === "namespace")!.doc;
    assert.match(ns(docs), / Default "monitoring"\.$/);
    assert.match(ns(configKeyDocs(ROOT, edited)), / Default "obs"\.$/);
  });

  it("the check can fail: a changed doc changes the table", () => {
    const changed = configKeysTable(
      docs.map((d, i) =>
        i === 0 ? { ...d, doc: `${d.doc} (edited)`, written: `(edited) ${d.written}` } : d,
      ),
    );
    assert.notEqual(changed, configKeysTable(docs));
  });
});

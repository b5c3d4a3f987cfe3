import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import {
  configKeyDocs,
  configKeysTable,
  END,
  START,
  withConfigKeys,
  withPulumiDescriptions,
} from "../../scripts/configDocs";
import { rawSchema } from "../../config/schema";
import { ROOT } from "../support/helpers";

describe("README config keys are generated from the schema's docs (scripts/configDocs.ts)", () => {
  const docs = configKeyDocs(ROOT);

  it("every key of the schema has documentation, top-level keys included", () => {
    assert.deepEqual(
      docs.filter((d) => !d.doc).map((d) => d.key),
      [],
    );
    const top = new Set(docs.map((d) => d.key.split(/[.\s]/)[0]));
    const secretLike = /Password|Token|UserKey|User$|Url$/;
    for (const k of Object.keys(rawSchema.shape).filter((k) => !secretLike.test(k)))
      assert.ok(top.has(k), `schema key ${k} is in the table`);
  });

  it("README.md holds exactly the generated table (prettier-formatted)", async () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const prettier = await import("prettier");
    const expected = await prettier.format(withConfigKeys(readme, configKeysTable(docs)), {
      ...(await prettier.resolveConfig(path.join(ROOT, "README.md"))),
      parser: "markdown",
    });
    const section = (t: string) => t.slice(t.indexOf(START), t.indexOf(END));
    assert.equal(section(readme), section(expected), "run scripts/configDocs.ts --write, then prettier");
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
    const changed = configKeysTable(docs.map((d, i) => (i === 0 ? { ...d, doc: `${d.doc} (edited)` } : d)));
    assert.notEqual(changed, configKeysTable(docs));
  });
});

import { operatorImagesOf } from "@homelab-observability/contract";
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { checkCacheDir, inputKey, verdictKey } from "../../checks/cache";
import { copyJson, renderedFilePieces, renderExport } from "../../synth/render/render";
import { DEFAULT_KUBE_VERSION, type RenderedFile } from "../../synth/render/types";
import type { StackExport } from "../../synth/synthesize";
import { synth, synthCli, tmpDir, withEnv } from "../support/helpers";
import { stableDir } from "../support/stableDir";

/**
 * A render asked for again in one process is copied from a tree kept for it (synth/render/render.ts
 * ownCopy) instead of parsed again: every call must still get what a parse gives, its own.
 */
describe("renderExport: each call's own copy of a render", () => {
  it("copies a parsed tree as JSON.parse makes it: keys in order, __proto__ an own key", () => {
    const text = '{"b":[1,{"__proto__":{"x":1},"2":null}],"a":{"c":"d"},"1":-0}';
    const parsed = JSON.parse(text);
    const copy = copyJson(parsed) as any;
    assert.equal(JSON.stringify(copy), JSON.stringify(parsed));
    assert.deepEqual(Object.keys(copy.b[1]), Object.keys(parsed.b[1]));
    assert.equal(Object.getPrototypeOf(copy.b[1]), Object.prototype);
    assert.ok(Object.is(copy["1"], -0));
    assert.notEqual(copy.a, parsed.a);
  });

  it("hands each call objects equal to a fresh parse, that no other call's changes reach", async () => {
    const exp: StackExport = JSON.parse(JSON.stringify((await synth("pi")).export));
    // One release (Vector's) is enough, and renders in a fraction of the stack's time.
    exp.deployment.resources = exp.deployment.resources.filter(
      (x) => x.type !== "kubernetes:helm.sh/v3:Release" || x.inputs.chart === "vector",
    );
    const first = await renderExport(exp);
    const expected = JSON.stringify(first);
    assert.ok(first.some((x) => x.objects.length > 0));
    // The first call parses; the second keeps the parsed tree and hands out a copy; later ones
    // copy the kept tree. Each call's objects are changed after it: no later call may see that.
    let before = first;
    for (let call = 2; call <= 4; call++) {
      const now = await renderExport(exp);
      assert.equal(JSON.stringify(now), expected, `call ${call}`);
      now.forEach((render, i) => render.objects.forEach((o, j) => assert.notEqual(o, before[i].objects[j])));
      for (const render of now) {
        render.sources.push("changed");
        for (const o of render.objects) {
          o.metadata.labels = { ...o.metadata.labels, changed: "yes" };
          for (const v of Object.values(o)) if (v && typeof v === "object") v.changed = true;
        }
      }
      before = now;
    }
  });

  it("shares each CRD version's schema, frozen, between the calls after the first: changing it throws and reaches no one", async () => {
    const exp: StackExport = JSON.parse(JSON.stringify((await synth("pi")).export));
    // The CRDs-only chart: every object a CustomResourceDefinition.
    exp.deployment.resources = exp.deployment.resources.filter(
      (x) => x.type !== "kubernetes:helm.sh/v3:Release" || x.inputs.chart === "prometheus-operator-crds",
    );
    const first = await renderExport(exp);
    const expected = JSON.stringify(first);
    const crds = (rs: typeof first) =>
      rs.flatMap((r) => r.objects).filter((o) => o.kind === "CustomResourceDefinition");
    assert.ok(crds(first).length > 0);
    const [second, third] = [await renderExport(exp), await renderExport(exp)];
    for (const now of [second, third]) assert.equal(JSON.stringify(now), expected);
    crds(third).forEach((o, i) => {
      const [was, schema] = [crds(second)[i], o.spec.versions[0].schema];
      assert.equal(schema, was.spec.versions[0].schema, `${o.metadata.name}: the schema is shared`);
      assert.notEqual(o, was);
      assert.notEqual(o.spec, was.spec);
      assert.ok(Object.isFrozen(schema.openAPIV3Schema.properties));
      assert.throws(() => {
        schema.openAPIV3Schema.changed = true;
      }, TypeError);
      // The rest of the object is this call's own to change.
      o.metadata.labels = { changed: "yes" };
      o.spec.changed = true;
    });
    assert.equal(JSON.stringify(await renderExport(exp)), expected);
  });

  it("writes the rendered file in pieces byte for byte as JSON.stringify, each shared schema encoded once, and keys the check cache as the whole text", async () => {
    const exp: StackExport = JSON.parse(JSON.stringify((await synth("pi")).export));
    exp.deployment.resources = exp.deployment.resources.filter(
      (x) => x.type !== "kubernetes:helm.sh/v3:Release" || x.inputs.chart === "prometheus-operator-crds",
    );
    const file = (releases: RenderedFile["releases"]): RenderedFile => ({
      kubeVersion: DEFAULT_KUBE_VERSION,
      releases,
      raw: [],
    });
    await renderExport(exp); // the first call parses; the later ones share the schemas
    const [a, b] = [file(await renderExport(exp)), file(await renderExport(exp))];
    const [pa, pb] = [renderedFilePieces(a), renderedFilePieces(b)];
    for (const [r, p] of [
      [a, pa],
      [b, pb],
    ] as const)
      assert.ok(Buffer.concat(p.map((x) => Buffer.from(x))).equals(Buffer.from(JSON.stringify(r))));
    const shared = (p: (string | Buffer)[]) => p.filter((x): x is Buffer => Buffer.isBuffer(x));
    assert.ok(shared(pa).length > 0, "the shared schemas are pieces of their own");
    shared(pb).forEach((bytes, i) => assert.equal(bytes, shared(pa)[i], "encoded once"));
    // The check cache's key of the pieces is the whole text's: it changes whenever the text does.
    const key = (text: string | (string | Buffer)[]) => inputKey([], [], {}, text);
    assert.equal(key(pa), key(JSON.stringify(a)));
    const crd = (r: RenderedFile) => r.releases.flatMap((x) => x.objects).find((o) => o.spec?.versions)!;
    // A field beside the schemas, then one schema replaced by a changed copy (not shared: written anew).
    crd(b).metadata.labels = { changed: "yes" };
    const changedBeside = renderedFilePieces(b);
    assert.notEqual(key(changedBeside), key(pa));
    assert.equal(key(changedBeside), key(JSON.stringify(b)));
    const [v] = crd(a).spec.versions;
    const schema = structuredClone(v.schema);
    schema.openAPIV3Schema.description = `${schema.openAPIV3Schema.description ?? ""} changed`;
    crd(a).spec.versions = [{ ...v, schema }, ...crd(a).spec.versions.slice(1)];
    const changedSchema = renderedFilePieces(a);
    assert.notEqual(key(changedSchema), key(pb));
    assert.equal(key(changedSchema), key(JSON.stringify(a)));
  });

  it("synth keys the check cache by the texts it wrote: the rendered file's and the export file's, with the import IDs that file leaves out", async () => {
    const out = tmpDir("check-key");
    const synthTakeover = async () => {
      const r = await synthCli("--stack", "takeover", "--out", out, "--quiet");
      assert.equal(r.status, 0, r.stdout + r.stderr);
    };
    await synthTakeover();
    const text = (name: string) => fs.readFileSync(path.join(out, name), "utf8").replace(/\n$/, "");
    const importIds = (await synth("takeover")).export.deployment.resources.map((x) => x.importId ?? null);
    assert.ok(
      importIds.some((id) => id !== null),
      "takeover adopts resources",
    );
    // The options synth checks with: no --policy-config, so the default operator images (secret-read).
    const key = inputKey(
      [],
      [],
      { operatorImages: operatorImagesOf(undefined) },
      text("takeover.rendered.json"),
      [text("takeover.json"), JSON.stringify(importIds)],
    );
    // That verdict alone in a cache of its own: a run keyed so reads it and adds no verdict (a run
    // keyed otherwise would check afresh and write its own). The same folder every run: the
    // synthesis' fixture key holds HOMELAB_* variables.
    const manifest = path.join(checkCacheDir(), `${key}.deps.json`);
    assert.ok(fs.existsSync(manifest), `the manifest of ${key}`);
    const verdict = `${verdictKey(key, JSON.parse(fs.readFileSync(manifest, "utf8")).files)}.json`;
    const own = stableDir("check-key-cache");
    fs.rmSync(own, { recursive: true, force: true });
    fs.mkdirSync(own, { recursive: true });
    fs.copyFileSync(manifest, path.join(own, path.basename(manifest)));
    fs.copyFileSync(path.join(checkCacheDir(), verdict), path.join(own, verdict));
    await withEnv({ HOMELAB_CHECK_CACHE: own }, synthTakeover);
    const kept = fs.readdirSync(own).filter((f) => f.endsWith(".json"));
    assert.deepEqual(kept.sort(), [path.basename(manifest), verdict].sort());
  });
});

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { BACKENDS, LOG_AGENTS } from "../../model/phases";
import { PROFILES } from "../../model/sizing";
import { PURPOSES } from "../../model/storage";
import { ROOT } from "../support/helpers";
import { sourceFiles } from "../support/layout";

/** Every source file (all rooms) with its text, comments removed: a comment may name a fact. */
function code(): [string, string][] {
  return sourceFiles(ROOT).map((f) => [
    f,
    fs
      .readFileSync(path.join(ROOT, f), "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/(^|[^:"'`])\/\/.*$/gm, "$1"),
  ]);
}

/** Test files too (helpers and tests restate no fact either). */
function testFiles(dir = "test"): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return testFiles(rel);
    return e.name.endsWith(".ts") ? [rel] : [];
  });
}

/** The files, other than `home`, whose code matches `pattern`, with the first match. */
function restating(pattern: RegExp, home: readonly string[], files = code()): string[] {
  return files
    .filter(([f]) => !home.includes(f))
    .flatMap(([f, text]) => {
      const m = pattern.exec(text);
      return m ? [`${f}: ${m[0]}`] : [];
    });
}

const union = (values: readonly string[]) =>
  new RegExp(
    values.map((v) => `"${v}"`).join("\\s*\\|\\s*") + "|\\[\\s*" + values.map((v) => `"${v}"`).join(",\\s*"),
  );

describe("one fact, one place", () => {
  it("release names are written only in the release-name table (model/names.ts)", () => {
    // A release, a fullname override or the instance label the charts derive from the release: each
    // reads RELEASES. (A ServiceMonitor's `labels: { release: ... }` is a label, not a release name.)
    const pattern =
      /(?:^\s*|(?<!labels: )[{,]\s*)(release|fullnameOverride|"app\.kubernetes\.io\/instance")\s*:\s*["'`]/m;
    assert.deepEqual(restating(pattern, ["model/names.ts"]), []);
  });

  it("bucket purposes are listed only in model/storage.ts, and the schema's docs name the same ones", () => {
    assert.deepEqual(restating(/\[\s*"(chunks|blocks)",\s*"ruler"/, ["model/storage.ts"]), []);
    const schema = fs.readFileSync(path.join(ROOT, "config/schema.ts"), "utf8");
    for (const consumer of Object.keys(PURPOSES) as (keyof typeof PURPOSES)[]) {
      const m = new RegExp(`/\\*\\* \\w+'s existing buckets by purpose \\(([^)]*)\\)`).exec(
        schema.slice(
          schema.indexOf(`${consumer}: existingBuckets(`) - 200,
          schema.indexOf(`${consumer}: existingBuckets(`),
        ),
      );
      assert.ok(m, `config/schema.ts: no JSDoc naming ${consumer}'s purposes`);
      assert.deepEqual(m[1].split(", "), PURPOSES[consumer], `takeover.buckets.${consumer}'s JSDoc`);
    }
  });

  it("the Prometheus claim is named only in model/storage.ts", () => {
    assert.deepEqual(restating(/prometheus-0|-prometheus-db|"prometheus-db"/, ["model/storage.ts"]), []);
  });

  it("profiles, backends and log agents are spelled out only beside their types (model/)", () => {
    for (const [values, home] of [
      [PROFILES, "model/sizing.ts"],
      [BACKENDS, "model/phases.ts"],
      [LOG_AGENTS, "model/phases.ts"],
    ] as const) {
      const tests = testFiles().map(
        (f) => [f, fs.readFileSync(path.join(ROOT, f), "utf8")] as [string, string],
      );
      assert.deepEqual(restating(union(values), [home], [...code(), ...tests]), [], values.join(" | "));
    }
  });

  it("secret envelopes are recognised only in contract/secret.ts (one walker, everyone else calls it)", () => {
    const tests = testFiles()
      .filter((f) => f !== "test/project/facts.test.ts")
      .map((f) => [f, fs.readFileSync(path.join(ROOT, f), "utf8")] as [string, string]);
    const recognising = /\[SECRET_SIG_KEY\]\s*===|===\s*SECRET_SIG\b/;
    assert.deepEqual(restating(recognising, ["contract/secret.ts"], [...code(), ...tests]), []);
    // The signature's value itself: only the contract (its test pins it to Pulumi's).
    assert.deepEqual(restating(/4dabf18193072939515e22adb298388d/, ["contract/secret.ts"]), []);
  });
});

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { BACKENDS, LOG_AGENTS } from "../../model/phases";
import { PROFILES } from "../../model/sizing";
import { KNOWN_PURPOSES, PURPOSES } from "../../model/storage";
import {
  alertmanagerServices,
  lokiName,
  MIMIR_GOSSIP,
  mimirName,
  PORTS,
  prometheusName,
  vmName,
} from "../../model/services";
import { RELEASES } from "../../model/names";
import { ROOT } from "../support/helpers";
import { roomOf, sourceFiles } from "../support/layout";

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

/**
 * The program's files: what deploys. The pack imports only the contract and keeps its own model of
 * the charts (policy/lib); the preview's checks model what the operators create on their own, so
 * that a wrong fact in model/ shows up against them rather than agreeing with itself.
 */
const program = () =>
  code().filter(([f]) =>
    ["model", "config", "builders", "components", "plan", "apply", "index"].includes(roomOf(f) ?? ""),
  );

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Every port number model/services.ts gives, once. */
const portNumbers = (x: unknown): number[] =>
  typeof x === "number" ? [x] : Object.values(x as object).flatMap(portNumbers);

/**
 * What restating a Service name or port looks like: a name built from a release or a fullname
 * (`${RELEASES.mimir}-gossip`, `${fullname}-prometheus`, `vmstorage-${RELEASES.vm}`,
 * `${RELEASES.mimir}-${target}`), a name model/services.ts gives written out (release names aside:
 * the release-name test guards those), and one of its port numbers in a port field or after a host.
 */
const SERVICE_FACTS: [string, RegExp][] = [
  [
    "a Service name built from a release",
    /\$\{(?:RELEASES\.\w+|[^}]*[Ff]ullname[^}]*)\}-(?:gossip|prometheus|alertmanager|gateway|write|read|backend|\$\{)|-\$\{RELEASES\.\w+\}/,
  ],
  [
    "a Service name written out",
    new RegExp(
      `["'\`](?:${[
        ...(["write", "read", "backend"] as const).map((t) => mimirName(t)),
        MIMIR_GOSSIP,
        ...(["gateway", "write", "read", "backend"] as const).map((t) => lokiName(t)),
        prometheusName(),
        ...Object.values(alertmanagerServices()),
        ...["vmsingle", "vminsert", "vmselect", "vmstorage"].map(vmName),
      ]
        .filter((n) => !(Object.values(RELEASES) as string[]).includes(n))
        .map(escape)
        .join("|")})["'\`]`,
    ),
  ],
  [
    "a Service port",
    new RegExp(
      `(?:\\b\\w*(?:port|Port|PORT)\\s*[:=]\\s*|[}\\d]:)(?:${[...new Set(portNumbers(PORTS))].join("|")})\\b`,
    ),
  ],
];

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
      // A takeover may name every purpose a bucket ever had, the unused ones included.
      assert.deepEqual(m[1].split(", "), KNOWN_PURPOSES[consumer], `takeover.buckets.${consumer}'s JSDoc`);
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

  it("Service names and ports are written only in model/services.ts (every other room reads them there)", () => {
    const files = program();
    const found = SERVICE_FACTS.flatMap(([what, pattern]) =>
      restating(pattern, ["model/services.ts"], files).map((hit) => `${what}: ${hit}`),
    );
    assert.deepEqual(found, []);
  });

  it("the Service-fact patterns catch a restated name or port (each line as the code once had it)", () => {
    const planted = [
      "const GOSSIP = `${RELEASES.mimir}-gossip`;",
      'name: t === "all" ? RELEASES.mimir : `${RELEASES.mimir}-${t}`,',
      "workload: `vmstorage-${RELEASES.vm}`,",
      'const prometheus = at({ "operator.prometheus.io/name": `${n.kpsFullname}-prometheus` });',
      'export const ALERTMANAGER_JOBS = ["kps-alertmanager", RELEASES.alertmanager];',
      "server: { http_listen_port: MIMIR_HTTP_PORT, grpc_listen_port: 9095 },",
      '{ name: "memberlist", containerPort: 7946 },',
      "export const VECTOR_API_PORT = 8686;",
      "return `http://${svc(name, namespace)}:9093`;",
    ];
    for (const line of planted)
      assert.ok(
        SERVICE_FACTS.some(([, p]) => p.test(line)),
        `not caught: ${line}`,
      );
    // Names of other things that end alike are not Service names.
    for (const line of ["return { name: `${user}-prometheus` };", "const MAP = `${RELEASES.mimir}-config`;"])
      assert.ok(!SERVICE_FACTS.some(([, p]) => p.test(line)), `caught: ${line}`);
  });

  it("the part-of label is written only in builders/metadata.ts (every object reads PART_OF_LABEL)", () => {
    assert.deepEqual(restating(/["'`]app\.kubernetes\.io\/part-of["'`]/, ["builders/metadata.ts"]), []);
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

/**
 * Every place the program reads a user's JSON says a text that does not parse the same way:
 * `<file>:<line>:<column>: expected <form>, found <what is there>`, never a piece of the text.
 * Each broken file holds a secret-looking value at the mistake, and one beside it (V8's own
 * message quoted about ten characters either side of the mistake, so either one leaked).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { dashboardProblems } from "../../builders/grafana/dashboardCheck";
import { readExport } from "../../change/against";
import type { K8sObject, Placed } from "../../checks/objects";
import { checkVector } from "../../checks/vector";
import { versions } from "../../model/versions";
import { readPackConfig } from "../../synth/pack";
import { daemonSet, NS } from "../support/objects";
import { policyCheckCli, tmpDir } from "../support/helpers";
import { SECRET, holdsSecretPiece } from "../support/secretPieces";

/** `line:column` of the first `needle` in `text`, both from 1. */
function placeOf(text: string, needle: string): string {
  const before = text.slice(0, text.indexOf(needle));
  const lines = before.split("\n");
  return `${lines.length}:${lines[lines.length - 1].length + 1}`;
}

/** An export's first lines, a password in plain text (`pulumi stack export --show-secrets`). */
const HEAD = `{"version": 3, "deployment": {"resources": [\n  {"urn": "urn:pulumi:s::p::kubernetes:core/v1:Secret::s", "type": "kubernetes:core/v1:Secret",\n   "inputs": {"stringData": {"password": `;
/** The secret written bare, where a value is due: the mistake is the secret itself. */
const EXPORT_AT = `${HEAD}${SECRET}}}}\n]}}\n`;
/** The secret as a string, then a comma before `]` (the text's only one): the mistake is beside the secret. */
const EXPORT_BESIDE = `${HEAD}"${SECRET}"}}},\n]}}\n`;
/** Cut inside the secret: a truncated copy. */
const EXPORT_CUT = `${HEAD}"${SECRET}`;

const WORD = "a word where a value starts";

/** A file of `text` in a fresh folder. */
function written(name: string, text: string): string {
  const file = path.join(tmpDir("notjson"), name);
  fs.writeFileSync(file, text);
  return file;
}

function thrown(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  assert.fail("nothing thrown");
}

describe("a user's JSON that does not parse: placed, said in words, no piece of its text", function () {
  this.timeout(60_000);

  it("a pack config (--config, --policy-config)", () => {
    const cases: [string, string, string][] = [
      [`{\n  "all": "mandatory",\n  "token": ${SECRET}\n}\n`, SECRET, WORD],
      [`{\n  "token": "${SECRET}",\n  "all": ]\n}\n`, "]", "a ] where a value is due"],
    ];
    for (const [text, at, found] of cases) {
      const file = written("pack.json", text);
      const message = thrown(() => readPackConfig(file, () => undefined, "--config"));
      assert.ok(
        message.startsWith(
          `--config ${file}: ${file}:${placeOf(text, at)}: expected a JSON policy pack configuration, found ${found}`,
        ),
        message,
      );
      assert.ok(!holdsSecretPiece(message), message);
    }
  });

  it("policy:check: a stack export and the rendered objects beside one (exit 2, each on its line)", async () => {
    const dir = tmpDir("notjson-pc");
    const files: [string, string, string, string][] = [
      ["at.json", EXPORT_AT, SECRET, WORD],
      ["beside.json", EXPORT_BESIDE, "]", "a comma before ]"],
      ["cut.json", EXPORT_CUT, "", "the end of the file inside a string"],
    ];
    for (const [name, text] of files) fs.writeFileSync(path.join(dir, name), text);
    const good = path.join(dir, "good.json");
    fs.writeFileSync(good, JSON.stringify({ version: 3, deployment: { resources: [] } }));
    const renderedText = `{"releases": [{"values": {"adminPassword": ${SECRET}}}]}`;
    fs.writeFileSync(path.join(dir, "good.rendered.json"), renderedText);
    const r = await policyCheckCli([...files.map(([name]) => path.join(dir, name)), good]);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.ok(!holdsSecretPiece(r.stdout + r.stderr), r.stdout + r.stderr);
    const lines = r.stderr.split("\n");
    for (const [name, text, at, found] of files) {
      const file = path.join(dir, name);
      // A cut file ends where it is cut: its place is one past its last character.
      const place = at ? placeOf(text, at) : placeOf(`${text}\0`, "\0");
      const lead = `policy:check: ${file}:${place}: expected a stack export (JSON), found ${found}`;
      assert.ok(
        lines.some(
          (l) => l.startsWith(lead) && l.endsWith("; not judged (a truncated copy or a failed synth?)"),
        ),
        `${lead}\n${r.stderr}`,
      );
    }
    const rendered = path.join(dir, "good.rendered.json");
    assert.ok(
      lines.some((l) =>
        l.startsWith(
          `policy:check: ${rendered}:${placeOf(renderedText, SECRET)}: expected the rendered objects of ${good} (JSON, as npm run synth writes them), found ${WORD}`,
        ),
      ),
      r.stderr,
    );
  });

  it("synth --against: a stack export", () => {
    for (const [text, at, found] of [
      [EXPORT_AT, SECRET, WORD],
      [EXPORT_BESIDE, "]", "a comma before ]"],
    ]) {
      const file = written("prev.json", text);
      const message = thrown(() => readExport(file));
      const place = placeOf(text, at);
      assert.ok(
        message.startsWith(
          `--against ${file}: ${file}:${place}: expected a stack export (JSON), found ${found}`,
        ),
        message,
      );
      assert.ok(!holdsSecretPiece(message), message);
    }
  });

  it("a dashboard in a ConfigMap (a chart's extraObjects in the stack config)", () => {
    for (const [text, at, found] of [
      [`{"uid": "x",\n "apiKey": ${SECRET}}`, SECRET, WORD],
      [`{"uid": "x",\n "apiKey": "${SECRET}",}`, "}", "a comma before }"],
    ]) {
      const [p] = dashboardProblems(
        [{ where: "ConfigMap ns/mine (release grafana) a.json", text, annotations: {}, labels: {} }],
        undefined,
      );
      assert.ok(
        p.message.startsWith(`a.json:${placeOf(text, at)}: expected dashboard JSON, found ${found}`),
        p.message,
      );
      assert.ok(!holdsSecretPiece(p.message), p.message);
    }
  });

  it("a Vector config written as JSON (its sinks hold credentials)", () => {
    const ds = daemonSet("vector", 9090, false);
    ds.spec.template.spec.containers[0].image = `timberio/vector:${versions.images.vector.tag}`;
    ds.spec.template.spec.volumes = [{ name: "config", configMap: { name: "vector" } }];
    for (const [text, at, found] of [
      [`{"sinks": {"loki": {"auth": {"password": ${SECRET}}}}}`, SECRET, WORD],
      [`{"sinks": {"loki": {"auth": {"password": "${SECRET}",}}}}`, "}", "a comma before }"],
    ]) {
      const cm: K8sObject = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "vector", namespace: NS },
        data: { "vector.json": text },
      };
      const placed: Placed[] = [
        { obj: cm, urn: "urn:vector", source: "release vector" },
        { obj: ds, urn: "urn:vector", source: "release vector" },
      ];
      const [f] = checkVector(placed).findings;
      assert.ok(
        f.message.startsWith(
          `Vector cannot parse its config: vector.json:${placeOf(text, at)}: expected a Vector config (JSON), found ${found}`,
        ),
        f.message,
      );
      assert.ok(!holdsSecretPiece(f.message), f.message);
    }
  });
});

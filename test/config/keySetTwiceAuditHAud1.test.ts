/**
 * A key written both namespaced and bare under `config:` is one key to the Pulumi CLI (a bare key
 * is the project's), which keeps either value at random: the stack file is refused, once, at the
 * bare line, naming both and showing neither value, and each value is judged at its own line.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../support/helpers";
import { BASE, P, refusal, STORE } from "../support/stackText";

const staging = fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8");

describe("a key set both namespaced and bare", () => {
  it("is refused once, at the bare key's line, naming both spellings", () => {
    const text = staging.replace(
      "  homelab-observability:phase: kps-removed\n",
      "  homelab-observability:phase: kps-removed\n  phase: dual-write\n",
    );
    const e = refusal(text);
    const mine = e.problems.filter((p) => p.includes("set twice"));
    assert.equal(mine.length, 1, e.message);
    assert.match(
      mine[0],
      /^homelab-observability:phase: set twice .*"homelab-observability:phase".*"phase"/,
      e.message,
    );
    const i = e.problems.indexOf(mine[0]);
    const line = text.split("\n").indexOf("  phase: dual-write") + 1;
    assert.equal(e.places[i]?.line, line, e.message);
  });

  it("judges both values, each at its own line: the CLI keeps either", () => {
    const text = staging.replace(
      "  homelab-observability:phase: kps-removed\n",
      "  homelab-observability:phase: kps-remove\n  phase: kps-removed\n",
    );
    const e = refusal(text);
    const typo = e.problems.indexOf(
      'homelab-observability:phase: expected one of loki-fixed | dual-write | backend-primary | kps-removed, got string "kps-remove"; did you mean "kps-removed"?',
    );
    assert.ok(typo >= 0, e.message);
    const line = text.split("\n").indexOf("  homelab-observability:phase: kps-remove") + 1;
    assert.equal(e.places[typo]?.line, line, e.message);
    assert.equal(e.problems.filter((p) => p.includes("set twice")).length, 1, e.message);
  });

  // Under the bare `profile: standard` the `victoriametrics` key is refused (mimir is standard's
  // backend), under `lightweight` it is right: which holds is the CLI's pick, the set-twice line's
  // to settle, not a second mistake with a fix of its own.
  it("says nothing a rule refuses under one of the two values only", () => {
    const text = `${BASE}${STORE}  ${P("profile")}: lightweight\n  ${P("victoriametrics")}:\n    retention: 14d\n  profile: standard\n`;
    const e = refusal(text);
    assert.equal(e.problems.length, 1, e.message);
    assert.match(e.problems[0], /^homelab-observability:profile: set twice /, e.message);
    assert.ok(
      e.notes.includes(
        "(the rules between keys (which keys need which) that read homelab-observability:profile are checked once it is set once: what they refuse under one of its two values and not the other follows from which value the Pulumi CLI keeps)",
      ),
      e.message,
    );
  });

  it("places a problem of the later value at its own line, not at the first's", () => {
    const text = `${staging.trimEnd()}\n  objectStore:\n    type: minio\n`;
    const e = refusal(text);
    const missing = e.problems.findIndex((p) =>
      p.startsWith("homelab-observability:objectStore.endpoint: required"),
    );
    assert.ok(missing >= 0, e.message);
    assert.equal(e.places[missing]?.line, text.split("\n").indexOf("  objectStore:") + 1, e.message);
  });

  it("never prints a secret key's values", () => {
    const text = staging.replace(
      "config:\n",
      "config:\n  minioAdminPassword: hunter2value\n  homelab-observability:minioAdminPassword: hunter3value\n",
    );
    const e = refusal(text);
    assert.ok(
      e.problems.some((p) => p.includes("set twice")),
      e.message,
    );
    assert.doesNotMatch(e.message, /hunter[23]value/);
  });

  // The CLI's own stage (a plain secret, an undecryptable value) judges each value too, whichever
  // comes first, and places each problem at the line of the value that has it.
  for (const [name, first, later] of [
    [
      "secure first, plain later",
      "homelab-observability:heartbeatUrl:\n    secure: v1:AAAABBBBCCCCdddd1234567890abcdef",
      "heartbeatUrl: https://hc-ping.com/SECRETTWO",
    ],
    [
      "plain first, secure later",
      "homelab-observability:heartbeatUrl: https://hc-ping.com/SECRETTWO",
      "heartbeatUrl:\n    secure: v1:AAAABBBBCCCCdddd1234567890abcdef",
    ],
  ])
    it(`says a set-twice secret's plain value and undecryptable value, each at its own line (${name})`, () => {
      const text = `${staging.trimEnd()}\n  ${first}\n  ${later}\n`;
      const lines = text.split("\n");
      const lineOf = (value: string) => lines.indexOf(`  ${value.split("\n")[0]}`) + 1;
      const plainAt = lineOf(first.includes("secure") ? later : first);
      const secureAt = lineOf(first.includes("secure") ? first : later);
      const e = refusal(text);
      const plain = e.problems.indexOf(
        "homelab-observability:heartbeatUrl: expected a secret (`pulumi config set --stack s --secret heartbeatUrl`), got a plain value in the stack file (not shown; anyone who reads the file has it)",
      );
      const unreadable = e.problems.indexOf(
        "homelab-observability:heartbeatUrl: the secure value is not Pulumi Cloud ciphertext (base64), and the stack file has no encryptionsalt (passphrase) or secretsprovider/encryptedkey, so the CLI cannot decrypt it (the value is not shown); set it again with `pulumi config set --stack s --secret heartbeatUrl`",
      );
      assert.ok(plain >= 0 && unreadable >= 0, e.message);
      assert.equal(e.places[plain]?.line, plainAt, e.message);
      assert.equal(e.places[unreadable]?.line, secureAt, e.message);
      assert.doesNotMatch(e.message, /SECRETTWO/);
    });
});

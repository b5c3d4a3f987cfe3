import { strict as assert } from "assert";
import { oneLinePerValue } from "../../config/errors";
import { receiverCredentialProblems } from "../../config/receiverSecrets";
import { BASE, P, RECEIVER, refusal, STORE } from "../support/stackText";

/** The problems and notes of one run over a stack file of `text` (the run must refuse it). */
function runOf(text: string): { problems: string[]; notes: string[] } {
  const e = refusal(text);
  return { problems: e.problems, notes: e.notes };
}

/*
 * One mistake in a stack file gets one message whose hint works when followed, and the notes
 * under the problems say only what happened, in the user's terms (config/stackCheck.ts).
 */

/** The steps that turn `receiverCredentials` of another form into the map it must be. */
const MAP_STEPS =
  "`pulumi config rm --stack s receiverCredentials`, then for each receiver `pulumi config set --stack s --secret --path 'receiverCredentials.NAME'` with NAME its name (it prompts for the value)";

describe("config: one message per mistake, true notes (config/stackCheck.ts)", function () {
  this.timeout(20000);

  it("a whole-value secure receiverCredentials is one problem whose hint makes it a map, readable or not", () => {
    // Not ciphertext of any backend, and well-formed Pulumi Cloud ciphertext: one secret text either way.
    for (const ciphertext of ["AAABAKxyz", "AAAABBBBCCCCDDDD"]) {
      const r = runOf(`${BASE}${STORE}${RECEIVER}  ${P("receiverCredentials")}:
    secure: ${ciphertext}
`);
      assert.equal(r.problems.length, 1, r.problems.join("\n"));
      assert.ok(r.problems[0].startsWith(`${P("receiverCredentials")}: `), r.problems[0]);
      assert.ok(r.problems[0].includes(MAP_STEPS), r.problems[0]);
      // Setting the whole key again writes one secret text: the very form refused.
      for (const line of [...r.problems, ...r.notes]) {
        assert.ok(!/--secret receiverCredentials(`|$)/.test(line), line);
        assert.ok(!line.includes(ciphertext), line);
      }
    }
  });

  it("a receiverCredentials read as no map (the program's own check) names the same steps", () => {
    const [problem, ...rest] = receiverCredentialProblems([], "invalid");
    assert.equal(rest.length, 0);
    assert.ok(
      problem.includes(
        "`pulumi config rm receiverCredentials`, then for each receiver `pulumi config set --secret --path 'receiverCredentials.NAME'` with NAME its name (it prompts for the value)",
      ),
      problem,
    );
  });

  it("a missing required key is not said to have run at its default", () => {
    const r = runOf(`config:
  ${P("phase")}: kps-removed
${STORE}`);
    assert.ok(
      r.problems.some((p) => p.startsWith(`${P("kubeContext")}: required`)),
      r.problems.join("\n"),
    );
    assert.ok(!r.notes.some((n) => n.includes(P("kubeContext"))), r.notes.join("\n"));
  });

  it("a refused key without a default is said to have been unset for the rules, one with a default to have run at it", () => {
    const r = runOf(`config:
  ${P("kubeContext")}: "admin @example"
  ${P("phase")}: kps-removed
${STORE}  ${P("loki")}:
    retention: 7days
`);
    assert.ok(
      r.notes.includes(
        `(the rules between keys (which keys need which) ran with ${P("loki.retention")} at its default and ${P("kubeContext")} unset, the values given being invalid)`,
      ),
      r.notes.join("\n"),
    );
  });

  it("the notes name no source file of the program", () => {
    const runs = [
      // A value left to its default for the rules between keys.
      runOf(`${BASE}${STORE}  ${P("loki")}:\n    retention: 7days\n`),
      // A required key refused: the rules cannot run.
      runOf(`config:\n  ${P("kubeContext")}: "a b"\n  ${P("phase")}: kps-removed\n${STORE}`),
      // A YAML slip.
      runOf(`${BASE}${STORE}  ${P("loki")}:\n    replicas: 1\n   retention: 7d\n`),
    ];
    const notes = runs.flatMap((r) => r.notes);
    assert.ok(
      notes.some((n) => n.includes("the rules between keys")),
      notes.join("\n"),
    );
    for (const n of notes) assert.doesNotMatch(n, /\b[\w/]+\.ts\b/, n);
  });
});

describe("config: one message per value written, whichever checks refuse parts of it", () => {
  // The schema refuses a URL's scheme and login, the rules between keys what follows its host and
  // its host: each a line at the same file:line, for one value the user wrote once.
  const url = (rest: string) => `${P("grafana.url")}: expected ${rest}`;
  it("says the problems at one key quoting one value as one, every expectation and hint in order", () => {
    assert.deepEqual(
      oneLinePerValue([
        url(
          'a URL with no credentials (it carries credentials), got string "ftp://<redacted>@h/p"; write https://',
        ),
        `${P("phase")}: expected one of a, b, got "c"`,
        url('a URL on host "g" (links use it), got "ftp://<redacted>@h/p"; set it to https://g'),
        url('a URL with no path, got "ftp://<redacted>@h/p" (it has a path); set it to https://g'),
      ]),
      [
        url(
          'a URL with no credentials (it carries credentials); a URL on host "g" (links use it); and a URL with no path (it has a path); got string "ftp://<redacted>@h/p"; write https://; set it to https://g',
        ),
        `${P("phase")}: expected one of a, b, got "c"`,
      ],
    );
  });

  it("keeps apart problems at another key or quoting another value", () => {
    const apart = [
      url('a URL with no path, got "https://g/p" (it has a path)'),
      url('a URL on host "g", got "https://h"'),
      `${P("objectStore.endpoint")}: expected a URL with no path, got "https://g/p"`,
    ];
    assert.deepEqual(oneLinePerValue(apart), apart);
  });
});

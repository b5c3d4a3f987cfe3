import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { checkedStackConfig } from "../../config/stackCheck";
import { closestMatch, ConfigError } from "../../config/errors";
import { PHASES, PROJECT } from "../../config/resolve";
import { ROOT, tmpDir } from "../support/helpers";
import { inCheckout } from "../support/stackText";

/*
 * Every problem of a stack file in one run (config/stackCheck.ts): the Pulumi CLI's own rules
 * (config/stackFile.ts), the schema (config/schema.ts) and the rules between keys
 * (config/resolve.ts) report together, each naming the key, the expected form and what was found.
 */
const P = (k: string) => `${PROJECT}:${k}`;

/** A project directory holding Pulumi.yaml and `Pulumi.s.yaml`: staging's file, edited. */
function stackFile(edit: (config: Record<string, any>) => void): string {
  const dir = tmpDir("stack-check");
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  const doc = parse(fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8"));
  edit(doc.config);
  fs.writeFileSync(path.join(dir, "Pulumi.s.yaml"), stringify(doc));
  return dir;
}

/** The problems of one run over the stack file (none: the config is valid). */
function problems(dir: string): { problems: string[]; notes: string[] } {
  try {
    checkedStackConfig(dir, "s", {}, { allowAbsentSecrets: true });
    return { problems: [], notes: [] };
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    const read = inCheckout(e, dir);
    return { problems: read.problems, notes: read.notes };
  }
}

describe("config: every problem of a stack file in one run (config/stackCheck.ts)", function () {
  this.timeout(30000);

  it("staging's own file has no problem", () => {
    assert.deepEqual(problems(stackFile(() => {})).problems, []);
  });

  it("a typo'd key, a wrong type and a missing required key are named together, each with its expected form", () => {
    const r = problems(
      stackFile((c) => {
        delete c[P("phase")];
        c[P("produciton")] = true;
        c[P("production")] = "maybe";
      }),
    );
    assert.equal(r.problems.length, 3, r.problems.join("\n"));
    const line = (re: RegExp) =>
      assert.ok(
        r.problems.some((p) => re.test(p)),
        `${re}\n${r.problems.join("\n")}`,
      );
    // The missing key names its allowed values (the phases, from the schema) and the command: a
    // fresh install's phase (the last) first, and the takeover's (the first) beside it.
    line(
      new RegExp(
        `^${P("phase")}: required .*expected one of ${PHASES.join(" \\| ")}, e\\.g\\. \`pulumi config set --stack s phase ${PHASES[PHASES.length - 1]}\` for a fresh install .*, or \`pulumi config set --stack s phase ${PHASES[0]}\` to take over a running kube-prometheus-stack .*, got nothing$`,
      ),
    );
    line(new RegExp(`^${P("production")}: expected true or false .*got string "maybe"$`));
    // The file sets production too: renamed, the key would be written twice.
    line(
      new RegExp(
        `^${P("produciton")}: unknown key; did you mean "production"\\? \\(${P("production")} is already set: move what this key holds into it, then remove this key\\)$`,
      ),
    );
    // The CLI's own first error stays, as a note.
    assert.ok(
      r.notes.some((n) => n.includes("is missing configuration value 'phase'")),
      r.notes.join("\n"),
    );
  });

  it("a duration given as a number names the form with an example (7d), and the number in the example's unit", () => {
    const r = problems(stackFile((c) => (c[P("loki")].retention = 7)));
    assert.deepEqual(r.problems, [
      `${P("loki.retention")}: expected a duration above zero like "7d" (whole number + ms|s|m|h|d|w|y, or several largest first as "1d12h"), got number 7; no unit is assumed: "7d" if 7 days are meant`,
    ]);
  });

  it("an unknown key gets the closest known key; a name far from all gets none", () => {
    assert.match(
      problems(stackFile((c) => (c[P("storageClass")] = { default: "x" }))).problems.join("\n"),
      /storageClass: unknown key; did you mean "storageClasses"\?/,
    );
    assert.equal(closestMatch("retension", ["retention", "replicas", "mode"]), "retention");
    assert.equal(closestMatch("zzzzzz", ["retention", "replicas", "mode"]), undefined);
  });

  it("a seven-mistake file lists all seven in one run, schema and cross-key rules included", () => {
    const r = problems(
      stackFile((c) => {
        c[P("production")] = "maybe"; // 1: the CLI's type rule (Pulumi.yaml: boolean)
        // 2: unknown top-level key, read as the namespace it means (the stack's, so 7 still holds)
        c[P("namespce")] = "monitoring";
        c[P("loki")].retention = 7; // 3: a duration as a number
        c[P("loki")].replicass = 2; // 4: unknown nested key
        c[P("profile")] = "lightwieght"; // 5: not an allowed value
        c[P("nodePools")].push({ ...c[P("nodePools")][0] }); // 6: two pools of one name (cross-key)
        c[P("agents")] = { namespace: "monitoring" }; // 7: agents in the stack's namespace (cross-key)
      }),
    );
    const expected = [
      /production: expected true or false/,
      /namespce: unknown key; did you mean "namespace"\?/,
      /loki.retention: expected a duration above zero like "7d"/,
      /loki.replicass: unknown key; did you mean "replicas"\?/,
      /profile: expected one of standard \| lightweight, got string "lightwieght"; did you mean "lightweight"\?/,
      /nodePools\[1\].name: expected a unique pool name, got duplicate "workers"/,
      /agents.namespace: expected a namespace other than the stack's "monitoring"/,
    ];
    for (const re of expected)
      assert.ok(
        r.problems.some((p) => re.test(p)),
        `${re} in ${r.problems.join(" / ")}`,
      );
    assert.equal(r.problems.length, 7, r.problems.join("\n"));
  });

  it("the rules between keys run beside the schema's problems (a broken optional key takes its default)", () => {
    const bad = problems(
      stackFile((c) => {
        c[P("loki")].retention = 7;
        c[P("kubeContext")] = "";
      }),
    );
    const alone = problems(stackFile((c) => (c[P("kubeContext")] = "")));
    assert.ok(alone.problems.length > 0, "an empty kubeContext is refused by some stage");
    for (const p of alone.problems) assert.ok(bad.problems.includes(p), `${p}\n${bad.problems.join("\n")}`);
    assert.equal(bad.problems.length, alone.problems.length + 1, bad.problems.join("\n"));
  });

  it("a bad value inside a key leaves its siblings to the rules between keys, and a note names it", () => {
    const r = problems(
      stackFile((c) => {
        c[P("loki")] = {
          ...c[P("loki")],
          mode: "SingleBinary",
          replicas: 1,
          replicationFactor: 3,
          retention: "7days",
        };
      }),
    );
    assert.ok(
      r.problems.some((p) => p.startsWith(`${P("loki.retention")}: expected a duration`)),
      r.problems.join("\n"),
    );
    assert.ok(
      r.problems.some((p) =>
        p.startsWith(`${P("loki.replicationFactor")}: expected at most loki.replicas (1)`),
      ),
      r.problems.join("\n"),
    );
    assert.ok(
      r.notes.some((n) => n.includes(`ran with ${P("loki.retention")} at its default`)),
      r.notes.join("\n"),
    );
  });

  it("a malformed encryptionsalt is named with its line and real form, beside the file's other problems", () => {
    const dir = stackFile((c) => (c[P("loki")].retention = "7days"));
    const file = path.join(dir, "Pulumi.s.yaml");
    // A 9-byte nonce: the form v1:<salt>:v1:<nonce>:<ciphertext> is there, the check's sizes are not.
    fs.writeFileSync(
      file,
      `encryptionsalt: v1:Zm9vYmFy:v1:abcdefabcdef:deadbeef\n${fs.readFileSync(file, "utf8")}`,
    );
    let error: ConfigError | undefined;
    try {
      checkedStackConfig(dir, "s", {}, { allowAbsentSecrets: true });
    } catch (e) {
      assert.ok(e instanceof ConfigError, String(e));
      error = e;
    }
    assert.ok(error, "the run fails");
    const i = error.problems.findIndex((p) => p.startsWith("encryptionsalt: "));
    assert.equal(
      error.problems[i],
      "encryptionsalt: expected v1:<base64 salt>:v1:<base64 12-byte nonce>:<base64 ciphertext of at least 16 bytes> (the passphrase's salt and check, as `pulumi stack init --secrets-provider passphrase` writes it; restore the line from version control), got a check whose nonce is 9 bytes, not 12",
    );
    assert.deepEqual([error.places[i]?.file, error.places[i]?.line], [file, 1]);
    assert.ok(
      error.problems.some((p) => p.startsWith(`${P("loki.retention")}: expected a duration`)),
      error.problems.join("\n"),
    );
  });

  it("a broken required key stops only the rules that read it, and a note says so", () => {
    // A value close to an allowed one is read as it (misspeltValueReadAsAudit.test.ts): this one is none.
    const r = problems(stackFile((c) => (c[P("phase")] = "production")));
    assert.match(r.problems.join("\n"), /phase: expected one of .*got string "production"$/m);
    assert.ok(
      r.notes.some((n) =>
        /rules between keys.* that read homelab-observability:phase are checked once it is valid; the others refuse nothing whatever its value\)$/.test(
          n,
        ),
      ),
      r.notes.join("\n"),
    );
  });

  it("a misspelt key the map lacks is read as it, in a map or a list's item: the rules beside it run in the same run", () => {
    const r = problems(
      stackFile((c) => {
        c[P("grafana")] = {
          ingress: { host: "grafana.example.net", controllerNamespace: "ingress-nginx" },
          httpRoute: { host: "grafana.example.net", parentRef: { nam: "gw", namespace: "gateways" } },
        };
        const [pool] = c[P("nodePools")];
        c[P("nodePools")] = [
          { ...pool, memroy: pool.memory, memory: undefined },
          { ...pool, count: 1 },
        ];
        delete c[P("nodePools")][0].memory;
      }),
    );
    const said = r.problems.join("\n");
    // The unknown keys, each once, with the key each means (its "required" said on the same line)...
    assert.match(said, /grafana\.httpRoute\.parentRef\.nam: unknown key; did you mean "name"\?/);
    assert.match(said, /nodePools\[0\]\.memroy: unknown key; did you mean "memory"\?/);
    // ...and what the rules between keys refuse beside them, which waited for the next run before.
    assert.match(
      said,
      /grafana\.httpRoute: expected either grafana\.ingress or grafana\.httpRoute, got both/,
    );
    assert.match(said, /nodePools\[1\]\.name: expected a unique pool name, got duplicate "workers"/);
    assert.equal(r.problems.length, 4, said);
    assert.ok(!r.notes.some((n) => /at (its|their) defaults?/.test(n)), r.notes.join("\n"));
  });

  it("the rules that hold whatever a refused phase is run in the same run: what they refuse under every phase is said", () => {
    const r = problems(
      stackFile((c) => {
        c[P("phase")] = "4";
        c[P("loki")] = { mode: "SimpleScalable", replicas: 1 };
      }),
    );
    assert.equal(r.problems.length, 2, r.problems.join("\n"));
    assert.match(
      r.problems[1],
      /^homelab-observability:loki\.replicas: expected no loki\.replicas in loki\.mode "SimpleScalable"/,
    );
    assert.ok(
      r.notes.some((n) => /the other problems above hold whatever its value\)$/.test(n)),
      r.notes.join("\n"),
    );
  });
});

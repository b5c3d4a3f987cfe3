import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { goFlagArgs, goFlagsGiven, type GoFlag, type GoFlagArgs } from "../../upstream/goflag";
import { prometheusOperatorFlags } from "../../upstream/prometheusOperatorScope";

/**
 * prometheus-operator, Loki and Mimir parse their flags with Go's standard flag package, which two
 * readers each half-modelled (only `-flag=value`; or `--flag v` taken whatever the flag's type).
 * data/flagParsers.jsonl holds, as `{tool: "prometheus-operator", args, answer}`, what a scratch Go
 * program (not kept) made of each command line with go1.26.8's flag package and prometheus-operator
 * v0.93.0's flags declared with their own types (cmd/operator/main.go:136-200 and the files it
 * registers from): the flags set with every value given, in order (a boolean's as Value.String()),
 * and the arguments after them; Go's error; or `exits: "help"` for ErrHelp. Two forms whose answer
 * is a value's own parse error (a duration, a float) were left out: the model does not judge those.
 */
type Answer =
  { flags: Record<string, string[]>; positional: string[] } | { refused: string } | { exits: "help" };
const cases: { args: string[]; answer: Answer }[] = fs
  .readFileSync(path.join(__dirname, "data", "flagParsers.jsonl"), "utf8")
  .split("\n")
  .filter((l) => l.trim() !== "")
  .map((l) => JSON.parse(l))
  .filter((c) => c.tool === "prometheus-operator");

const shown = (r: GoFlagArgs) =>
  "flags" in r ? { flags: Object.fromEntries(r.flags), positional: r.positional } : r;

describe("Go's flag package (upstream/goflag.ts) against go1.26.8's answers", () => {
  it("reads each prometheus-operator command line as Go did, errors word for word", () => {
    assert.ok(cases.length >= 50, `${cases.length} cases`);
    for (const c of cases)
      assert.deepEqual(
        shown(goFlagArgs(c.args, { flags: prometheusOperatorFlags().flags })),
        c.answer,
        JSON.stringify(c.args),
      );
  });

  it("holds the forms the two former readers got wrong", () => {
    const answer = (...args: string[]) =>
      cases.find((c) => JSON.stringify(c.args) === JSON.stringify(args))?.answer;
    // A value flag takes the next argument whatever it is; a boolean never does.
    assert.deepEqual(answer("--controller-id", "-namespaces=a"), {
      flags: { "controller-id": ["-namespaces=a"] },
      positional: [],
    });
    assert.deepEqual(answer("--tls-insecure", "false"), {
      flags: { "tls-insecure": ["true"] },
      positional: ["false"],
    });
    // The first non-flag and `--` end the flags.
    assert.deepEqual(answer("--namespaces=a", "--", "--deny-namespaces=b"), {
      flags: { namespaces: ["a"] },
      positional: ["--deny-namespaces=b"],
    });
    assert.deepEqual(answer("--namespaces"), { refused: "flag needs an argument: -namespaces" });
    assert.deepEqual(answer("-help=false"), { exits: "help" });
  });

  /**
   * Loki and Mimir declare hundreds of flags; a reader lists those it needs. A partial table must
   * never answer otherwise than Go would: on every case, with some of the operator's flags left
   * out, it says unknown, or reads the listed flags and the positional arguments as Go did, or
   * accepts a line Go refuses only for a flag it does not list.
   */
  it("with a partial table, answers as Go does for the flags it lists, or says it cannot tell", () => {
    const subsets: Record<string, GoFlag>[] = [
      { namespaces: "value", "deny-namespaces": "value", "controller-id": "value" },
      Object.fromEntries(Object.entries(prometheusOperatorFlags().flags).filter(([, k]) => k === "bool")),
      { "tls-insecure": "bool", namespaces: "value" },
    ];
    let known = 0;
    for (const flags of subsets)
      for (const c of cases) {
        const got = goFlagArgs(c.args, { flags, partial: true });
        const where = `${JSON.stringify(c.args)} with ${Object.keys(flags).join(",")}`;
        if ("unknown" in got) continue;
        known++;
        if ("flags" in got && "flags" in c.answer) {
          const answer = c.answer;
          for (const name of Object.keys(flags))
            assert.deepEqual(got.flags.get(name), answer.flags[name], where);
          assert.deepEqual(got.positional, answer.positional, where);
        } else if ("flags" in got) {
          // Go's words name the flag: "not defined: -x", "invalid boolean value ... for -x".
          const refused = "refused" in c.answer ? c.answer.refused : "";
          const m = /defined: -(.*)$|for -(.*?): parse error$/.exec(refused);
          const name = m?.[1] ?? m?.[2];
          assert.ok(name !== undefined && !(name in flags), `${where}: Go ${JSON.stringify(c.answer)}`);
        } else assert.deepEqual(shown(got), c.answer, where);
      }
    assert.ok(known >= 60, `${known} answers known`);
  });

  /** The engine-config check names the argument(s) each flag came from, and the one Go stopped at. */
  it("says which arguments each flag came from and the argument a refused line stops at", () => {
    const flags: Record<string, GoFlag> = { a: "value", b: "value", c: "bool" };
    assert.deepEqual(goFlagsGiven(["-a=1", "--b", "-c", "-c", "x", "-a=2"], { flags }), {
      read: {
        flags: new Map([
          ["a", ["1"]],
          ["b", ["-c"]],
          ["c", ["true"]],
        ]),
        positional: ["x", "-a=2"],
      },
      given: [
        { name: "a", value: "1", args: ["-a=1"] },
        { name: "b", value: "-c", args: ["--b", "-c"] },
        { name: "c", value: undefined, args: ["-c"] },
      ],
    });
    for (const [args, at] of [
      [["-a=1", "-z=2", "-b=3"], 1],
      [["-c", "-c=maybe"], 1],
      [["-b", "x", "-h"], 2],
      [["-a=1", "---b"], 1],
      [["-c", "-a"], 1],
    ] as const) {
      const r = goFlagsGiven(args, { flags });
      assert.equal(r.at, at, JSON.stringify(args));
      assert.equal(r.given.flatMap((g) => g.args).length, at, JSON.stringify(args));
    }
    // On every recorded case the flags given are the values Go set, each from its own argument(s).
    for (const c of cases) {
      const { read, given } = goFlagsGiven(c.args, { flags: prometheusOperatorFlags().flags });
      if (!("flags" in read)) continue;
      const set = new Map<string, (string | undefined)[]>();
      for (const g of given) set.set(g.name, [...(set.get(g.name) ?? []), g.value]);
      for (const [name, values] of read.flags) {
        const texts = set.get(name) ?? [];
        assert.equal(texts.length, values.length, `${name} in ${JSON.stringify(c.args)}`);
        if (prometheusOperatorFlags().flags[name] === "value") assert.deepEqual(texts, values);
      }
      assert.equal(set.size, read.flags.size);
    }
  });
});

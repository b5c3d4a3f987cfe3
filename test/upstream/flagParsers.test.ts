import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import {
  ALERTMANAGER_FLAGS,
  ALERTMANAGER_SHORTS,
  ALERTMANAGER_VALUES,
  CONFIG_RELOADER_FLAGS,
  CONFIG_RELOADER_VALUES,
  kingpinArgs,
  kingpinRun,
} from "../../upstream/kingpin";
import { ALLOY_RUN, cobraArgs } from "../../upstream/pflag";
import { mimirLoaderFlags } from "../../upstream/engines/references";

/**
 * Alertmanager reads its flags with kingpin v2.4.0 and `alloy run` with cobra v1.10.1 / pflag
 * v1.0.10, not Go's flag package: each was read as `-flag=value` pairs, so `--storage.path value`
 * left Alloy's storage path at the chart's earlier `--storage.path=`, and a repeated
 * `--storage.path=`, which Alertmanager refuses, was read as given. data/flagParsers.jsonl holds the
 * answers of a scratch Go program (not kept) built against those libraries at those versions, with
 * each program's flags declared as its source declares them (Alertmanager v0.28.1
 * cmd/alertmanager/main.go:146-187 with exporter-toolkit v0.13.2 and prometheus/common v0.61.0's
 * own; Alloy v1.12.0 internal/alloycli/cmd_run.go:113-173, 578-590): one JSON line per command
 * line, `{tool, args, answer}`. The models must answer each the same.
 */
type Answer = { flags: Record<string, string[]>; path?: string } | { refused: string } | { exited: true };
const cases: { tool: "alertmanager" | "alloy"; args: string[]; answer: Answer }[] = fs
  .readFileSync(path.join(__dirname, "data", "flagParsers.jsonl"), "utf8")
  .split("\n")
  .filter((l) => l.trim() !== "")
  .map((l) => JSON.parse(l));

describe("each program's flags read by its own parser (upstream/kingpin.ts, upstream/pflag.ts)", () => {
  it("reads Alertmanager's command lines as kingpin v2.4.0 did, refusals word for word", () => {
    const am = cases.filter((c) => c.tool === "alertmanager");
    assert.ok(am.length >= 20, `${am.length} Alertmanager cases`);
    for (const c of am) {
      const read = kingpinArgs(c.args, ALERTMANAGER_FLAGS, ALERTMANAGER_SHORTS);
      const got = "flags" in read ? { flags: Object.fromEntries(read.flags) } : read;
      assert.deepEqual(got, c.answer, JSON.stringify(c.args));
    }
  });

  it("reads `alloy run` command lines as cobra v1.10.1 and pflag v1.0.10 did: the last value of a flag, refusals word for word", () => {
    const alloy = cases.filter((c) => c.tool === "alloy");
    assert.ok(alloy.length >= 30, `${alloy.length} Alloy cases`);
    for (const c of alloy) {
      const read = cobraArgs(c.args, ALLOY_RUN);
      const got =
        "flags" in read
          ? {
              flags: Object.fromEntries([...read.flags.keys()].map((k) => [k, [read.flags.get(k)!.at(-1)]])),
              path: read.positional[0],
            }
          : "exits" in read
            ? { exited: true }
            : read;
      assert.deepEqual(got, c.answer, JSON.stringify(c.args));
    }
  });

  it("holds the forms that tell the parsers apart from Go's flag package", () => {
    const answer = (tool: string, ...args: string[]) =>
      cases.find((c) => c.tool === tool && JSON.stringify(c.args) === JSON.stringify(args))?.answer;
    // kingpin refuses a single-dash long flag and a repeated scalar flag; pflag takes the next argument as the value.
    assert.deepEqual(answer("alertmanager", "-config.file=/etc/am/a.yml"), {
      refused: "unknown short flag '-c'",
    });
    assert.deepEqual(
      answer("alertmanager", "--storage.path=/alertmanager", "--storage.path=/alertmanager/data"),
      {
        refused: "flag 'storage.path' cannot be repeated",
      },
    );
    assert.deepEqual(
      answer(
        "alloy",
        "run",
        "/etc/alloy/config.alloy",
        "--storage.path=/var/lib/alloy/data",
        "--storage.path",
        "/tmp/alloy",
      ),
      { flags: { "storage.path": ["/tmp/alloy"] }, path: "/etc/alloy/config.alloy" },
    );
    assert.deepEqual(answer("alloy", "run", "/etc/alloy/config.alloy", "-storage.path=/tmp/alloy"), {
      refused: "unknown shorthand flag: 's' in -storage.path=/tmp/alloy",
    });
  });

  /**
   * The Debian prometheus-alertmanager 0.25.0 binary (kingpin v2, run here): `-h` and
   * `--completion-bash` print and exit 0 before it starts; `--config.file /tmp/none.yml` and
   * `--no-web.systemd-socket` start it (it then stops on the missing file, exit 1, after its
   * "Starting Alertmanager" line); `-config.file=`, a repeated `--storage.path=` and
   * `--web.systemd-socket=false` exit 1 with the words the model gives.
   */
  it("says which kingpin flags make Alertmanager print and exit instead of starting", () => {
    const exit = (...args: string[]) => {
      const r = kingpinRun(args, {
        flags: ALERTMANAGER_FLAGS,
        shorts: ALERTMANAGER_SHORTS,
        preActions: ["version"],
      });
      return "exits" in r ? r.exits : "flags" in r ? undefined : r;
    };
    assert.equal(exit("-h"), "help");
    assert.equal(exit("--completion-bash"), "completion-bash");
    assert.equal(exit("--config.file=/a", "--version"), "version");
    assert.equal(exit("--config.file", "/tmp/none.yml", "--no-web.systemd-socket"), undefined);
  });

  /**
   * The same Debian binary: a flag with a PreAction (`--version` under kingpin.Version,
   * `--help-long`) prints and exits 0 when given at all, `--no-version` too, and before a parse
   * error later on the line; `--help` (even `--no-help`) exits 0 before a repeated flag is refused,
   * but not before a parse error. Each printed and exited 0 but `--bogus --version` and `-h --bogus`
   * (exit 1, "unknown long flag '--bogus'").
   */
  it("orders Alertmanager's exits and refusals as kingpin's Parse does", () => {
    const run = (...args: string[]) =>
      kingpinRun(args, { flags: ALERTMANAGER_FLAGS, shorts: ALERTMANAGER_SHORTS, preActions: ["version"] });
    assert.deepEqual(run("--version", "--bogus"), { exits: "version" });
    assert.deepEqual(run("--no-version"), { exits: "version" });
    assert.deepEqual(run("--no-help"), { exits: "help" });
    assert.deepEqual(run("--no-help-long"), { exits: "help-long" });
    assert.deepEqual(run("--storage.path=/a", "--storage.path=/b", "--help"), { exits: "help" });
    assert.deepEqual(run("--storage.path=/a", "--storage.path=/b", "--version"), { exits: "version" });
    assert.deepEqual(run("--version", "extra"), { exits: "version" });
    assert.deepEqual(run("--bogus", "--version"), { refused: "unknown long flag '--bogus'" });
    assert.deepEqual(run("-h", "--bogus"), { refused: "unknown long flag '--bogus'" });
    assert.deepEqual(run("--no-completion-bash", "--config.file=/a"), {
      flags: new Map([
        ["completion-bash", ["false"]],
        ["config.file", ["/a"]],
      ]),
    });
    // The reloader's --version and --short-version are plain booleans it reads after the parse.
    const reloader = (...args: string[]) =>
      kingpinRun(args, { flags: CONFIG_RELOADER_FLAGS, afterParse: ["version", "short-version"] });
    assert.deepEqual(reloader("--short-version"), { exits: "short-version" });
    assert.ok("flags" in reloader("--no-version", "--config-file=/a"));
    assert.deepEqual(reloader("--version", "--bogus"), { refused: "unknown long flag '--bogus'" });
  });

  /**
   * The values a flag's own Set refuses, which stop the program at start. data/flagParsers.jsonl
   * holds, as tools `alertmanager-log` and `reloader-enum`, what a scratch Go program (not kept) made
   * of each line with kingpin v2.4.0 and prometheus/common v0.61.0's promslog/flag `AddFlags` (the
   * flags Alertmanager v0.28.1 gets from it), and with the reloader's `--reload-method` declared as
   * cmd/prometheus-config-reloader/main.go:76 declares it (v0.93.0): Go's error, or the values set
   * (defaults beside the flags given, which the model does not hold).
   */
  it("refuses the log levels and formats Alertmanager refuses, and the reloader's --reload-method outside its enum, as Go did", () => {
    const tools = {
      "alertmanager-log": [ALERTMANAGER_FLAGS, ALERTMANAGER_VALUES],
      "reloader-enum": [CONFIG_RELOADER_FLAGS, CONFIG_RELOADER_VALUES],
    } as const;
    const valueCases: {
      tool: keyof typeof tools;
      args: string[];
      answer: { refused: string } | { values: Record<string, string> };
    }[] = cases.filter((c) => (c.tool as string) in tools) as any;
    assert.ok(valueCases.length >= 20, `${valueCases.length} cases`);
    for (const c of valueCases) {
      const [flags, values] = tools[c.tool];
      const read = kingpinArgs(c.args, flags, {}, values);
      const where = `${c.tool} ${JSON.stringify(c.args)}`;
      if ("refused" in c.answer) {
        assert.ok("refused" in read, where);
        assert.equal(read.refused, c.answer.refused, where);
        continue;
      }
      assert.ok("flags" in read, `${where}: ${JSON.stringify(read)}`);
      // Each flag given holds the value Go set (kingpin keeps the words as given: `DEBUG`).
      for (const [name, given] of read.flags) assert.equal(given.at(-1), c.answer.values[name], where);
    }
  });

  /**
   * Mimir 3.0.0 finds its config file in a first pass of its own (cmd/mimir/main.go:261-279), not
   * in its main parse: a `-config.file` after a non-flag was not read, so the config Mimir loads was
   * not judged (and its defaults were). data/flagParsers.jsonl holds, as tool `mimir-loader`, what
   * that function, copied into a scratch Go program (not kept) and run with go1.26.8's flag package,
   * set for each line: the file it loads ("" for none) and whether it expands it.
   */
  it("finds Mimir's config file and -config.expand-env as Mimir's first pass did, wherever they stand", () => {
    const loader = cases.filter((c) => (c.tool as string) === "mimir-loader") as unknown as {
      args: string[];
      answer: { file: string; expandEnv: boolean };
    }[];
    assert.ok(loader.length >= 20, `${loader.length} cases`);
    for (const c of loader) {
      const read = mimirLoaderFlags(c.args);
      const got = {
        file: read.get("config.file") ?? "",
        expandEnv: read.get("config.expand-env") === "true",
      };
      assert.deepEqual(got, c.answer, JSON.stringify(c.args));
    }
  });

  it("does not follow a command line that does not start with the subcommand", () => {
    assert.ok("unknown" in cobraArgs(["--storage.path=/a", "run", "/c"], ALLOY_RUN));
    assert.ok("unknown" in cobraArgs([], ALLOY_RUN));
  });
});

/**
 * One spec per command-line tool of the project (synth, policy:check, verify, bench): the parser,
 * `--help` and docs/reference/cli.md are all made from it, so a flag cannot be parsed without
 * being documented, nor documented without being parsed. test/project/docs.test.ts fails when the
 * generated reference is stale; test/project/readme.commands.test.ts checks the documents'
 * commands against the same specs.
 */
import { readFileSync } from "fs";
import { dirname, join } from "path";
import { closestMatch } from "../config/errors";
import {
  foundForValue,
  givenMoreThanOnce,
  needsValue,
  takesNoValue,
  timesGiven,
  unknownFlag,
} from "@homelab-observability/contract";
import { PHASES } from "../model/phases";
import { shellWord } from "../model/running";
import { withoutQueryCredentials } from "../model/secrets";
import { listed } from "../model/words";
import { AGREE_GATES } from "../verify/agreeGates";

export interface FlagSpec {
  /** `--name`. */
  name: string;
  /** Placeholder of its value (`<dir>`); absent for a switch. */
  value?: string;
  /** The value may be left out (`--check` or `--check=<names>`; only the `=` form carries one). */
  optionalValue?: boolean;
  /** May be given more than once. */
  repeat?: boolean;
  /** The command refuses to run without it: its usage shows it without brackets. */
  required?: boolean;
  /** Its value is a URL that may hold a login (`user:password@`): a message shows it without. */
  login?: boolean;
  /** What it does, and its default. */
  help: string;
}

export interface CliSpec {
  /** The npm script (`npm run <script>`). */
  script: string;
  /** One line: what the command does. */
  summary: string;
  /** Positional arguments, when the command takes any (`<export.json>...`). */
  positional?: { name: string; help: string };
  flags: FlagSpec[];
  /** Exit codes and what each means. */
  exits: [number, string][];
  /** Examples, each a full command line. */
  examples: string[];
}

const HELP: FlagSpec = { name: "--help", help: "Print this help and exit 0." };
const EXITS_PACK: [number, string][] = [
  [0, "clean: no mandatory policy violation"],
  [
    1,
    "a mandatory policy violation, a rendered-object problem, a Helm release that did not render, or a change --against or --running refuses",
  ],
  [
    2,
    "bad arguments, bad stack configuration, a chart archive missing from the chart cache or broken there, or a program error",
  ],
];

export const SYNTH: CliSpec = {
  script: "synth",
  summary:
    "Synthesizes stacks offline (no cluster, no Pulumi CLI): writes each stack's export, renders its Helm releases, checks the rendered objects and runs the policy pack.",
  flags: [
    {
      name: "--stack",
      value: "<name>",
      repeat: true,
      help: "The stack to synthesize (Pulumi.<name>.yaml); repeat for several.",
    },
    {
      name: "--all",
      help: "Every stack file of the project directory (or of Pulumi.yaml's stackConfigDir); none there is refused (exit 2).",
    },
    { name: "--out", value: "<dir>", help: 'Where the exports go. Default "out".' },
    {
      name: "--dir",
      value: "<project dir>",
      help: "The project directory (Pulumi.yaml and the stack files). Default: this checkout. Another folder is named in each `pulumi` command a message prints (`pulumi --cwd <dir> ...`): they are pasted here, where `npm run` runs.",
    },
    {
      name: "--policy-config",
      value: "<file.json>",
      help: "A policy pack config (as `pulumi up --policy-pack-config`): levels and limits per policy. What the engine would refuse exits 2; a key naming no policy or setting, which the engine ignores, is a warning. A rendered-object check that is a policy's judgement (secret-read of no-cluster-secret-read, nodes-proxy of no-nodes-proxy, seccomp of seccomp-runtime-default) takes that policy's level: disabled leaves it out (said once, naming the file), advisory reports its findings and fails nothing.",
    },
    {
      name: "--no-render",
      help: "Skip the Helm render and the rendered-object checks: no chart is needed, so it works offline without a chart cache. The pack then judges the export alone, and a <stack>.rendered.json an earlier run left in --out is removed (it rendered another synthesis). Not with --workloads, --against or --running, which need the render.",
    },
    {
      name: "--quiet",
      help: "Print only the summary and problems: no resource tree, no budget, no progress.",
    },
    {
      name: "--workloads",
      help: "Also print what each pod may do (privileges, host access, hardening). Needs the render.",
    },
    {
      name: "--against",
      value: "<export.json>",
      help: "Check the change from this stack's previous export (e.g. `pulumi stack export`) to this synthesis: every object created, imported, updated, replaced or deleted, each refused where the API server, Helm or the engine would refuse it (an immutable field changed, a protected resource deleted) or where it loses data (a stateful object replaced or deleted). Needs the render. One --stack.",
    },
    {
      name: "--running",
      value: "<dir>",
      help: "Check the change from what runs in the cluster, read from a folder of `helm get values` and `kubectl get` output (docs/how-to/check-a-change.md). One --stack.",
    },
    HELP,
  ],
  exits: EXITS_PACK,
  examples: [
    "npm run synth -- --stack production",
    "npm run synth -- --all --out out --quiet",
    "npm run synth -- --stack staging --no-render",
    "npm run synth -- --stack production --against previous/production.json",
  ],
};

export const POLICY_CHECK: CliSpec = {
  script: "policy:check",
  summary:
    "Runs the policy pack over stack exports (`pulumi stack export` or `npm run synth` output); a <stack>.rendered.json beside an export is judged with it. Given a folder or a pattern, it judges each stack export there and lists every other file with why it is skipped.",
  positional: {
    name: "<export.json, folder or pattern>...",
    help: "The exports to judge: files, folders (each `*.json` directly inside; any other file and each subfolder skipped with why) or patterns (`out/*.json`, `out/**/*.json` for every folder below, a link to a folder listed and not entered; quote them so the shell does not expand them). A broken link is skipped with why.",
  },
  flags: [
    {
      name: "--config",
      value: "<policy-config.json>",
      help: "A policy pack config (as `pulumi up --policy-pack-config`). What the engine would refuse exits 2; a key naming no policy or setting, which the engine ignores, is a warning.",
    },
    {
      name: "--dir",
      value: "<project dir>",
      help: "The project directory whose stack files place a refused key (`chartValues.<chart>.<path>`, `nodePools[i].taints`) at its `Pulumi.<stack>.yaml:<line>`, the stack being the one the export's URNs name. Default: this checkout, as synth. Without the file, with a key it no longer holds, or with a pool's key where it now holds another pool than the export's, the key is named without a place.",
    },
    HELP,
  ],
  // The pack only: the rendered objects beside an export are judged by the policies as resources;
  // the rendered-object checks (schemas, addresses, Pod Security) run in synth, which has them.
  exits: [
    [0, "clean: no mandatory policy violation"],
    [
      1,
      "a mandatory policy violation (the pack only: the rendered-object checks, such as Pod Security, run in `npm run synth`)",
    ],
    [
      2,
      "bad arguments, a named file, folder or pattern that gives nothing to judge or a .json file that is not JSON (every other one is still judged), a bad pack config, or a program error",
    ],
  ],
  examples: [
    "npm run policy:check -- out/production.json",
    "npm run policy:check -- out",
    "npm run policy:check -- 'out/prod*.json'",
    "npm run policy:check -- out/staging.json --config pack.json",
  ],
};

/** The gates whose checks read --window and --step (backend-agrees compares before them), in words. */
const AGREE_GATES_SAID = `--gate ${AGREE_GATES.join(" or ")} (Prometheus and the backend both run before them; before dual-write no backend runs)`;

export const VERIFY: CliSpec = {
  script: "verify",
  summary:
    "Asks the running stack's own APIs whether its phase works, and with --gate whether the next phase is safe. Reaches the cluster only through the stack's pinned kubeContext.",
  flags: [
    { name: "--stack", value: "<name>", required: true, help: "The stack to verify (required)." },
    {
      name: "--url",
      value: "<component>=<url>",
      repeat: true,
      login: true,
      help: "Reach a component at this URL instead of a kubectl port-forward (Mimir's and its ruler's base URLs, without /prometheus: verify adds it to reach their APIs). One per component; a component the stack never reads (the other metrics backend's, one its phase does not run: prometheus at kps-removed, the backend at loki-fixed; loki-ring without a Loki step --gate) is a bad argument.",
    },
    { name: "--json", help: "Print the report as JSON." },
    {
      name: "--move-from",
      value: "<S3 URL>",
      login: true,
      help: "With --move-to: compare every bucket the stack plans on the old object store (this S3 endpoint) and the new one, key by key (each object's key and size), and nothing else; keys from HOMELAB_MOVE_FROM_ACCESS_KEY_ID, HOMELAB_MOVE_FROM_SECRET_ACCESS_KEY, HOMELAB_MOVE_TO_ACCESS_KEY_ID, HOMELAB_MOVE_TO_SECRET_ACCESS_KEY (docs/how-to/move-to-garage.md). --gate, --url, --window, --step and --timeout are refused beside it.",
    },
    {
      name: "--move-to",
      value: "<S3 URL>",
      login: true,
      help: "The new object store's S3 endpoint (with --move-from).",
    },
    {
      name: "--gate",
      value: "<next-phase>",
      help: "Also judge whether the next phase is safe to apply; it must be the phase after the stack's. Or a Loki step, asked of Loki's ring: off SimpleScalable loki-join, loki-drain, loki-monolithic; a monolithic pod leaving (loki.replicas down by one, in Monolithic or on the way onto SimpleScalable) loki-scale-down, the last one with \"SimpleScalable\" loki-simple-scalable. It must be a step the stack file's Loki may take next.",
    },
    {
      name: "--window",
      value: "<duration>",
      help: `backend-agrees, so only with ${AGREE_GATES_SAID}: the longest window compared, ending 2m before now (default 1h; never longer than a dashboard's own range).`,
    },
    {
      name: "--step",
      value: "<duration>",
      help: `backend-agrees, so only with ${AGREE_GATES_SAID}: the step of every range query on both sides (default 1m); at most the window.`,
    },
    {
      name: "--timeout",
      value: "<duration>",
      help: "How long each request to the stack's APIs waits for an answer (default 10s): longer for a slow link to the cluster. (The move check gives each page of a bucket listing 60s.)",
    },
    {
      name: "--dir",
      value: "<project dir>",
      help: "The project directory (Pulumi.yaml and the stack files). Default: this checkout. Another folder is named in each `pulumi` command a message prints (`pulumi --cwd <dir> ...`): they are pasted here, where `npm run` runs.",
    },
    HELP,
  ],
  exits: [
    [0, "nothing failed (with --move-from: every bucket the same on both stores)"],
    [
      1,
      "a check failed (with --move-from: a bucket differs, or the old store has none of the stack's buckets)",
    ],
    [
      2,
      "bad arguments or configuration, the wrong kube context, or an unreachable cluster (with --move-from: the stores could not be compared, or the stack's objectStore.type is not one the check compares)",
    ],
  ],
  examples: [
    "npm run verify -- --stack production",
    // Each asks what its stack file's phase and Loki mode allow (test/cli/cliHelp.test.ts).
    `npm run verify -- --stack takeover --gate ${PHASES[1]} --json`,
    "npm run verify -- --stack production --gate loki-join",
  ],
};

export const BENCH: CliSpec = {
  script: "bench",
  summary:
    "Times the fast-feedback targets (synth, policy:check, re-render, the pack, the test suite warm and cold), each as a ratio to a fresh node's load of the six SDK modules measured in the same run, against its bound.",
  flags: [
    { name: "--runs", value: "<n>", help: "Samples per target (default 5, or $BENCH_RUNS)." },
    {
      name: "--check",
      value: "<names>",
      optionalValue: true,
      help: "Exit 1 when a target is missed: all targets, or with =<names> only those (synth, policy, render, pack, suite, suite-cold).",
    },
    {
      name: "--suite",
      help: "Run the test suite here (twice, with caches of its own: the first cold, the second warm) instead of reading the last npm test runs' records.",
    },
    {
      name: "--root",
      value: "<project dir>",
      help: "Time the npm commands of another checkout (a before/after comparison).",
    },
    {
      name: "--child-render",
      value: "<export.json>",
      help: "Internal: one render of an export, in the child process bench starts itself.",
    },
    HELP,
  ],
  exits: [
    [0, "done (and with --check every gated target met)"],
    [1, "a gated target missed"],
    [2, "bad arguments or a failed run"],
  ],
  examples: ["npm run bench -- --runs 5 --check", "npm run bench -- --check=synth,policy"],
};

export const CLIS: CliSpec[] = [SYNTH, POLICY_CHECK, VERIFY, BENCH];

/** Bad arguments (exit 2); the message names the flag and, for a typo, the closest one. */
export class CliArgsError extends Error {
  /** Each bad argument, one line each (the message is them joined). */
  readonly problems: string[];
  constructor(
    problems: string | string[],
    readonly spec: CliSpec,
  ) {
    const all = typeof problems === "string" ? [problems] : problems;
    super(all.join("\n"));
    this.problems = all;
    this.name = "CliArgsError";
  }

  /** Every problem on its own line, each led by `prefix` (the command's name). */
  lines(prefix: string): string {
    return this.problems.map((p) => `${prefix}: ${p}`).join("\n");
  }
}

/**
 * One bad argument: its message, and the flags it is about. A reader that asks which flag a problem
 * is about asks this, never the message: a message may name the flag that stood where a value was
 * due (`--gate needs a value (<next-phase>), got the flag --stack after it`) or quote a value that
 * holds a flag's name, a hint may show a command with flags the problem is not about (npm kept
 * --json: `npm run verify -- --json --stack s`), and a problem may be about a flag it does not lead
 * with (`unknown flag --outt; did you mean --out?`).
 */
export interface ArgProblem {
  /** The message, as printed. */
  text: string;
  /**
   * The flags it is about: the one given (`--out needs a value`), the one a misspelt flag, a flag
   * without its dashes or a bare stack name was meant to be (`--stak`, `stack s`, `production` for
   * `--stack production`), an unknown flag with none close as written, the flags npm kept; none
   * for a bare word meant for no flag or a problem about no flag.
   */
  flags: readonly string[];
  /**
   * The flag was given, spelt right, and what it was given is refused (no value, a value it takes
   * not, given twice): what was read of it is this problem's, not to be judged again.
   */
  valueRefused?: boolean;
}

/** A problem about `flags` ({@link ArgProblem}). */
export const argProblem = (text: string, ...flags: string[]): ArgProblem => ({ text, flags });

/**
 * The flags whose value a problem already refused (given twice, given without one): a command reads
 * no value of theirs, so that the flag's one mistake is its one message (docs/reference/cli.md).
 */
export const refusedValues = (problems: readonly ArgProblem[]): Set<string> =>
  new Set(problems.filter((p) => p.valueRefused).flatMap((p) => p.flags));

/** A problem about what the flag `flag`, given spelt right, was given. */
const valueProblem = (text: string, flag: string): ArgProblem => ({
  text,
  flags: [flag],
  valueRefused: true,
});

export interface ParsedArgs {
  /** Each flag given with a value, its values in order. */
  values: Map<string, string[]>;
  /** Switches given (and optional-value flags given without one). */
  switches: Set<string>;
  positional: string[];
  help: boolean;
}

/**
 * Shows a flag's value in a message with any `user:password@` of a URL taken out and any
 * credential-named query parameter's value `<redacted>` (model/secrets.ts withoutQueryCredentials).
 */
const shown = (v: string) => withoutQueryCredentials(v.replace(/\/\/[^/@\s]*@/g, "//<redacted>@"));

/**
 * A URL as messages show it, a flag's value ({@link FlagSpec.login}) or one verify refuses
 * (cli/verifyRun.ts): any `user:password@` taken out (or replaced by `mark`), with or without a
 * scheme (`admin:pw@grafana.lab` is a mistake that still holds a password), up to the last `@`: a
 * password may hold `/` or `@`, and a refused URL is not parsed, so nothing of the userinfo may be
 * told apart from the host. An `@` in a path costs the message only its readability. A
 * credential-named query parameter's value is `<redacted>` too (model/secrets.ts withoutQueryCredentials).
 */
export const withoutLogin = (url: string, mark = ""): string =>
  withoutQueryCredentials(url.replace(/^([A-Za-z][\w+.-]*:\/\/)?.*@/, `$1${mark}`));

/** How many times a word was given, as a message says it: "twice", "3 times" (the contract's). */
const twice = timesGiven;

/**
 * The refusal of a flag given more than once, naming what each one gave, in order, so the user
 * sees which to keep: a value quoted (a login left out, {@link withoutLogin}), an optional value's
 * flag as written (`--check`, `--check=synth`).
 */
function givenTwice(flag: FlagSpec, given: (string | undefined)[]): string {
  const each = given.map((v) => {
    const value = v === undefined ? undefined : flag.login ? withoutLogin(v, "<redacted>@") : shown(v);
    if (flag.optionalValue) return value === undefined ? flag.name : `${flag.name}=${value}`;
    return JSON.stringify(value);
  });
  return givenMoreThanOnce(flag.name, each);
}

/**
 * A bare word that is one of the tool's flags without its dashes (`stack s`, `stack=s`, `json`),
 * undefined for any other word. npm strips no dashes, so the flag was typed so: the word after it is
 * the value meant, and the hint must name that value, not the flag's name as a stack.
 */
function dashlessFlag(spec: CliSpec, word: string): FlagSpec | undefined {
  const name = `--${word.split("=")[0]}`;
  return spec.flags.find((f) => f.name === name);
}

/**
 * Whether a flag written without its dashes takes `next` as its value: the word after a flag that
 * takes one is what the operator meant it to take (`check synth`, for `--check=synth`, too).
 */
const takesNext = (flag: FlagSpec, word: string, next: string | undefined): next is string =>
  Boolean(flag.value) && !word.includes("=") && next !== undefined && !next.startsWith("-");

/** A flag written without its dashes at argv[at] (`stack`, `stack=s`), its value the word after it when `next`. */
interface Dashless {
  flag: FlagSpec;
  at: number;
  next: boolean;
}

/**
 * What the hint's command line does with the words the tool could not read ({@link writtenRight}):
 * one fix for the whole line, so that every message showing it shows the same command.
 */
interface LineFix {
  /** The flags written without their dashes. */
  dashless: Dashless[];
  /** The flags given spelt right, with their dashes, wherever they stand. */
  dashed: Set<FlagSpec>;
  /** Bare words read as a stack's name: written `--stack <word>`. */
  asStack: Set<number>;
  /** Bare words no flag can take: left out (each is refused in a message of its own). */
  stray: Set<number>;
  /**
   * A `stack` written without its dashes and without its value, whose value is a bare stack name
   * elsewhere on the line (`staging stack`): written nowhere itself, that word being `--stack <word>`.
   */
  valued: Set<Dashless>;
}

/**
 * A flag the command reads once: one taking a value and not repeatable is refused when given again
 * ({@link givenTwice}), and a switch given again changes nothing, so a hint writes neither twice.
 */
const takenOnce = (flag: FlagSpec) => !flag.repeat || !flag.value;

/**
 * The flags written without their dashes that a hint does not write: a flag read once and given
 * already, spelt right anywhere on the line or dashless before. `--stack staging stack` written
 * `--stack staging --stack` followed by a value is refused pasted, as `--stack` given twice.
 */
function givenAgain(fix: LineFix): Set<Dashless> {
  const had = new Set(fix.dashed);
  const again = new Set<Dashless>();
  for (const d of fix.dashless) {
    if (takenOnce(d.flag) && had.has(d.flag)) again.add(d);
    had.add(d.flag);
  }
  return again;
}

/** Whether a message shows `value` of `flag` only with a login taken out ({@link shown}, {@link withoutLogin}). */
const hidesLogin = (flag: FlagSpec | undefined, value: string): boolean =>
  shown(value) !== value || (Boolean(flag?.login) && withoutLogin(value) !== value);

/**
 * The whole command line written right, as the hint of a slip in its shape (a second `--`, flags
 * typed without their dashes, a bare word): every argument the user gave, in order, after one
 * `--`, each a shell word, each dashless flag with its dashes and its value, a stack's name with
 * its `--stack`. A pasted hint that dropped the rest of the command failed on what it dropped
 * (`policy:check -- out.json config pack.json` was told `npm run policy:check -- --config
 * pack.json`, which judges no export). What the tool would refuse again is left out and said to
 * be: a flag read once and given already ({@link givenAgain}), a word no flag takes. A dashless
 * flag whose value was not given goes last, "followed by" its value: a placeholder (`<name>`) in
 * a command is two redirections to a shell. A login in a URL is never shown, so a command line
 * holding one is said in words instead of written out without it.
 */
function writtenRight(spec: CliSpec, argv: string[], fix: LineFix): string {
  const again = givenAgain(fix);
  const words: string[] = [];
  const lacking: FlagSpec[] = [];
  const left: string[] = [];
  let login = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") continue;
    if (fix.stray.has(i) || fix.asStack.has(i)) {
      login ||= hidesLogin(undefined, a);
      if (fix.stray.has(i)) left.push(`"${shown(a)}"`);
      else words.push("--stack", a);
      continue;
    }
    const d = fix.dashless.find((x) => x.at === i);
    // Its value is a bare word elsewhere, which writes `--stack <word>` where it stands.
    if (d && fix.valued.has(d)) continue;
    if (!d) {
      // Each word as a flag's value: the flag before it, or its own `--flag=` part.
      const flag = spec.flags.find((f) => f.name === argv[i - 1] || a.startsWith(`${f.name}=`));
      login ||= hidesLogin(flag, a);
      words.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const given = eq > 0 ? a.slice(eq + 1) : d.next ? argv[++i] : undefined;
    if (again.has(d)) {
      left.push(...[a, ...(d.next ? [given!] : [])].map((w) => `"${shown(w)}"`));
      continue;
    }
    if (given === undefined) {
      if (d.flag.value && !d.flag.optionalValue) lacking.push(d.flag);
      else words.push(d.flag.name);
      continue;
    }
    login ||= hidesLogin(d.flag, given);
    // A value that may be left out is given only in the `=` form; one that may not is always shown.
    if (eq > 0 || d.flag.optionalValue) words.push(`${d.flag.name}=${given}`);
    else words.push(d.flag.name, given);
  }
  const valueOf = (f: FlagSpec) => `${f.name} and its value`;
  if (login) {
    const changes = [
      ...(argv.filter((a) => a === "--").length > 0 ? ["only its first `--`"] : []),
      ...(fix.valued.size > 0
        ? [`without ${listed([...fix.valued].map((d) => `"${shown(argv[d.at])}"`))}`]
        : []),
      ...fix.dashless
        .filter((d) => !again.has(d) && !fix.valued.has(d))
        .map(({ flag, at }) => {
          const shape = lacking.includes(flag) ? valueOf(flag) : flag.name;
          return `${shape} in place of "${shown(argv[at]).split("=")[0]}"`;
        }),
      ...[...fix.asStack].map((at) => `--stack before "${shown(argv[at])}"`),
      ...(left.length > 0 ? [`without ${listed(left)}`] : []),
    ];
    return `the same command with ${changes.join(" and ")}`;
  }
  const line = [...words, ...lacking.slice(0, 1).map((f) => f.name)].map((w) => shellWord(w));
  const written = `\`npm run ${spec.script}${line.length > 0 ? ` -- ${line.join(" ")}` : ""}\``;
  const lackingSaid = `${lacking.length > 0 ? " followed by its value" : ""}${lacking
    .slice(1)
    .map((f) => `, then ${valueOf(f)}`)
    .join("")}`;
  const leftSaid = left.length > 0 ? ` (the word${left.length > 1 ? "s" : ""} ${listed(left)} left out)` : "";
  return `${written}${lackingSaid}${leftSaid}`;
}

/**
 * The one refusal of every flag written without its dashes (`stack s`, `stack=s`, `json`), with
 * the whole command written right ({@link writtenRight}): one message, since the command it
 * shows fixes each of them. One that the command reads once and is given already is said to be.
 */
function dashlessProblem(spec: CliSpec, argv: string[], fix: LineFix): ArgProblem {
  const { dashless } = fix;
  const again = givenAgain(fix);
  const fresh = dashless.filter((d) => !again.has(d));
  // Each flag named once, with how many times it was written (`stack a stack b`: "--stack
  // twice"): "the flags --stack and --stack" read as two flags of one name.
  const times = new Map<FlagSpec, number>();
  for (const { flag } of fresh) times.set(flag, (times.get(flag) ?? 0) + 1);
  const many = times.size > 1;
  const written = new Map<string, number>();
  for (const { at } of dashless) written.set(shown(argv[at]), (written.get(shown(argv[at])) ?? 0) + 1);
  const words = listed([...written].map(([w, n]) => `"${w}"${n === 1 ? "" : ` (${twice(n)})`}`));
  const flags = listed([...times].map(([flag, n]) => (n === 1 ? flag.name : `${flag.name} ${twice(n)}`)));
  // The value due and not given is named by its placeholder in words, never in the command.
  const lackingValue = fresh.filter(
    (d) =>
      !d.next && !argv[d.at].includes("=") && d.flag.value && !d.flag.optionalValue && !fix.valued.has(d),
  );
  const values = [...new Set(lackingValue.map((d) => d.flag))]
    .map(
      (flag) =>
        ` and ${many ? `${flag.name}'s` : (times.get(flag) ?? 0) > 1 ? "each one's" : "its"} value, ${flag.value}`,
    )
    .join(",");
  const expected =
    fresh.length > 0 ? `expected the flag${many ? "s" : ""} ${flags} (flags start with \`--\`)${values}` : "";
  const repeated = [...new Set([...again].map((d) => d.flag))].map(
    (f) => `${f.name} is given already${f.value ? " and read once" : ""}`,
  );
  const said = [expected, ...(repeated.length > 0 ? [listed(repeated)] : [])].filter(Boolean).join("; ");
  return argProblem(
    `unexpected argument${dashless.length > 1 ? "s" : ""} ${words}: ${said}, like ${writtenRight(spec, argv, fix)}`,
    ...dashless.map(({ flag }) => flag.name),
  );
}

/**
 * Why a `--` among a tool's arguments is refused, and the command line written right
 * ({@link writtenRight}, which also gives any flag typed without its dashes them).
 */
function doubleDashProblem(spec: CliSpec, argv: string[], fix: LineFix): string {
  return `unexpected argument "--" (${spec.script} takes no "--": npm takes the first one and passes what follows it on, so write it once, ${writtenRight(spec, argv, fix)})`;
}

/** A bare word a stack's name may be (`staging`, `my-lab`): no path, no URL, no value with `=`. */
const STACK_WORD = /^[\w-]+$/;

/**
 * The {@link LineFix} of a tool's line: of its bare words (at `bare`), the ones read as a stack's
 * name, as many as the tool's `--stack` may still take (repeatable in synth; in verify one, and
 * none when `--stack` is given already, `--stack staging stack` or `--stack a b`), and the rest
 * left out. A `stack` without its dashes or its value (`staging stack`, `stack --json staging`)
 * takes the first bare stack name as it: that name was its value, not a second stack.
 */
function lineFix(spec: CliSpec, dashless: Dashless[], dashed: Set<FlagSpec>, bare: number[], argv: string[]) {
  const stack = spec.flags.find((f) => f.name === "--stack");
  const fix: LineFix = { dashless, dashed, asStack: new Set(), stray: new Set(), valued: new Set() };
  const again = givenAgain(fix);
  const unvalued = dashless.find(
    (d) => d.flag === stack && !d.next && !argv[d.at].includes("=") && !again.has(d),
  );
  const word = unvalued && bare.find((at) => STACK_WORD.test(argv[at]));
  if (unvalued && word !== undefined) {
    fix.valued.add(unvalued);
    fix.asStack.add(word);
  }
  const taken = (stack && dashed.has(stack)) || dashless.some((d) => d.flag === stack);
  let room = !stack ? 0 : stack.repeat ? bare.length : taken ? 0 : 1;
  for (const at of bare) {
    if (fix.asStack.has(at)) continue;
    if (room > 0 && STACK_WORD.test(argv[at])) {
      fix.asStack.add(at);
      room--;
    } else fix.stray.add(at);
  }
  return fix;
}

/**
 * A bare word given to a tool that takes only flags. The usual cause is npm's: `npm run synth
 * --stack staging` (no `--`) keeps `--stack` for npm's own config and passes `staging` alone. The
 * hint shows the whole line after `--`, the word as a stack where the tool's `--stack` may take it
 * ({@link lineFix}), else without it where it would be a stack's name but `--stack` is given.
 */
function unexpectedArgument(spec: CliSpec, argv: string[], at: number, fix: LineFix): ArgProblem {
  const word = argv[at];
  const asStack = fix.asStack.has(at);
  const stack = spec.flags.some((f) => f.name === "--stack");
  // Which flag a word that is no stack name was the value of is not known: the way to see them,
  // not a command holding a `<flags>` a shell reads as redirections.
  const flags = asStack
    ? `${spec.script} takes only flags; through npm they go after \`--\`, ${writtenRight(spec, argv, fix)}: before it npm takes them as its own and passes on only their values`
    : stack && STACK_WORD.test(word)
      ? `${spec.script} takes only flags, and --stack once: ${writtenRight(spec, argv, fix)}`
      : `${spec.script} takes only flags, which \`npm run ${spec.script} -- --help\` lists; through npm they go after \`--\`: before it npm takes them as its own and passes on only their values`;
  return argProblem(`unexpected argument "${shown(word)}" (${flags})`, ...(asStack ? ["--stack"] : []));
}

/**
 * npm's own config names among the tools' flags (`npm config ls -l`, npm 11): `npm run verify
 * --json` sets npm_config_json=true just as a `json=true` line in an .npmrc does, so they are read
 * as kept only when the config files npm read do not give them that value ({@link npmrcValue}):
 * then it came from the command line or the environment, which npm puts over every file.
 * `--quiet` is not seen: npm expands it to its loglevel, which .npmrc files and CI environments
 * set for npm's own sake.
 */
const NPM_OWN_CONFIG = new Set(["all", "json"]);

/**
 * The config files npm read for this run, from the variables npm itself exports to every script
 * (set-envs.js), in npm's order of precedence, the first winning (@npmcli/config: the project's
 * `.npmrc`, then the user's, the global and npm's builtin one). Undefined when
 * npm_config_userconfig is absent (a tool started by hand with a hand-made environment): then
 * which file set a name cannot be known, and npm's own names are not read.
 */
function npmrcFiles(env: NodeJS.ProcessEnv): string[] | undefined {
  if (!env.npm_config_userconfig) return undefined;
  return [
    env.npm_config_local_prefix && join(env.npm_config_local_prefix, ".npmrc"),
    env.npm_config_userconfig,
    env.npm_config_globalconfig,
    env.npm_execpath && join(dirname(dirname(env.npm_execpath)), "npmrc"),
  ].filter((f): f is string => Boolean(f));
}

/**
 * The value of the last line of `file` that sets `name` (`json=true`, `json = false`, a bare
 * `json`), as text: quotes taken off, an unquoted value cut at a `;` or `#` comment (the ini
 * format npm reads); undefined when no line sets it or the file cannot be read.
 */
function npmrcLine(file: string, name: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  const lines = [...text.matchAll(new RegExp(`^[ \\t]*${name}[ \\t]*(?:=(.*?))?\\r?$`, "gm"))];
  if (lines.length === 0) return undefined;
  const raw = (lines[lines.length - 1][1] ?? "").trim();
  const quoted = /^(["'])(.*)\1$/.exec(raw);
  return quoted ? quoted[2] : raw.replace(/[;#].*$/, "").trim();
}

/**
 * What npm's config files make of `name` for a switch: "true" (a bare line, an empty value and
 * `true` are all true to npm 11), or another value that is not the switch (`false`, `0`); the
 * first file in {@link npmrcFiles}'s order that sets it decides. A value npm would expand
 * (`${VAR}`) may be anything, so it counts as true. Undefined when no file sets it.
 */
function npmrcValue(files: string[], name: string): "true" | "other" | undefined {
  for (const f of files) {
    const v = npmrcLine(f, name);
    if (v === undefined) continue;
    return v === "" || v === "true" || v.includes("${") ? "true" : "other";
  }
  return undefined;
}

/**
 * npm's own switch `name` is true from the command line (or the environment): the config files
 * npm read do not make it true (none sets it, or the one that decides sets it false), and npm puts
 * both over every file, so a `json=false` line does not hide `npm run verify --json`.
 */
function npmOwnFromCommandLine(env: NodeJS.ProcessEnv, name: string): boolean {
  const files = npmrcFiles(env);
  return files !== undefined && npmrcValue(files, name) !== "true";
}

/** A flag of the tool npm kept for itself: the environment variable that shows it, and its value there. */
interface NpmKept {
  flag: FlagSpec;
  value: string;
  variable: string;
  /** One of npm's own names ({@link NPM_OWN_CONFIG}), which no npmrc of this run makes true. */
  npmOwn: boolean;
}

/**
 * The tool's own flags that npm kept for itself. npm (v7+) takes every flag before `--` as its own
 * config and hands the script each one that differs from npm's default as an environment variable,
 * `npm_config_<name>` with dashes as underscores (@npmcli/config set-envs.js): `--stack staging`
 * gives npm_config_stack=true and passes `staging` on as a bare word, `--config=x.json` gives
 * npm_config_config=x.json, `--no-render` npm_config_render="". Read only where it cannot misfire:
 * under `npm run <this script>` itself (npm_lifecycle_event; a tool run by a test under `npm test`
 * or by hand reads none), only the tool's own flag names, npm's own (above) only when no npmrc
 * makes them true. A name npm does not define still reaches the env from an .npmrc line, which npm
 * ignores, so the message says where else to look.
 */
function npmKeptFlags(spec: CliSpec, env: NodeJS.ProcessEnv): NpmKept[] {
  if (env.npm_lifecycle_event !== spec.script) return [];
  const kept: NpmKept[] = [];
  for (const flag of spec.flags) {
    if (flag === HELP) continue;
    const negated = !flag.value && flag.name.startsWith("--no-");
    const name = (negated ? flag.name.slice(5) : flag.name.slice(2)).replace(/-/g, "_");
    const variable = `npm_config_${name}`;
    const value = env[variable];
    if (value === undefined) continue;
    const npmOwn = NPM_OWN_CONFIG.has(name);
    // npm's own switches: only `true` is the flag (`--json=false` or an npmrc is not a kept --json).
    if (npmOwn && (value !== "true" || !npmOwnFromCommandLine(env, name))) continue;
    // nopt turns `--no-render` into render=false, which npm exports as "".
    if (negated ? value === "" : true) kept.push({ flag, value, variable, npmOwn });
  }
  return kept;
}

/**
 * The refusal for flags npm kept: each named with the variable that shows it, and the command
 * written right. A kept flag's value npm read as a switch (`true`) came on as a bare word: with
 * one such flag and one bare word to a tool that takes no others, the word is its value; otherwise
 * the flag shows its placeholder and the bare words are named.
 */
function npmKeptProblem(
  spec: CliSpec,
  argv: string[],
  kept: NpmKept[],
  strays: Set<number>,
  dashed: Set<FlagSpec>,
): ArgProblem {
  // The bare words no flag took: where a kept flag's value went.
  const bare = argv.filter((_, i) => strays.has(i));
  const swallowed = kept.filter((k) => k.flag.value && k.value === "true");
  const paired = !spec.positional && swallowed.length === 1 && bare.length === 1;
  // A kept flag read once and given after `--` too is not written again: pasted, the command would
  // be refused as that flag given twice (`npm run verify --stack x -- --stack staging`). The one
  // after `--` is kept, and the bare word that was the kept one's value left out.
  const again = kept.filter((k) => takenOnce(k.flag) && dashed.has(k.flag));
  const againSaid =
    again.length === 0
      ? ""
      : `, which keeps the ${listed(again.map((k) => k.flag.name))} given after \`--\` (read once)${paired && again.includes(swallowed[0]) ? `, the word "${shown(bare[0])}" left out` : ""}`;
  // Each form a flag and its value, each a shell word (model/running.ts shellWord): pasted, a value
  // with a space, a `$`, a `*` or a quote reaches the tool as the one word it was.
  const forms = kept.flatMap(({ flag, value }, n) => {
    if (again.includes(kept[n])) return [];
    if (!flag.value) return [flag.name];
    if (value === "true") return [`${flag.name} ${paired ? shellWord(shown(bare[0])) : flag.value}`];
    // A repeated flag's values are joined by a blank line (set-envs.js envVal).
    return value.split("\n\n").map((v) => `${flag.name} ${shellWord(shown(v))}`);
  });
  const rest = (spec.positional ? argv : argv.filter((_, i) => !strays.has(i))).map((a) =>
    shellWord(shown(a)),
  );
  const names = kept.map((k) => k.flag.name).join(", ");
  const vars = kept.map((k) => `${k.variable}=${JSON.stringify(shown(k.value))}`);
  // A value npm took as a switch went on as one of the bare words, which one is not known here: no
  // command to paste then, since a placeholder (`<policy-config.json>`) in one is two redirections
  // to a shell, the second of which writes over the next word's file (an export to judge).
  const unpaired = swallowed.some((k) => !again.includes(k)) && !paired;
  const them = swallowed.length === 1 ? "its value" : "their values";
  // A login is never shown, so a command holding one is said in words: pasted with `<redacted>` in
  // it, it would run with a URL that is not the user's.
  const login =
    kept.some(({ flag, value }) => value.split("\n\n").some((v) => hidesLogin(flag, v))) ||
    argv.some((a) => hidesLogin(undefined, a));
  const how = login
    ? `through npm the flags go after \`--\`: run the same command with ${listed(kept.map((k) => k.flag.name))}${kept.some((k) => k.flag.value) ? ` and what ${kept.length > 1 ? "they were" : "it was"} given` : ""} after its \`--\`${againSaid}`
    : unpaired
      ? `through npm the flags go after \`--\`: run \`npm run ${[spec.script, "--", ...forms.filter((f) => !swallowed.some((k) => f === `${k.flag.name} ${k.flag.value}`))].join(" ")}\` followed by ${swallowed.map((k) => k.flag.name).join(", ")} with ${them}, then the rest of the command${bare.length > 0 ? `; npm passed ${them} on as bare words among ${bare.map(shown).join(", ")}` : ""}`
      : `through npm the flags go after \`--\`, \`npm run ${spec.script} -- ${[...forms, ...rest].join(" ")}\`${againSaid}`;
  const own = kept.filter((k) => k.npmOwn).map((k) => k.variable.slice("npm_config_".length));
  // npm's own names were checked against the npmrc files: only the environment is left to name.
  const elsewhere =
    own.length === kept.length
      ? `no .npmrc sets ${own.join(" or ")} to true; if your environment sets ${own.map((n) => `npm_config_${n}`).join(" or ")}, unset it`
      : `or, if your .npmrc sets ${kept.length === 1 ? "that name" : "those names"}, remove ${kept.length === 1 ? "it" : "them"} there`;
  return argProblem(
    `npm kept ${names} for itself (${vars.join(", ")} in the environment) and ${spec.script} never saw ${kept.length === 1 ? "it" : "them"}: ${how} (${elsewhere})`,
    ...kept.map((k) => k.flag.name),
  );
}

/**
 * The refusal of a flag given without its value: the flag, the value's form, and what stood there
 * instead. A value that may be left out is given only after `=`, so the way out names both forms.
 */
function missingValue(flag: FlagSpec, found: string): ArgProblem {
  const alone = flag.optionalValue ? `; or give ${flag.name} alone` : "";
  return valueProblem(`${needsValue(flag.name, flag.value ?? "", found)}${alone}`, flag.name);
}

/**
 * {@link parseArgs} that reads on past a bad argument: what it could parse, every problem (as
 * printed, and in `argProblems` the same in order, each with the flags it is about), and the
 * bare words that may be the value of a flag npm kept (`npm run policy:check --config pack.json
 * out` passes `pack.json` and `out` on as bare words): the kept-flag problem names them, so a tool
 * that reads bare words as its input must not judge them again as a second mistake.
 */
export function parseArgsAll(
  spec: CliSpec,
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  /**
   * Of a tool that takes words (policy:check's files), whether a word gives it something to read:
   * one that does not and is a flag's name without its dashes (`config pack.json`) is that flag
   * mistyped, said as synth and verify say it, not as a path that names nothing.
   */
  isInput?: (word: string) => boolean,
): { parsed: ParsedArgs; problems: string[]; argProblems: ArgProblem[]; keptValues: Set<string> } {
  const out: ParsedArgs = { values: new Map(), switches: new Set(), positional: [], help: false };
  const problems: ArgProblem[] = [];
  const kept = npmKeptFlags(spec, env);
  const strays = new Set<number>();
  const known = spec.flags.map((f) => f.name);
  // What each flag taken once was given, in order (undefined: an optional value left out), and
  // its one refusal once it is given again: the values are named when the run's flags are read.
  const given = new Map<FlagSpec, (string | undefined)[]>();
  const twice = new Map<FlagSpec, ArgProblem>();
  // The flags typed without their dashes, and a second `--`: one message each, whatever the count.
  const dashlessFlags: Dashless[] = [];
  // The bare words no flag took, each refused with the hints' command line ({@link lineFix}).
  const bare = new Map<number, ArgProblem>();
  const dashlessAll = argProblem("");
  const doubleDash = argProblem("");
  const giveOnce = (flag: FlagSpec, v: string | undefined): boolean => {
    const before = given.get(flag) ?? [];
    given.set(flag, [...before, v]);
    if (before.length === 0) return true;
    if (!twice.has(flag)) {
      twice.set(flag, valueProblem("", flag.name));
      problems.push(twice.get(flag)!);
    }
    return false;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") {
      out.help = true;
      continue;
    }
    if (!a.startsWith("-") || a === "-") {
      strays.add(i);
      const dashless =
        kept.length > 0 || (spec.positional && (!isInput || isInput(a))) ? undefined : dashlessFlag(spec, a);
      if (spec.positional && !dashless) out.positional.push(a);
      else if (dashless) {
        // `stack s`: one mistake, the flag's dashes; the word after it is its value, not a stray.
        const next = takesNext(dashless, a, argv[i + 1]);
        dashlessFlags.push({ flag: dashless, at: i, next });
        if (next) i++;
        // Every such flag is one message, where the first stood: its command fixes them all.
        if (dashlessFlags.length === 1) problems.push(dashlessAll);
      } else if (kept.length === 0) bare.set(i, argProblem(""));
      if (bare.has(i)) problems.push(bare.get(i)!);
      continue;
    }
    if (a === "--") {
      // No flag is near it, and `unknown flag --` says nothing of the cause: a second `--` of an
      // npm command line (npm takes the first and passes the rest on), or an end of flags no
      // tool here needs (none takes a word starting with "-").
      if (!problems.includes(doubleDash)) problems.push(doubleDash);
      continue;
    }
    const eq = a.indexOf("=");
    const name = eq > 0 ? a.slice(0, eq) : a;
    const flag = spec.flags.find((f) => f.name === name);
    if (!flag) {
      // About the flag it was meant to be, or, with none close, the one written.
      const meant = closestMatch(name, known);
      problems.push(argProblem(unknownFlag(name, meant), meant ?? name));
      // The word after a misspelt flag (`--stak production`) is its value, not a mistake of its own
      // nor an input to judge (`policy:check out --confg pack.json`). Where bare words are the
      // command's inputs, only a flag meant that takes a value took it.
      const tookValue = !spec.positional || Boolean(spec.flags.find((f) => f.name === meant)?.value);
      if (eq < 0 && tookValue && argv[i + 1] !== undefined && !argv[i + 1].startsWith("-")) i++;
      continue;
    }
    if (!flag.value) {
      if (eq > 0)
        problems.push(valueProblem(takesNoValue(name, JSON.stringify(shown(a.slice(eq + 1)))), name));
      else out.switches.add(name);
      continue;
    }
    let v: string | undefined;
    if (eq > 0) v = a.slice(eq + 1);
    else if (flag.optionalValue) {
      // `--check --check=synth`: given twice, as `--check=a --check=b` is, not one silently dropped.
      if (flag.repeat || giveOnce(flag, undefined)) out.switches.add(name);
      continue;
    } else {
      v = argv[i + 1];
      if (v === undefined || v.startsWith("--")) {
        problems.push(missingValue(flag, foundForValue("next", v)));
        continue;
      }
      i++;
    }
    // An empty value (`--out=`, `--config ""`, a variable that expanded to nothing) is no value: read
    // on, it would be taken as the flag left out (`--config=` judging with no pack config) or as an
    // empty name (`--stack=` looking for Pulumi..yaml).
    if (v === "") {
      problems.push(missingValue(flag, foundForValue(eq > 0 ? "=" : "next", "")));
      continue;
    }
    if (flag.repeat || giveOnce(flag, v)) out.values.set(name, [...(out.values.get(name) ?? []), v]);
  }
  for (const [flag, problem] of twice) problem.text = givenTwice(flag, given.get(flag)!);
  const dashed = readFlags(spec, out, given);
  sayWholeLine(spec, argv, { dashless: dashlessFlags, dashed, bare, dashlessAll, doubleDash });
  // Flags npm kept explain the bare words they left: one message, first, not one per word.
  if (kept.length > 0) problems.unshift(npmKeptProblem(spec, argv, kept, strays, dashed));
  // Which bare word a kept flag's value was cannot be told: each may be.
  const swallowed = kept.some((k) => k.flag.value && k.value === "true");
  const keptValues = new Set(swallowed ? argv.filter((_, i) => strays.has(i)) : []);
  return { parsed: out, problems: problems.map((p) => p.text), argProblems: problems, keptValues };
}

/**
 * The flags given with their dashes whose value (or switch) was read, kept or refused as given
 * twice: a hint's command does not write them again. One given without its value is not among
 * them (`stack s --stack` is told `--stack s`, not `--stack` and no value).
 */
const readFlags = (spec: CliSpec, out: ParsedArgs, given: Map<FlagSpec, unknown>): Set<FlagSpec> =>
  new Set(spec.flags.filter((f) => out.values.has(f.name) || out.switches.has(f.name) || given.has(f)));

/**
 * The messages that write the whole command ({@link writtenRight}): said once every argument is
 * read, each a placeholder until then, as what stands after a word may change its hint.
 */
function sayWholeLine(
  spec: CliSpec,
  argv: string[],
  said: Pick<LineFix, "dashless" | "dashed"> & {
    bare: Map<number, ArgProblem>;
    dashlessAll: ArgProblem;
    doubleDash: ArgProblem;
  },
): void {
  const fix = lineFix(spec, said.dashless, said.dashed, [...said.bare.keys()], argv);
  for (const [at, p] of said.bare) Object.assign(p, unexpectedArgument(spec, argv, at, fix));
  Object.assign(said.dashlessAll, fix.dashless.length > 0 ? dashlessProblem(spec, argv, fix) : {});
  said.doubleDash.text = doubleDashProblem(spec, argv, fix);
}

/**
 * Parses argv by the spec: `--flag v` or `--flag=v`. Every bad argument is refused in one error:
 * an unknown flag with the closest one, a bare word, a flag npm kept for itself.
 */
export function parseArgs(spec: CliSpec, argv: string[], env: NodeJS.ProcessEnv = process.env): ParsedArgs {
  const { parsed, problems } = parseArgsAll(spec, argv, env);
  if (problems.length > 0) throw new CliArgsError(problems, spec);
  return parsed;
}

/** Greedy word wrap of `text` to `width` columns, each line after the first indented by `indent`. */
export function wrap(text: string, width: number, indent: string, first = ""): string {
  const lines: string[] = [];
  let line = first;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const start = lines.length === 0 ? first : indent;
    if (line.length > start.length && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else line = line.length > start.length ? `${line} ${word}` : line + word;
  }
  lines.push(line);
  return lines.join("\n");
}

const flagForm = (f: FlagSpec) =>
  f.value ? (f.optionalValue ? `${f.name}[=${f.value}]` : `${f.name} ${f.value}`) : f.name;

/** One usage line: `npm run <script> -- [flags]`, wrapped at 80 columns. */
export function usage(spec: CliSpec): string {
  const parts = [
    ...(spec.positional ? [spec.positional.name] : []),
    ...spec.flags
      .filter((f) => f !== HELP)
      .map((f) => `${f.required ? flagForm(f) : `[${flagForm(f)}]`}${f.repeat ? "..." : ""}`),
  ];
  return wrap(parts.join(" "), 80, "    ", `usage: npm run ${spec.script} -- `);
}

/** `--help`: usage, what it does, every flag, the exit codes; at most 80 columns. */
export function helpText(spec: CliSpec): string {
  const col = 26;
  const item = (left: string, help: string) =>
    left.length + 2 < col
      ? wrap(help, 80, " ".repeat(col), `  ${left.padEnd(col - 2)}`)
      : `  ${left}\n${wrap(help, 80, " ".repeat(col), " ".repeat(col))}`;
  return [
    usage(spec),
    "",
    wrap(spec.summary, 80, ""),
    "",
    ...(spec.positional ? ["arguments:", item(spec.positional.name, spec.positional.help), ""] : []),
    "flags:",
    ...spec.flags.map((f) => item(flagForm(f) + (f.repeat ? " (repeatable)" : ""), f.help)),
    "",
    "exit codes:",
    ...spec.exits.map(([c, m]) => item(String(c), m)),
    "",
    "examples:",
    ...spec.examples.map((e) => `  ${e}`),
    "",
  ].join("\n");
}

/** docs/reference/cli.md's generated section: every command, flag and exit code, from the specs. */
export function cliReference(): string {
  const cell = (s: string) => s.replace(/\|/g, "\\|");
  return CLIS.map((s) =>
    [
      `### \`npm run ${s.script}\``,
      "",
      s.summary,
      "",
      "```",
      usage(s),
      "```",
      "",
      "| flag | what it does |",
      "| --- | --- |",
      ...(s.positional ? [`| \`${s.positional.name}\` | ${cell(s.positional.help)} |`] : []),
      ...s.flags.map(
        (f) => `| \`${cell(flagForm(f))}\`${f.repeat ? " (repeatable)" : ""} | ${cell(f.help)} |`,
      ),
      "",
      `Exit codes: ${s.exits.map(([c, m]) => `${c} ${m}`).join("; ")}.`,
      "",
      "Examples:",
      "",
      "```sh",
      ...s.examples,
      "```",
    ].join("\n"),
  ).join("\n\n");
}

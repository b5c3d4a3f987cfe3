/**
 * The project's own commands, one spec each: what `--help` prints and what docs/reference/cli.md
 * says come from here, and each command's parser reads its usage line from here (a flag the spec
 * lists that a parser does not take fails test/preview/cliHelp.test.ts).
 */

export interface FlagSpec {
  /** `--name`, as typed. */
  flag: string;
  /** The value's placeholder, when the flag takes one. */
  value?: string;
  help: string;
}

export interface CliSpec {
  /** The npm script. */
  script: string;
  summary: string;
  /** What follows `npm run <script> --` in the usage line. */
  synopsis: string;
  /** Positional arguments, described. */
  operands?: FlagSpec[];
  flags: FlagSpec[];
  /** Exit codes and their meaning. */
  exits: [number, string][];
  /** Environment variables the command reads. */
  env?: [string, string][];
}

const HELP: FlagSpec = { flag: "--help", help: "Print this help and exit 0." };

export const SYNTH: CliSpec = {
  script: "synth",
  summary:
    "Synthesize stacks offline (no cluster, no Pulumi CLI), render every release with the real Helm, run the checks on the rendered objects and the policy pack, and write the stack export.",
  synopsis:
    "(--stack <name> | --all) [--out <dir>] [--dir <project dir>] [--policy-config <file.json>] [--no-render] [--quiet] [--workloads] [--against <previous export.json>] [--running <dir>]",
  flags: [
    {
      flag: "--stack",
      value: "<name>",
      help: "The stack to synthesize (Pulumi.<name>.yaml). Repeat for several.",
    },
    { flag: "--all", help: "Every stack file of the project." },
    { flag: "--out", value: "<dir>", help: "Where <stack>.json and <stack>.rendered.json go. Default: out." },
    {
      flag: "--dir",
      value: "<project dir>",
      help: "The project to read (Pulumi.yaml and stack files). Default: this one.",
    },
    {
      flag: "--policy-config",
      value: "<file.json>",
      help: "A policy pack config, as `pulumi preview --policy-pack-config` takes it.",
    },
    {
      flag: "--no-render",
      help: "Skip Helm: no chart is pulled and no rendered-object check runs (for a machine without the chart cache).",
    },
    { flag: "--quiet", help: "Leave out the resource tree, the budget and the planned changes." },
    {
      flag: "--workloads",
      help: "Print each workload's requests, limits and security context (needs the render).",
    },
    {
      flag: "--against",
      value: "<export.json>",
      help: "Check the change from a previous export: refuse what would delete or replace data. One --stack.",
    },
    {
      flag: "--running",
      value: "<dir>",
      help: "Check the change from what runs (a takeover): the releases and values collected in <dir> (docs/how-to/check-a-change.md). One --stack.",
    },
    HELP,
  ],
  exits: [
    [0, "no problem, the policy pack passes"],
    [1, "a mandatory policy or a rendered-object check failed"],
    [2, "bad arguments, a config problem (every one is listed), or a program error"],
  ],
  env: [
    [
      "HOMELAB_CHART_CACHE",
      "the chart archives (default ../shared/charts, else .charts/); offline, use it or --no-render",
    ],
    ["HOMELAB_HELM", "another helm binary"],
    ["HOMELAB_REFERENCE_DIR", "the components' reference data (default ../shared/reference)"],
  ],
};

export const POLICY_CHECK: CliSpec = {
  script: "policy:check",
  summary:
    "Run the policy pack over stack exports (`pulumi stack export`, or what `npm run synth` wrote), as `pulumi preview --policy-pack` would.",
  synopsis: "<export.json> [<export.json> ...] [--config <policy-config.json>]",
  operands: [
    {
      flag: "<export.json>",
      help: "A stack export. A <stack>.rendered.json beside it is read with it; given alone it is skipped.",
    },
  ],
  flags: [
    {
      flag: "--config",
      value: "<policy-config.json>",
      help: "A policy pack config (enforcement levels, settings).",
    },
    HELP,
  ],
  exits: [
    [0, "every mandatory policy passes"],
    [1, "a mandatory policy failed"],
    [2, "bad arguments or an unreadable export"],
  ],
};

export const VERIFY: CliSpec = {
  script: "verify",
  summary:
    "Ask the running stack's own APIs whether its phase works; with --gate, whether the next phase is safe. Reaches only the stack's pinned kube context.",
  synopsis:
    "--stack <name> [--url <component>=<url> ...] [--json] [--gate <next-phase>] [--dir <project dir>]",
  flags: [
    { flag: "--stack", value: "<name>", help: "The stack (Pulumi.<name>.yaml); no secret is needed." },
    {
      flag: "--url",
      value: "<component>=<url>",
      help: "Reach a component another way than a kubectl port-forward: prometheus, mimir, mimir-ruler, victoriametrics, alertmanager, loki, grafana.",
    },
    { flag: "--json", help: "Print the report as JSON." },
    {
      flag: "--gate",
      value: "<next-phase>",
      help: "Also judge whether the stack may move to this phase (the next one).",
    },
    { flag: "--dir", value: "<project dir>", help: "The project to read. Default: this one." },
    HELP,
  ],
  exits: [
    [0, "nothing failed"],
    [1, "a check failed"],
    [2, "bad arguments or config, another kube context selected, or the cluster unreachable"],
  ],
  env: [
    ["KUBECONFIG", "the kubeconfig files (default ~/.kube/config), unless the stack sets kubeconfig"],
    ["HOMELAB_KUBECTL", "another kubectl"],
    ["GRAFANA_ADMIN_USER, GRAFANA_ADMIN_PASSWORD", "Grafana's login (default: read from its Secret)"],
  ],
};

export const BENCH: CliSpec = {
  script: "bench",
  summary:
    "Measure the fast-feedback targets side by side in one run and print each as a ratio to its limit.",
  synopsis: "[--check[=synth,policy,render,pack,suite]] [--runs <n>] [--root <project dir>] [--suite]",
  flags: [
    { flag: "--check", help: "Exit 1 when a target is missed; --check=<names> gates only those." },
    { flag: "--runs", value: "<n>", help: "Samples per figure (default 5, or BENCH_RUNS)." },
    {
      flag: "--root",
      value: "<project dir>",
      help: "Time another checkout's commands, for a before/after comparison.",
    },
    {
      flag: "--suite",
      help: "Run the test suite here (twice, the second warm) instead of reading the last npm test's wall time.",
    },
    {
      flag: "--child-render",
      value: "<export.json>",
      help: "Internal: one render of an export, in the child process bench starts itself.",
    },
    HELP,
  ],
  exits: [
    [0, "measured (and, with --check, every gated target met)"],
    [1, "a gated target was missed"],
  ],
  env: [["BENCH_RUNS", "samples per figure when --runs is not given"]],
};

export const CLIS: readonly CliSpec[] = [SYNTH, POLICY_CHECK, VERIFY, BENCH];

/** `usage: npm run <script> -- <synopsis>`. */
export function usageLine(spec: CliSpec): string {
  return `usage: npm run ${spec.script} -- ${spec.synopsis}`;
}

/** Whether the arguments ask for help. */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes("--help") || argv.includes("-h");
}

/** Words wrapped to `width` columns, each line after the first indented by `indent`. */
function wrap(text: string, width: number, indent: string): string {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = indent + word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out.join("\n");
}

/** What `--help` prints: at most 80 columns. */
export function helpText(spec: CliSpec): string {
  const pad = " ".repeat(26);
  const item = (name: string, help: string) => {
    const head = `  ${name}`;
    const body = wrap(help, 80 - pad.length, "").split("\n");
    return head.length <= 24
      ? [head.padEnd(pad.length) + body[0], ...body.slice(1).map((l) => pad + l)].join("\n")
      : [head, ...body.map((l) => pad + l)].join("\n");
  };
  const parts = [
    wrap(`usage: npm run ${spec.script} -- ${spec.synopsis}`, 80, "    "),
    "",
    wrap(spec.summary, 80, ""),
  ];
  if (spec.operands?.length) parts.push("", "Arguments:", ...spec.operands.map((o) => item(o.flag, o.help)));
  parts.push(
    "",
    "Flags:",
    ...spec.flags.map((f) => item(f.value ? `${f.flag} ${f.value}` : f.flag, f.help)),
    "",
    "Exit codes:",
    ...spec.exits.map(([c, m]) => item(String(c), m)),
  );
  if (spec.env?.length) parts.push("", "Environment:", ...spec.env.map(([k, m]) => item(k, m)));
  return parts.join("\n") + "\n";
}

/** docs/reference/cli.md, whole. */
export function cliReference(): string {
  const lines = [
    "# CLI reference",
    "",
    "<!-- generated by scripts/cliDocs.ts from preview/cliSpecs.ts; do not edit, run npx tsx scripts/cliDocs.ts --write -->",
    "",
    "The project's npm scripts. Each prints this with `--help`. Pulumi's own commands are",
    "in [Pulumi's CLI docs](https://www.pulumi.com/docs/iac/cli/commands/).",
  ];
  for (const spec of CLIS) {
    lines.push(
      "",
      `## npm run ${spec.script}`,
      "",
      spec.summary,
      "",
      "```text",
      usageLine(spec).replace(/^usage: /, ""),
      "```",
    );
    if (spec.operands?.length) {
      lines.push("", "Arguments:", "");
      for (const o of spec.operands) lines.push(`- \`${o.flag}\`: ${o.help}`);
    }
    lines.push("", "Flags:", "");
    for (const f of spec.flags) lines.push(`- \`${f.value ? `${f.flag} ${f.value}` : f.flag}\`: ${f.help}`);
    lines.push("", "Exit codes:", "");
    for (const [c, m] of spec.exits) lines.push(`- \`${c}\`: ${m}`);
    if (spec.env?.length) {
      lines.push("", "Environment:", "");
      for (const [k, m] of spec.env) lines.push(`- \`${k}\`: ${m}`);
    }
  }
  return lines.join("\n") + "\n";
}

import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { onPath, ROOT, synth } from "../support/helpers";
import { helmBinary } from "../../synth/render/helm";
import { PLAIN_COMMANDS, TOOLS, type CommandSpec, type ToolSpec } from "../support/cliSpecs";
import { CLIS } from "../../cli/spec";
import { readmeCommands, resolve, type ShellCommand } from "../support/readmeCommands";
import { documents } from "../support/documents";
import { budgetOf } from "../../synth/report";
import { toolRun } from "../support/toolOutput";
import { underCi } from "../../config/ci";

/*
 * Every command line in the README's shell code blocks is checked against the subcommands and
 * flags of the tool it calls, as read from that tool's source (test/support/cliSpecs.ts cites file
 * and version per tool), and, for the tools that run here (helm, kubectl, amtool), against their
 * own `--help` as well. Figures the program decides (preview summaries) are derived from the
 * synthesis, never written by hand.
 */

const DOCS = documents();
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
/** Every command of every document, each with the file it is in. */
const COMMANDS: (ShellCommand & { file: string })[] = DOCS.flatMap((file) =>
  readmeCommands(read(file)).map((c) => ({ ...c, file })),
);
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

const where = (c: ShellCommand & { file?: string }) =>
  `${c.file ?? "README.md"}:${c.line} (${c.section}): ${c.text}`;

/** Pulumi commands that read or change a stack's state or config: each must name its stack. */
const STATEFUL = (p: string[]) =>
  ["preview", "up", "destroy", "refresh", "import", "cancel", "config", "state"].includes(p[0]) ||
  (p[0] === "stack" && p[1] !== "list");

/** Problems of one README command (empty when it is fine). */
function commandProblems(c: ShellCommand, tools: Record<string, ToolSpec> = TOOLS): string[] {
  const [program, ...rest] = c.words;
  const tool = tools[program];
  if (tool) {
    const r = resolve(program, tool, rest);
    const p = [...r.problems];
    if (program === "pulumi" && p.length === 0) {
      if (STATEFUL(r.path) && !r.flags.has("--stack"))
        p.push(`pulumi ${r.path.join(" ")} without --stack: it would act on whatever stack is selected`);
      if (["preview", "up"].includes(r.path[0])) {
        if (r.flags.get("--policy-pack") !== "policy")
          p.push(`pulumi ${r.path[0]} without --policy-pack policy: the mandatory pack would not run`);
        if (!r.flags.has("--diff")) p.push(`pulumi ${r.path[0]} without --diff`);
      }
      // Without a value it prompts (cobra's synopsis: "If a value is not present on the command
      // line, pulumi will prompt for the value"): the secret stays out of the shell's history, and
      // no `<value>` placeholder is there to paste, which the shell reads as a redirection.
      if (r.path.join(" ") === "config set" && r.flags.has("--secret") && r.args.length > 1)
        p.push(
          "pulumi config set --secret with its value on the command line: leave the value out and it prompts for it",
        );
      if (["up", "destroy"].includes(r.path[0]) && (r.flags.has("--yes") || r.flags.has("--skip-preview")))
        p.push(`pulumi ${r.path[0]} with --yes/--skip-preview: the runbooks always read the preview first`);
    }
    return p.map((x) => `${where(c)}\n    ${x}`);
  }
  if (program === "npm") return npmProblems(c, rest).map((x) => `${where(c)}\n    ${x}`);
  if (PLAIN_COMMANDS.includes(program) || /^(\.{0,2}\/|\.ci\/|scripts\/)/.test(program)) return [];
  return [
    `${where(c)}\n    "${program}" is neither a tool in test/support/cliSpecs.ts nor a plain shell command`,
  ];
}

/**
 * npm: `ci`, `install`, `test` and `run <script>` of this project; the arguments after `--` of a
 * script that runs one of our files are checked against the flags that file's parser spells out
 * (its "--flag" literals).
 */
function npmProblems(c: ShellCommand, args: string[]): string[] {
  const [verb, ...rest] = args.filter((a) => !a.startsWith("--") || args.indexOf(a) > args.indexOf("--"));
  if (["ci", "install", "i"].includes(verb)) return [];
  if (verb === "test") return [];
  if (verb !== "run" && verb !== "run-script") return [`npm ${verb}: not a subcommand the runbooks use`];
  const script = rest[0]?.replace(/^\[|\]$/g, "");
  // `cd policy && npm install` style lines run in policy/; scripts are the root package's.
  const scripts: Record<string, string> = PKG.scripts ?? {};
  if (!script || !(script in scripts)) return [`npm run ${script}: package.json has no such script`];
  const dash = args.indexOf("--");
  if (dash < 0) return [];
  // Our own tools: the flags of the spec their parser, --help and docs/reference/cli.md come from.
  const spec = CLIS.find((c) => c.script === script);
  if (spec)
    return args
      .slice(dash + 1)
      .map((a) => a.replace(/^\[|\]$/g, "").split("=")[0])
      .filter((a) => a.startsWith("--") && !spec.flags.some((f) => f.name === a))
      .map((a) => `npm run ${script} -- ${a}: cli/spec.ts's spec of ${script} has no such flag`);
  // The file the script runs: a source `.ts`, or its compiled `dist/<path>.js` (tsc -b).
  const ran = /(\S+\.(?:ts|js))\b/.exec(scripts[script])?.[1];
  const file = ran?.replace(/^dist\//, "").replace(/\.js$/, ".ts");
  if (!file || !fs.existsSync(path.join(ROOT, file))) return [];
  const known = new Set(
    sourcesOf(file).flatMap((f) =>
      (fs.readFileSync(path.join(ROOT, f), "utf8").match(/"--[a-z][a-z-]*"/g) ?? []).map((x) =>
        x.slice(1, -1),
      ),
    ),
  );
  return args
    .slice(dash + 1)
    .map((a) => a.replace(/^\[|\]$/g, "").split("=")[0])
    .filter((a) => a.startsWith("--") && !known.has(a))
    .map((a) => `npm run ${script} -- ${a}: ${file} takes no such flag`);
}

/**
 * A script's file and the project files it imports relatively, transitively (its argument parser
 * may live in a library file, as `verify`'s does in cli/verifyRun.ts).
 */
function sourcesOf(file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [];
  seen.add(file);
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  for (const m of text.matchAll(/from\s+"(\.{1,2}\/[^"]+)"/g)) {
    const base = path.join(path.dirname(file), m[1]);
    const found = [`${base}.ts`, path.join(base, "index.ts")].find((f) => fs.existsSync(path.join(ROOT, f)));
    if (found) sourcesOf(found, seen);
  }
  return [...seen];
}

/** Every subcommand path of a table, with the flags it accepts (its own and inherited). */
function tablePaths(
  spec: CommandSpec,
  prefix: string[] = [],
  inherited: string[] = [],
): [string[], string[]][] {
  const here = [...inherited, ...(spec.persistent ?? [])];
  const own: [string[], string[]][] = [[prefix, [...here, ...(spec.flags ?? [])]]];
  return [...own, ...Object.entries(spec.sub ?? {}).flatMap(([n, c]) => tablePaths(c, [...prefix, n], here))];
}

/** The binary of a tool that can run here, or undefined. */
function binaryOf(tool: string): string | undefined {
  if (tool === "helm") return helmBinary(ROOT);
  return onPath(tool);
}

const helpCache = new Map<string, string>();
/**
 * `<bin> <path> --help` (or exactly `args` when given), once per process; asked of the tool once
 * per installed binary, then read from the fixture cache (test/support/toolOutput.ts): 39 tool runs
 * a warm run no longer makes.
 */
function helpOf(bin: string, p: string[], args: string[] = [...p, "--help"]): string {
  const key = [bin, ...args].join(" ");
  if (!helpCache.has(key)) {
    const r = toolRun(bin, args);
    helpCache.set(key, `${r.stdout}\n${r.stderr}`);
  }
  return helpCache.get(key)!;
}

/** Flags of a `--help` text: `--name` and short `-x` forms; kingpin's `--[no-]name` gives both. */
function helpFlags(text: string): Set<string> {
  const plain = text.replace(/--\[no-\]([\w.-]+)/g, "--$1 --no-$1");
  return new Set([...plain.matchAll(/(?<![\w-])(--?[a-zA-Z][\w.-]*)/g)].map((m) => m[1]));
}

/** Table flags (or README flags) of `p` that the tool's own `--help` does not list. */
function missingFromHelp(bin: string, p: string[], flags: string[]): string[] {
  const known = helpFlags(helpOf(bin, p));
  // Every command's help lists the global flags only under the root (`kubectl options`).
  if (path.basename(bin) === "kubectl") for (const f of helpFlags(helpOf(bin, [], ["options"]))) known.add(f);
  return flags
    .flatMap((f) => f.replace(/=$/, "").split("|"))
    .filter((f) => f !== "--help" && f !== "-h" && !known.has(f));
}

describe("the documents' commands exist in the tools they call", function () {
  this.timeout(60000);

  it("finds the runbooks' commands in the code blocks of every document (README.md, the top-level .md files, docs/)", () => {
    assert.ok(
      DOCS.includes("README.md") && DOCS.some((d) => d.startsWith("docs/tutorials/")),
      DOCS.join(", "),
    );
    // Every document with a shell block is read: a file that holds commands contributes them.
    for (const d of DOCS.filter((f) => /```(sh|bash|shell|console)\n/.test(read(f))))
      assert.ok(
        COMMANDS.some((c) => c.file === d),
        `${d}: its commands are read`,
      );
    const programs = new Set(COMMANDS.map((c) => c.words[0]));
    for (const p of ["pulumi", "kubectl", "helm", "flux", "npm", "mc", "op"]) assert.ok(programs.has(p), p);
    assert.ok(COMMANDS.length > 60, `${COMMANDS.length} commands`);
  });

  it("every command's subcommands and flags are in the table read from the tool's source", () => {
    const problems = COMMANDS.flatMap((c) => commandProblems(c));
    assert.deepEqual(problems, [], problems.join("\n"));
  });

  it("fails on a flag, a subcommand or a program that does not exist, and on a stateful command without --stack", () => {
    const bad = (line: string) =>
      readmeCommands(`## t\n\n\`\`\`sh\n${line}\n\`\`\`\n`).flatMap((c) => commandProblems(c));
    assert.deepEqual(bad("pulumi preview --stack s --policy-pack policy --diff"), []);
    assert.match(bad("pulumi preview --stack s --policy-pack policy --diff --yes")[0], /unknown flag --yes/);
    assert.match(
      bad("pulumi state delete --stack s --purge 'urn'")[0],
      /pulumi state remove: unknown flag --purge/,
    );
    assert.match(bad("pulumi stak init --stack s")[0], /unknown subcommand "stak"/);
    assert.match(bad("pulumi config set --secret k v")[0], /pulumi config set without --stack/);
    assert.match(bad("pulumi config set --stack s --secret k '<value>'")[0], /value on the command line/);
    assert.deepEqual(bad("pulumi config set --stack s --secret --path 'receiverCredentials.ops'"), []);
    assert.match(bad("pulumi up --stack s --diff")[0], /without --policy-pack policy/);
    assert.match(bad("pulumi up --stack s --policy-pack policy --diff --yes")[0], /--yes\/--skip-preview/);
    assert.match(bad("helm get values loki -n monitoring --al")[0], /unknown flag --al/);
    assert.match(bad("flux suspend helmrelease loki --namespac monitoring")[0], /unknown flag --namespac/);
    assert.match(
      bad("kubectl -n storage port-forwad svc/minio 9000:9000 &")[0],
      /unknown subcommand "port-forwad"/,
    );
    assert.match(bad("npm run synth -- --stack s --againts out/x.json")[0], /has no such flag/);
    assert.match(bad("npm run synthesize -- --stack s")[0], /no such script/);
    assert.match(bad("pulmi up")[0], /neither a tool/);
    // A `$(...)` substitution and a `do` body are checked too.
    assert.match(
      bad("for c in $(kubectl get crd -o nme | grep x); do kubectl label $c a=b --overwrit; done").join("\n"),
      /--overwrit/,
    );
  });

  for (const tool of ["helm", "kubectl", "amtool"]) {
    it(`${tool}: the table and the README's ${tool} flags are in ${tool}'s own --help`, function () {
      const bin = binaryOf(tool);
      if (!bin) {
        if (underCi()) throw new Error(`${tool} is required under CI`);
        console.warn(`\n  !!! SKIPPING: ${tool} not installed here; CI runs this check.\n`);
        this.skip();
      }
      const problems: string[] = [];
      for (const [p, flags] of tablePaths(TOOLS[tool].root))
        for (const f of missingFromHelp(bin, p, flags)) problems.push(`table: ${tool} ${p.join(" ")} ${f}`);
      for (const c of COMMANDS.filter((x) => x.words[0] === tool)) {
        const r = resolve(tool, TOOLS[tool], c.words.slice(1));
        for (const f of missingFromHelp(bin, r.path, [...r.flags.keys()])) problems.push(`${where(c)}: ${f}`);
      }
      assert.deepEqual(problems, [], problems.join("\n"));
      // And a flag the tool does not have is caught.
      assert.deepEqual(missingFromHelp(bin, [], ["--no-such-flag-anywhere"]), ["--no-such-flag-anywhere"]);
    });
  }
});

/** A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces as hyphens. */
const anchorOf = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, "")
    .replace(/ /g, "-");

/**
 * Each numbered step of the first-deploy tutorial that the README's "A first deploy" block does
 * not run whole (a command of the step missing from it) and does not link either: the README says
 * the tutorial ends in Grafana and a clean uninstall, so its block must not stop short unsaid.
 */
function stepsMissingFromReadme(readme: string, tutorial: string): string[] {
  const section = "A first deploy";
  const start = readme.indexOf(`\n## ${section}\n`);
  assert.ok(start >= 0, `README.md has a section "${section}"`);
  const end = readme.indexOf("\n## ", start + 1);
  const prose = readme.slice(start, end < 0 ? undefined : end);
  const run = new Set(
    readmeCommands(readme)
      .filter((c) => c.section === section)
      .map((c) => c.words.join(" ")),
  );
  const steps = new Map<string, string[]>();
  for (const c of readmeCommands(tutorial).filter((x) => /^\d+\. /.test(x.section)))
    steps.set(c.section, [...(steps.get(c.section) ?? []), c.words.join(" ")]);
  return [...steps].flatMap(([step, commands]) => {
    const missing = commands.filter((c) => !run.has(c));
    if (missing.length === 0 || prose.includes(`(${FIRST_DEPLOY}#${anchorOf(step)})`)) return [];
    return [`step "${step}": the README's block lacks ${missing.join("; ")} and does not link the step`];
  });
}

describe("the README's first deploy keeps in step with the tutorial", () => {
  it("its block runs every step of docs/tutorials/first-deploy.md, or links the step it leaves out", () => {
    const problems = stepsMissingFromReadme(read("README.md"), read(FIRST_DEPLOY));
    assert.deepEqual(problems, [], problems.join("\n"));
  });

  it("fails on a README block that stops short of a step (the uninstall)", () => {
    const readme = read("README.md").replace(/^pulumi stack rm --stack example\n/m, "");
    assert.deepEqual(stepsMissingFromReadme(readme, read(FIRST_DEPLOY)), [
      `step "10. Uninstall": the README's block lacks pulumi stack rm --stack example and does not link the step`,
    ]);
  });
});

/** A figure a document quotes: the first match of `pattern` in its section `heading`. */
function quoted(file: string, heading: string, pattern: RegExp): RegExpExecArray {
  const text = read(file);
  const start = text.indexOf(`\n## ${heading}\n`);
  assert.ok(start >= 0, `${file} has a section "${heading}"`);
  const end = text.indexOf("\n## ", start + 1);
  const m = pattern.exec(text.slice(start, end < 0 ? undefined : end));
  assert.ok(m, `${file} section "${heading}" quotes ${pattern}`);
  return m;
}
const FIRST_DEPLOY = "docs/tutorials/first-deploy.md";
const TAKEOVER = "docs/how-to/take-over-flux.md";

describe("figures the documents quote come from the synthesis", function () {
  this.timeout(60000);

  it("the first deploy's preview summary: every resource of the example stack's synthesis is a create", async () => {
    const { export: exp, imports, reads } = await synth("example");
    assert.equal(imports.length + reads.length, 0);
    // The Stack, components, providers and custom resources each show as one `+` row.
    const m = quoted(FIRST_DEPLOY, "6. Preview", /Resources:\s+\+ (\d+) to create/);
    assert.equal(Number(m[1]), exp.deployment.resources.length);
  });

  it("the takeover's first preview: creates and imports as the synthesis of Pulumi.takeover.yaml counts them", async () => {
    const { export: exp, imports, reads } = await synth("takeover");
    const m = quoted(
      TAKEOVER,
      "Taking over a running stack",
      /Resources:\s+\+ (\d+) to create, = (\d+) to import/,
    );
    // Reads (`get`) are `>` rows outside the summary; imports are `=`; everything else, the Stack
    // and components included, is `+`.
    assert.equal(Number(m[2]), imports.length);
    assert.equal(Number(m[1]), exp.deployment.resources.length - imports.length - reads.length);
  });

  it("the takeover lists every Helm release the import step creates, and only those", async () => {
    const { export: exp } = await synth("takeover");
    const created = exp.deployment.resources
      .filter((r) => r.type === "kubernetes:helm.sh/v3:Release" && !r.importId)
      .map((r) => r.inputs.name)
      .sort();
    const m = quoted(TAKEOVER, "Taking over a running stack", /creates the Helm releases ([^.]+)\./);
    const listed = [...m[1].matchAll(/`([a-z0-9-]+)`/g)].map((x) => x[1]).sort();
    assert.deepEqual(listed, created);
  });

  it("the takeover lists every Kubernetes object and MinIO user and policy the import step creates, and only those", async () => {
    const { export: exp } = await synth("takeover");
    const created = exp.deployment.resources.filter((r) => r.custom && !r.importId && !r.external);
    const names = (type: (t: string) => boolean, name: (r: (typeof created)[number]) => string) =>
      // One name may be two objects (a Role and its RoleBinding): compared as a set.
      [...new Set(created.filter((r) => type(r.type)).map(name))].sort();
    const backticked = (text: string) => [...text.matchAll(/`([a-z0-9-]+)`/g)].map((x) => x[1]).sort();
    const k8s = quoted(TAKEOVER, "Taking over a running stack", /creates the Kubernetes objects ([^;]+);/);
    assert.deepEqual(
      backticked(k8s[1]),
      names(
        (t) => t.startsWith("kubernetes:") && t !== "kubernetes:helm.sh/v3:Release",
        (r) => r.inputs.metadata.name,
      ),
    );
    const minio = quoted(TAKEOVER, "Taking over a running stack", /and in MinIO ([^.]+)\./);
    assert.deepEqual(
      backticked(minio[1]),
      names(
        (t) => t === "minio:index/iamUser:IamUser" || t === "minio:index/iamPolicy:IamPolicy",
        (r) => r.inputs.name,
      ),
    );
  });
});

/** A budget row's memory requests as the synthesis prints them: MiB, and percent of capacity to one decimal. */
const memoryShare = (row: { sums: { memory: number }; capacity: { memory: number } }) => ({
  mi: Math.round(row.sums.memory / 2 ** 20),
  percent: ((100 * row.sums.memory) / row.capacity.memory).toFixed(1),
});

describe("the example stack's budget, as the first deploy and Pulumi.example.yaml quote it", function () {
  this.timeout(60000);

  it("lightweight: about a third of the node's memory; standard: the MiB and percent both quote", async () => {
    const light = budgetOf((await synth("example")).export.deployment.resources)!;
    const standard = budgetOf((await synth("example", { profile: "standard" })).export.deployment.resources)!;
    const share = memoryShare(light.total);
    // "about a third": within 28-38 % (a third is 33.3 %).
    assert.ok(Number(share.percent) > 28 && Number(share.percent) < 38, `${share.percent}%`);
    quoted(FIRST_DEPLOY, "2. Your stack file", /one node at about a third of its memory/);
    const { mi, percent } = memoryShare(standard.total);
    assert.equal(
      quoted(FIRST_DEPLOY, "2. Your stack file", /profile the same\s+node would be at ([\d.]+) %/)[1],
      percent,
    );
    const stackFile = /The standard profile needs (\d+)Mi here, ([\d.]+)% of this node/.exec(
      read("Pulumi.example.yaml"),
    );
    assert.ok(stackFile, "Pulumi.example.yaml quotes the standard profile's requests");
    assert.deepEqual([Number(stackFile[1]), stackFile[2]], [mi, percent]);
    // The series cap the program chose for Mimir to fit there, as both quote it.
    const cap = /^(\d+) series/.exec(
      standard.sized?.find((c) => c.component === "mimir")?.sizedFor ?? "",
    )?.[1];
    assert.ok(cap, "the standard example's Mimir is sized for its series cap");
    assert.equal(quoted(FIRST_DEPLOY, "2. Your stack file", /its Mimir holding only (\d+) series/)[1], cap);
    assert.equal(
      /Its\s+#\s+Mimir is then capped at (\d+) series/.exec(read("Pulumi.example.yaml"))?.[1],
      cap,
    );
  });
});

import { z } from "zod";
import { shownYamlLines } from "../model/yamlText";
import type { ChartKeys } from "./chartKeys";
import * as fs from "fs";
import { isMap } from "./tree";
import {
  cliStackConfigIssues,
  anchorHolderProblem,
  keysHiddenBySlips,
  slipKeys,
  shownAt,
  slipLines,
  slipProblem,
  STACK_FILE_KEYS,
  strayKeyProblem,
  keySetTwiceProblem,
  laterDocumentProblem,
  mergeKeysProblem,
  type MergeKeysInOneMap,
  plainTextFact,
  undecryptableFact,
  type CliIssue,
  type Project,
  type YamlSlip,
} from "./stackFile";
import {
  booleanHint,
  closestMatch,
  ConfigError,
  describe,
  expectedForm,
  isKnownPath,
  mapValueHint,
  namesKey,
  problemIsAt,
  REDACTED,
} from "./errors";
import { cliConfigValues, mergeMisspeltRequired, misspeltNamespaceProblems, valueAsMeant } from "./errors";
import { onepasswordKeyProblems } from "./onepasswordKeys";
import { kubernetesKeyFindings } from "./kubernetesKeys";
import { providerContextConfigProblems } from "./kubeContext";
import { judgedStackConfig, type JudgeOptions } from "./judge";
import { ConfigLocator, problemPath, type Place } from "./locate";
import { INVALID_CREDENTIALS_PROBLEM } from "./receiverSecrets";
import { RECEIVER_CREDENTIALS_KEY } from "../model/secrets";
import { rawFromPulumiConfig } from "./resolve";
import { withUnexpanded } from "./unexpandedVariables";
import { rawTakeoverRunning } from "./takeoverRunning";
import { parsedAsMeant } from "./yamlDocument";
import { PHASES, PROJECT, rawSchema, SECRET_KEYS, type StackConfig } from "./schema";

/*
 * A stack file judged whole, for the offline tools (synth, verify): the three stages that each
 * stop a real run at their first failing stage (the Pulumi CLI's own rules, stackFile.ts; the
 * schema, schema.ts; the rules between keys, resolve.ts) report together, so one run lists every
 * problem. Each line names the key, the expected form with an example, and what was found.
 */

/**
 * The phase to start at, as a hint for a stack without one: a fresh install starts at the last
 * phase (nothing to migrate), a takeover of a running kube-prometheus-stack at the first
 * (docs/reference/phases.md). A stack that takes over KPS (takeover.releases.kubePrometheusStack)
 * says which; otherwise both are named, since a stack without a takeover may still deploy KPS to
 * migrate from.
 */
function phaseHint(raw: Record<string, unknown>): string {
  const first = PHASES[0];
  const last = PHASES[PHASES.length - 1];
  const takesOverKps = !!(raw.takeover as { releases?: Record<string, unknown> } | undefined)?.releases
    ?.kubePrometheusStack;
  return takesOverKps
    ? `\`pulumi config set phase ${first}\` (this stack takes over a running kube-prometheus-stack, takeover.releases.kubePrometheusStack: a takeover starts at ${first})`
    : `\`pulumi config set phase ${last}\` for a fresh install (nothing to migrate), or \`pulumi config set phase ${first}\` to take over a running kube-prometheus-stack (docs/reference/phases.md)`;
}

/**
 * Pulumi.yaml's description of an object key as a form to quote mid-sentence: its variants and
 * keys, without the closing "Every key: docs/reference/configuration.md." (the message points
 * there once) or a closing period.
 */
function declaredShape(description: string): string {
  return description
    .replace(/\s*Every key: docs\/reference\/configuration\.md\.?\s*$/, "")
    .replace(/\.\s*$/, "");
}

/** A CLI-stage problem in the schema's terms: the key, its expected form and example, what was found. */
function describeCliIssue(
  i: CliIssue,
  project: Project,
  found: unknown,
  raw: Record<string, unknown>,
): string {
  const at = `${PROJECT}:${i.key}`;
  const secret = (SECRET_KEYS as readonly string[]).includes(i.key);
  const declared = project.config[i.key]?.description;
  const form = expectedForm([i.key], "string");
  // An object's form is best said by Pulumi.yaml's description of it (its variants and keys),
  // with its pointer to the docs said once, here, and no period inside the sentence.
  const expected =
    form.startsWith("an object") && declared
      ? `an object: ${declaredShape(declared)} (every key: docs/reference/configuration.md)`
      : form;
  switch (i.kind) {
    case "missing": {
      const head = `${at}: required (Pulumi.yaml gives it no default), expected ${expected}`;
      if (i.key === "phase") return `${head}, e.g. ${phaseHint(raw)}, got nothing`;
      const byLeaf = mapValueHint(i.key);
      if (byLeaf) return `${head}, got nothing; ${byLeaf}`;
      const schema = rawSchema.shape[i.key as keyof typeof rawSchema.shape] as z.ZodTypeAny | undefined;
      const example =
        schema instanceof z.ZodEnum
          ? `pulumi config set ${i.key} ${(schema.options as string[])[0]}`
          : `pulumi config set ${i.key}`;
      return `${head}, e.g. \`${example}\`, got nothing`;
    }
    case "secure":
    case "plain":
    case "shape":
      return i.message;
    case "unencrypted":
      return `${at}: expected a secret (\`pulumi config set --secret ${i.key}\`, which prompts for the value), got a plain value (not shown)`;
    case "type": {
      const text = `${at}: expected ${expectedForm([i.key], i.type ?? "string", secret ? undefined : found)} (Pulumi.yaml declares type '${i.type}'), got ${describe(secret ? REDACTED : found)}${secret ? "" : booleanHint(i.type ?? "", found)}`;
      // A secret's references are part of its value: never named.
      return secret ? text : withUnexpanded(text, at, found);
    }
  }
}

/** CLI-stage problems that leave the key's value in place (a placeholder, or what was written). */
const PASSED_ON = new Set<CliIssue["kind"]>(["secure", "plain", "shape"]);

/**
 * One line for one slip in `receiverCredentials`: an entry under a name no receiver has is named
 * once, with its closest receiver (config/receiverSecrets.ts), not again for its undecryptable
 * value, since the hint sets the value anew under the right name; and a value of the wrong form
 * (undecryptable or not), named with its own hint (stackFile.ts `secretShapeProblems`), not again
 * as a map of another form.
 */
function oneLinePerSlip(problems: string[], issues: CliIssue[]): string[] {
  const key = `${PROJECT}:${RECEIVER_CREDENTIALS_KEY}`;
  const unknown = problems
    .map((p) => /^(\S+): (?:unknown receiver name|expected no credential)/.exec(p)?.[1])
    .filter((k): k is string => !!k && k.startsWith(key));
  const shaped = issues.some((i) => i.wrongForm && i.key === RECEIVER_CREDENTIALS_KEY);
  return problems.filter(
    (p) =>
      !(shaped && p === INVALID_CREDENTIALS_PROBLEM) &&
      !unknown.some((k) => p.startsWith(`${k}: the secure value `)),
  );
}

/**
 * Whether a key's line tells to take its value to the key it means (renamed, or moved: "did you
 * mean"), the value kept as written: not one whose hint sets it anew or removes it with the CLI.
 */
const movesValue = (problem: string) =>
  problem.includes("; did you mean ") && !/`pulumi (?:--cwd \S+ )?config (?:set|rm) /.test(problem);

/**
 * One line for a key whose `secure:` value the CLI cannot decrypt, or whose value is in plain text,
 * when another problem is that key's whole mistake, whose hint mends both: the value's line goes.
 * Recognised by the key the other problem is about (config/locate.ts problemPath), the value's
 * very key path or one above it, when nothing reads that key (another provider's, or a path the
 * schema does not know: `receiverCredentials.team-slack` set without --path, a misspelt map key
 * holding the value deeper down), so its one problem says to remove, move or rename it, and says
 * an undecryptable value's fact when it does not remove the key (a move keeps the value); a key the program reads keeps its value's line beside any other of its problems (set
 * twice, each value is judged). A message naming several keys nothing reads is at its first only
 * and says each value's fact (config/resolve.ts idleSecrets): that one is recognised by the fact.
 */
function saidOnce(problems: string[], issues: CliIssue[], raw: Record<string, unknown>): string[] {
  const within = (a: readonly unknown[], b: readonly unknown[]) =>
    a.length <= b.length && a.every((seg, n) => seg === b[n]);
  const unread = (v: { key: string; path: (string | number)[] }) => {
    const colon = v.key.indexOf(":");
    const namespace = v.key.slice(0, colon);
    const path = [v.key.slice(colon + 1), ...v.path];
    const readByNothing = (p: (string | number)[]) => namespace !== PROJECT || !isKnownPath(p, raw);
    // The problem of the value's own key, or of a key above it that nothing reads (a misspelt
    // `ingres` holding `host: {secure: …}`): that key is the mistake, and the value is judged once
    // it sits under a key the program reads, as a well-formed one under an unknown key is
    // (judge.ts withSecureValues).
    return (problem: string) => {
      const about = problemPath(problem);
      return about?.namespace === namespace && within(about.path, path) && readByNothing(about.path);
    };
  };
  const told = new Set<string>();
  // An undecryptable value a key's line stands for, that line not saying so: renamed or moved as
  // that line tells (`grafanaAdminPasword`, `grafana.adminPassword` for the top level's), the value
  // is still one the CLI cannot decrypt, so the next run stopped at it. Its fact joins that line;
  // one whose hint sets it anew or removes it (a `pulumi config` command), or names no key meant
  // (removing it is the way), mends it already.
  const facts = new Map<string, string[]>();
  for (const i of issues) {
    const fact = i.unreadable
      ? undecryptableFact(i.unreadable)
      : i.plainText
        ? plainTextFact(i.plainText)
        : undefined;
    const value = i.unreadable ?? i.plainText;
    if (fact === undefined || value === undefined) continue;
    const mendedBy = unread(value);
    const others = problems.filter((p) => p !== i.message);
    if (others.some((p) => p.includes(fact))) told.add(i.message);
    else {
      const by = others.find(mendedBy);
      if (by === undefined) continue;
      told.add(i.message);
      if (i.unreadable && movesValue(by)) facts.set(by, [...(facts.get(by) ?? []), fact]);
    }
  }
  return problems
    .filter((p) => !told.has(p))
    .map((p) => (facts.has(p) ? `${p}; also, ${facts.get(p)!.join("; ")}` : p));
}

/**
 * `e`'s problems that a stack file's YAML slips cannot have caused, with the slips themselves, in
 * line order. A slip that moves nothing (stackFile.ts `movesNothing`: a tab read as meant, a key
 * repeated with its value) leaves every problem standing. Any other may have changed what a key
 * holds: the parser read on after it, but an over-indented key lands in the map above, an
 * under-indented one closes its map, a repeated key keeps only its later value, so a key on its
 * lines may be gone from where it was written (reported missing), the map holding it may lack it
 * or hold a stranger, and a value spanning it may be cut short. A problem is left out when its
 * lines meet such a slip's, or it names a key the slip leaves unsure (`unsure`, stackFile.ts
 * slipKeys): the rules that read those keys judged what the parser made, not the file.
 */
function besideSlips(e: ConfigError, slips: YamlSlip[], unsure: string[], file: string): ConfigError {
  const moving = slips.filter((s) => !s.movesNothing);
  const meets = (p: Place, from: number, to: number) => p.line <= to && from <= (p.endLine ?? p.line);
  const touches = (p: Place | undefined) =>
    p !== undefined && p.file === file && moving.map(slipLines).some(({ from, to }) => meets(p, from, to));
  const kept = e.problems
    .map((text, i) => ({ text, place: e.places[i] }))
    .filter(({ text, place }) => !touches(place) && !unsure.some((k) => namesKey(text, k)));
  const lines = fs.readFileSync(file, "utf8").split(/\r?\n/);
  const slipped = slips.map((s) => slipProblem(file, s, lines));
  const all = [...kept, ...slipped];
  return new ConfigError(
    all.map((p) => p.text),
    e.notes,
    all.map((p) => p.place),
    file,
    e.overrides,
  );
}

/**
 * `e` with a problem for each map with several merge keys (stackFile.ts mapsWithMergeKeys) and for
 * a second YAML document (stackFile.ts laterDocumentProblem), in line order among the problems
 * placed in the stack file: the file's layout, placed by line, not by a key.
 */
function withLayoutProblems(
  e: ConfigError,
  cli: { mergeKeys: MergeKeysInOneMap[]; laterDocument?: number; file: string; project: { name: string } },
): ConfigError {
  if (cli.mergeKeys.length === 0 && cli.laterDocument === undefined) return e;
  const text = fs.readFileSync(cli.file, "utf8");
  // Each problem shows its key's neighbours: a secret's value among them is not shown.
  const lines = shownYamlLines(text);
  const all = [
    ...e.problems.map((text, i) => ({ text, place: e.places[i] })),
    ...cli.mergeKeys.map((m) => mergeKeysProblem(cli.file, m, lines, cli.project.name)),
    ...(cli.laterDocument === undefined
      ? []
      : [laterDocumentProblem(cli.file, cli.laterDocument, text.split(/\r?\n/))]),
  ];
  return new ConfigError(
    all.map((p) => p.text),
    e.notes,
    all.map((p) => p.place),
    e.firstFile ?? cli.file,
    e.overrides,
  );
}

/**
 * The project's keys written as one map under its name (`homelab-observability:` then
 * `  kubeContext: …` beneath it, under `config:`): the Pulumi CLI reads that as one key,
 * `<project>:<project>`, which the program lacks, and each key inside as unset. One problem names
 * the cause; `raw` then holds each key inside where it was meant (one the file also writes at
 * `config:`'s level keeps that value) and not the map, so the keys inside are judged, and none is
 * also said to be missing or unknown. Undefined when the file has no such map.
 */
function projectNamedMap(
  raw: Record<string, unknown>,
  project: string,
): { problem: string; held: string[] } | undefined {
  const map = raw[project];
  if (!isMap(map)) return undefined;
  delete raw[project];
  const held = Object.keys(map);
  for (const k of held) if (!(k in raw)) raw[k] = valueAsMeant([], k, map[k]);
  const first = held[0] ?? "phase";
  return {
    problem: `${project}:${project}: unknown key: the project's keys written as one map under its name, which the Pulumi CLI reads as one key of that name, every key inside it unset; write each at \`config:\`'s level as \`${project}:<key>\` (\`${project}:${first}:\`), then remove this key`,
    held,
  };
}

/**
 * The top-level key of a stack file without `config:` that meant `config` (`confg:`): everything
 * under it is ignored, so every required key is missing because of it.
 */
function configHidingKey(strayKeys: string[], noConfig: boolean): string | undefined {
  return noConfig ? strayKeys.find((k) => closestMatch(k, STACK_FILE_KEYS) === "config") : undefined;
}

/**
 * What the Pulumi CLI itself does with the stack file, beside the problems listed: its own words
 * where the message is its own (mergeConfig's, stackFile.ts), quoted. A value it cannot decrypt is
 * listed in this project's words (stackFile.ts secureProblemText), not the CLI's (its crypter's
 * error: pulumi/pulumi sdk/go/common/resource/config/crypt.go `symmetricCrypter.DecryptValue`
 * "bad value", "unknown value version"), so the note says what the CLI does, without quoting the
 * listed problem again as if the CLI printed it.
 */
function cliFirstNote(first: CliIssue): string {
  if (first.kind !== "secure") return `(the Pulumi CLI itself stops at the first: "${first.message}")`;
  return first.key === "encryptionsalt"
    ? "(the Pulumi CLI itself stops at the stack file's encryptionsalt, before it decrypts any value or runs the program)"
    : "(the Pulumi CLI itself stops at a secure value it cannot decrypt, before the program runs)";
}

/** The required keys a misspelt `config:` leaves unset, said as what follows from it. */
function hiddenRequired(keys: string[]): string {
  if (keys.length === 0) return "";
  const named = keys.map((k) => `${PROJECT}:${k}`).join(", ");
  return `; with it ignored the stack sets no config, so ${named} (required: Pulumi.yaml gives ${keys.length > 1 ? "them" : "it"} no default) ${keys.length > 1 ? "are" : "is"} missing`;
}

/**
 * The problems of the CLI's own stage and of the keys beside the program's (the 1Password and
 * Kubernetes provider keys, a key set twice, a stray key): every one said in the run the program's
 * own keys are judged in.
 */
function cliStageProblems(
  stack: string,
  cli: ReturnType<typeof cliStackConfigIssues>,
  raw: Record<string, unknown>,
  issues: CliIssue[],
  at: {
    nested: ReturnType<typeof projectNamedMap>;
    hiding: string | undefined;
    hidden: string[];
    placer: ConfigLocator;
    /** Filled with the spelling each problem of a key set twice is placed at. */
    spellingOf: Map<string, string>;
  },
): string[] {
  const { nested, hiding, hidden, placer, spellingOf } = at;
  // A `kubernetes:context` the CLI cannot decrypt is said in the context's own line (saidOnce).
  const context = cli.issues.find(
    (i) => i.unreadable?.key === "kubernetes:context" && i.unreadable.path.length === 0,
  );
  const contextFact = context?.unreadable && undecryptableFact(context.unreadable);
  return [
    ...(nested ? [nested.problem] : []),
    ...issues
      .filter((i) => !hidden.includes(i.key))
      .map((i) => {
        const p = describeCliIssue(i, cli.project, cli.found[i.key], raw);
        if (i.spelling) spellingOf.set(p, i.spelling);
        return p;
      }),
    ...misspeltNamespaceProblems(Object.keys(cli.config), cli.project.name, (k) => placer.fileLine(k)),
    ...onepasswordKeyProblems(
      Object.keys(cli.config),
      (k) => cli.secretKeys.includes(k),
      cli.project.name,
      cli.issues.flatMap((i) => (i.unreadable ? [i.unreadable] : [])),
    ),
    // Its warnings are the program's to say (config/load.ts), once per run.
    ...kubernetesKeyFindings(cli.config, (k) => cli.secretKeys.includes(k), { project: cli.project.name })
      .problems,
    // The provider's `kubernetes:context` beside them, in the same run (the program judges it again).
    ...providerContextConfigProblems(
      stack,
      cli.config[`${cli.project.name}:kubeContext`],
      cli.config,
      cli.secretKeys.includes("kubernetes:context")
        ? { decrypted: false, unreadable: contextFact }
        : undefined,
    ),
    ...cli.setTwice.map(({ key }) =>
      keySetTwiceProblem(key, cli.project.name, placer.fileLine(key.slice(cli.project.name.length + 1))),
    ),
    ...cli.strayKeys.map(
      (k) => strayKeyProblem(k, cli.project.name) + (k === hiding ? hiddenRequired(hidden) : ""),
    ),
  ];
}

/**
 * A key set twice holds either value in a real run (stackFile.ts keySetTwiceProblem), so the value
 * written first is judged too: each value's own problems at its own line. The rules between keys
 * judged the later one (`judged`); of the first's judgement only its key's problems are new, and
 * `spellingOf` (holding the CLI stage's, cliStackConfigIssues) gets the spelling each is placed at.
 * A problem elsewhere that one value brings and the other does not (the `victoriametrics` key
 * refused under a bare `profile: standard` beside `profile: lightweight`) follows from which value
 * the CLI keeps, which the key's own line says to settle: it is left out (`held` keeps the rest),
 * and a note says those rules wait for the key to be set once, as for a required key refused
 * (judge.ts judgedStackConfig).
 */
function setTwiceProblems(
  cli: ReturnType<typeof cliStackConfigIssues>,
  judged: string[],
  judge: (raw: Record<string, unknown>) => { problems: string[] },
  spellingOf: Map<string, string>,
): { held: string[]; firstSpellings: string[]; notes: string[] } {
  const firstSpellings: string[] = [];
  let held = judged;
  const waiting: string[] = [];
  for (const { key, spellings, first } of cli.setTwice) {
    const name = key.slice(cli.project.name.length + 1);
    for (const p of judged.filter((p) => problemIsAt(p, name))) spellingOf.set(p, spellings[1]);
    const firstJudged = judge(rawFromPulumiConfig({ ...cli.config, [key]: first })).problems;
    const before = held.length;
    held = held.filter((p) => problemIsAt(p, name) || firstJudged.includes(p));
    if (held.length < before) waiting.push(key);
    for (const p of firstJudged) {
      if (!problemIsAt(p, name) || spellingOf.has(p)) continue;
      spellingOf.set(p, spellings[0]);
      firstSpellings.push(p);
    }
  }
  const notes = waiting.map(
    (key) =>
      `(the rules between keys (which keys need which) that read ${key} are checked once it is set once: what they refuse under one of its two values and not the other follows from which value the Pulumi CLI keeps)`,
  );
  return { held, firstSpellings, notes };
}

/**
 * The keys a slip may have moved or hidden (a key on a slip's lines, holding one, or moved below one), each with the
 * line of the first slip that leaves it unsure: what names them waits for the file to be YAML
 * (besideSlips; {@link slipUnsureNote}).
 */
function slipUnsureKeys(cli: ReturnType<typeof cliStackConfigIssues>): { key: string; line: number }[] {
  if (cli.slips.length === 0) return [];
  const fileLines = parsedAsMeant(fs.readFileSync(cli.file, "utf8")).text.split(/\r?\n/);
  const unsure = new Map<string, number>();
  const moving = cli.slips.filter((s) => !s.movesNothing);
  for (const s of moving)
    for (const k of slipKeys(s, fileLines, cli.project.name))
      if (!unsure.has(k)) unsure.set(k, shownAt(s).line);
  // A key written below a slip that the parser holds nowhere under `config:` was moved by it: a
  // required one is not missing, only unsure (it is written), as is what names any other.
  const own = `${cli.project.name}:`;
  const bare = (k: string) => (k.startsWith(own) ? k.slice(own.length) : k);
  const held = new Set(cli.written.map(bare));
  for (const { key, line } of keysHiddenBySlips(fileLines, cli.project.name, held)) {
    const above = moving.filter((s) => shownAt(s).line <= line).at(-1);
    if (above && !unsure.has(key)) unsure.set(key, shownAt(above).line);
  }
  return [...unsure].map(([key, line]) => ({ key, line }));
}

/** The note that what names the keys a slip leaves unsure ({@link slipUnsureKeys}) waits. */
const slipUnsureNote = (unsure: string[]) =>
  `(with the file not valid YAML, what names ${unsure.map((k) => `${PROJECT}:${k}`).join(", ")} (a key on a slip's lines, holding one, or written below one where the parser holds it no more), the rules between keys among it, is checked once it is valid YAML: a slip can hide or move a key)`;

/**
 * The stack's config from its file, or a ConfigError listing every problem of all three stages.
 * The rules between keys run with each refused value left to its default (the value alone where
 * its key's other values still parse, judge.ts), and a note names those values; when a
 * key without a default is refused they cannot run, and a note says so.
 *
 * No per-process memo (measured, round fifty-six): a warm `npm test` (three workers) calls this
 * 1,254 times, 6.4 s of CPU inside, 650 of the calls refused. 202 repeat an input their worker
 * judged before (the stack, options, bytes of Pulumi.yaml and Pulumi.<stack>.yaml, the OP_,
 * PULUMI_ and HOMELAB_ variables and KUBECONFIG), 0.63 s of CPU (2-4 ms each): 117 of them the
 * checkout's own stacks (0.36 s), 85 a temporary folder's (0.27 s), which may be another folder
 * holding the same bytes. A memo would key on all it reads (both files and the folder, the
 * environment, the overrides, the chart archives through `chartKeys`, a takeover's running
 * folder, the working directory its places are written from) and hand each caller a copy of a
 * result or a refusal: less than 0.63 s to gain.
 */
export function checkedStackConfig(
  projectDir: string,
  stack: string,
  env: Record<string, string | undefined>,
  opts: {
    allowAbsentSecrets?: boolean;
    overrides?: Record<string, string>;
    /**
     * A pinned chart's keys, for the chartValues check (config/chartValueCheck.ts); without it the
     * check does not run. The offline synthesis hands it the chart cache's archives
     * (synth/render/chartFacts.ts pinnedChartKeys): charts are the renderer's, a room above this one.
     */
    chartKeys?: (chart: string) => ChartKeys | undefined;
  } = {},
): { cfg: StackConfig; config: Record<string, string>; secretKeys: string[]; file: string } {
  const cli = cliStackConfigIssues(projectDir, stack);
  // A file or `config:` that is no map holds no key: every key would read as missing, one mistake.
  if (cli.shapeProblem) {
    const locator = ConfigLocator.forStack(projectDir, stack, cli.file, cli.project.name);
    throw locator.locate(new ConfigError([cli.shapeProblem])).forStack(stack, projectDir);
  }
  const hiding = configHidingKey(cli.strayKeys, !cli.hasConfig);
  Object.assign(cli.config, opts.overrides ?? {});
  const raw = rawFromPulumiConfig(cli.config);
  const nested = projectNamedMap(raw, cli.project.name);
  const placer = ConfigLocator.forStack(projectDir, stack, cli.file, cli.project.name);
  // The required keys a misspelt `config:` hides are said as its consequence, not as mistakes.
  const hidden = hiding ? cli.issues.filter((i) => i.kind === "missing").map((i) => i.key) : [];
  // A required key the project-named map holds is set where it was meant, not missing.
  const issues = cli.issues.filter((i) => !(i.kind === "missing" && nested?.held.includes(i.key)));
  const spellingOf = new Map<string, string>();
  const problems = cliStageProblems(stack, cli, raw, issues, { nested, hiding, hidden, placer, spellingOf });
  const unsure = slipUnsureKeys(cli);
  const judgeOptions: JudgeOptions = {
    allowAbsentSecrets: opts.allowAbsentSecrets,
    slipped: unsure,
    chartKeys: opts.chartKeys,
    placeOf: (key) => placer.fileLine(key),
    unreadable: cli.issues.flatMap((i) => (i.unreadable ? [i.unreadable] : [])),
    plainText: cli.issues.flatMap((i) => (i.plainText ? [i.plainText] : [])),
    secureValues: cli.secureValues,
    // An undecryptable value stands in as a placeholder: the key is still judged.
    cliIssues: issues.map((i) => ({
      key: i.key,
      refused: !PASSED_ON.has(i.kind),
      missing: i.kind === "missing",
    })),
  };
  const judged = judgedStackConfig(raw, stack, env, judgeOptions);
  const twice = setTwiceProblems(
    cli,
    judged.problems,
    (r) => judgedStackConfig(r, stack, env, judgeOptions),
    spellingOf,
  );
  // A key written only to hold an anchor is no misspelt key: its own line says what it is.
  problems.push(
    ...twice.held.map((p) => {
      const key = /^(\S+): unknown key/.exec(p)?.[1];
      return (key && anchorHolderProblem(key, cli.anchorHolders, cli.project.name)) ?? p;
    }),
  );
  problems.push(...twice.firstSpellings);
  const { cfg } = judged;
  const notes = [...judged.notes, ...twice.notes];
  // The CLI's own first refusal (a YAML slip, its mergeConfig rules, then decryption); a plain
  // secret it passes on.
  const cliFirst = cli.issues.find((i) => i.kind !== "plain" && i.kind !== "shape");
  if (unsure.length > 0) notes.push(slipUnsureNote(unsure.map((u) => u.key)));
  if (cli.slips.length > 0)
    notes.push("(the Pulumi CLI itself reads no config from a stack file that is not valid YAML)");
  else if (cliFirst) notes.push(cliFirstNote(cliFirst));
  // A stack file refused is said with the takeover's folder of what runs, which the program
  // reads only once the keys pass (config/load.ts): both in one run.
  const refused =
    problems.length > 0 ||
    !cfg ||
    cli.slips.length > 0 ||
    cli.mergeKeys.length > 0 ||
    cli.laterDocument !== undefined;
  const folder = refused ? rawTakeoverRunning(projectDir, raw) : undefined;
  if (folder && "problem" in folder) problems.push(folder.problem);
  if (refused) {
    // The locator the problems were placed with above: the same two files, read and parsed once
    // (each reads and parses both; the lines a problem shows are redacted once, when first read).
    const located = placer.locate(
      new ConfigError(
        mergeMisspeltRequired(
          oneLinePerSlip(saidOnce(problems, cli.issues, raw), cli.issues),
          cliConfigValues(cli.config),
        ),
        notes,
        [],
        undefined,
        judged.overrides,
      ),
      (p) => spellingOf.get(p),
      judged.placedAt,
    );
    const laidOut = withLayoutProblems(located, cli);
    throw (
      cli.slips.length > 0
        ? besideSlips(
            laidOut,
            cli.slips,
            unsure.map((u) => u.key),
            cli.file,
          )
        : laidOut
    ).forStack(stack, projectDir);
  }
  // An override of a secret key (a test's value, a tool's) stands for `pulumi config set --secret`:
  // it is handed to the program as a secret, which refuses a secret key in plain text (load.ts).
  const overridden = Object.keys(opts.overrides ?? {}).filter((k) =>
    (SECRET_KEYS as readonly string[]).some((s) => k === `${cli.project.name}:${s}`),
  );
  const secretKeys = [...new Set([...cli.secretKeys, ...overridden])];
  return { cfg, config: cli.config, secretKeys, file: cli.file };
}

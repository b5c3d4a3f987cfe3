import { z } from "zod";
import { cliStackConfigIssues, type CliIssue, type Project } from "./stackFile";
import { ConfigError, describe, expectedForm, REDACTED } from "./errors";
import { formatIssue } from "./errors";
import { parseStackConfig, plainSecretProblems, rawFromPulumiConfig } from "./resolve";
import { PROJECT, rawSchema, SECRET_KEYS, type StackConfig } from "./schema";

/*
 * A stack file judged whole, for the offline tools (synth, verify): the three stages that each
 * stop a real run at their first failing stage (the Pulumi CLI's own rules, stackFile.ts; the
 * schema, schema.ts; the rules between keys, resolve.ts) report together, so one run lists every
 * problem. Each line names the key, the expected form with an example, and what was found.
 */

/** A CLI-stage problem in the schema's terms: the key, its expected form and example, what was found. */
function describeCliIssue(i: CliIssue, project: Project, found: unknown): string {
  const at = `${PROJECT}:${i.key}`;
  const secret = (SECRET_KEYS as readonly string[]).includes(i.key);
  const declared = project.config[i.key]?.description;
  const form = expectedForm([i.key], "string");
  // An object's form is best said by Pulumi.yaml's description of it (its variants and keys).
  const expected = form.startsWith("an object") && declared ? `an object: ${declared}` : form;
  switch (i.kind) {
    case "missing": {
      const schema = rawSchema.shape[i.key as keyof typeof rawSchema.shape] as z.ZodTypeAny | undefined;
      const example =
        schema instanceof z.ZodEnum
          ? `pulumi config set ${i.key} ${(schema.options as string[])[0]}`
          : `pulumi config set ${i.key} <value>`;
      return `${at}: required (Pulumi.yaml gives it no default), expected ${expected}, e.g. \`${example}\`, got nothing`;
    }
    case "unencrypted":
      return `${at}: expected a secret (\`pulumi config set --secret ${i.key} <value>\`), got a plain value (not shown)`;
    case "type":
      return `${at}: expected ${expectedForm([i.key], i.type ?? "string", secret ? undefined : found)} (Pulumi.yaml declares type '${i.type}'), got ${describe(secret ? REDACTED : found)}`;
  }
}

/** Top-level keys the schema requires (neither optional nor defaulted). */
const isRequired = (key: string) => {
  const s = rawSchema.shape[key as keyof typeof rawSchema.shape] as z.ZodTypeAny | undefined;
  return !!s && !s.isOptional();
};

/**
 * The stack's config from its file, or a ConfigError listing every problem of all three stages.
 * The rules between keys run with each broken key left to its default; when a key without a
 * default is broken they cannot run, and a note says so.
 */
export function checkedStackConfig(
  projectDir: string,
  stack: string,
  env: Record<string, string | undefined>,
  opts: { allowAbsentSecrets?: boolean; overrides?: Record<string, string> } = {},
): { cfg: StackConfig; config: Record<string, string>; secretKeys: string[]; file: string } {
  const cli = cliStackConfigIssues(projectDir, stack);
  const problems = cli.issues.map((i) => describeCliIssue(i, cli.project, cli.found[i.key]));
  problems.push(
    ...plainSecretProblems(
      (k) => cli.config[k] !== undefined,
      (k) => cli.secretKeys.includes(k),
    ),
  );
  const broken = new Set(cli.issues.map((i) => i.key));
  Object.assign(cli.config, opts.overrides ?? {});
  const raw = rawFromPulumiConfig(cli.config);
  const parsed = rawSchema.safeParse(raw);
  if (!parsed.success) {
    // A key the CLI stage already reported is absent here: the schema's "required" would repeat it.
    const fresh = parsed.error.issues.filter((i) => i.path.length === 0 || !broken.has(String(i.path[0])));
    problems.push(...fresh.flatMap((i) => formatIssue(i, raw).split("\n")));
    for (const i of parsed.error.issues) {
      if (i.path.length > 0) broken.add(String(i.path[0]));
      else if (i.code === "unrecognized_keys") i.keys.forEach((k) => broken.add(k));
    }
  }
  const blocking = [...broken].filter(isRequired);
  const notes: string[] = [];
  let cfg: StackConfig | undefined;
  if (blocking.length > 0) {
    notes.push(
      `(the rules between keys, config/resolve.ts, are checked once ${blocking.map((k) => `${PROJECT}:${k}`).join(", ")} ${blocking.length > 1 ? "are" : "is"} valid)`,
    );
  } else {
    const repaired = Object.fromEntries(Object.entries(raw).filter(([k]) => !broken.has(k)));
    try {
      cfg = parseStackConfig(repaired, stack, env, { allowAbsentSecrets: opts.allowAbsentSecrets });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(...e.problems);
    }
  }
  if (cli.issues.length > 0)
    notes.push(`(the Pulumi CLI itself stops at the first: "${cli.issues[0].message}")`);
  if (problems.length > 0 || !cfg) throw new ConfigError(problems, notes);
  return { cfg, config: cli.config, secretKeys: cli.secretKeys, file: cli.file };
}

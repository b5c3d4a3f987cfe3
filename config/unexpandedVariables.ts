import * as fs from "fs";
import { isMap, isPair, isScalar, isSeq } from "yaml";
import { ConfigLocator } from "./locate";
import { shownFile } from "./paths";
import { configKeyName, configPathArg, propertyPath } from "./tree";
import { shellWord } from "../model/running";
import { secretValueAt } from "../model/secrets";
import { PROJECT } from "../model/names";
import { parsedYaml } from "./yamlDocument";

/*
 * `$VAR` and `${VAR}` in a stack file's values are read as written: the Pulumi CLI decodes the file
 * with gopkg.in/yaml.v3 (sdk/go/common/encoding/marshal.go) into config.Map, whose UnmarshalYAML
 * (sdk/go/common/resource/config/map.go) keeps each value as the text it is, and nothing on the way
 * to the program expands variables (pulumi/pulumi#11547 and pulumi/pulumi-yaml#545 ask for it;
 * Pulumi ESC environments are the supported way). A value that reads like one is most likely meant
 * to be expanded, so a run says so. A key whose form cannot hold a `$` is refused by its own check,
 * and that refusal says the same in its one line (config/errors.ts formatIssue): the run stops there,
 * saying the other values' warnings with the refusal (cli/synthRun.ts).
 */

/** A shell variable reference: `$NAME` or `${NAME}` (also `${NAME:-x}`). */
const VARIABLE = /\$(?:\{[A-Za-z_][A-Za-z0-9_]*[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)/g;

/** The variable references in a text, each once, in the order written. */
export const variableReferences = (text: string): string[] => [...new Set(text.match(VARIABLE) ?? [])];

/**
 * What to say of a value holding variable references, after the references (`$HOME is` ...): it is
 * read as written, and how to give the key the value meant. `name` is the top-level key, under the
 * project's namespace or another's (`kubeconfig`, `homelab-observability:nodePools`,
 * `kubernetes:context`), and `path` where the value sits below it: the command names the key in the
 * Pulumi CLI's property-path grammar (config/tree.ts propertyPath), so a map key holding a dot
 * (`podAnnotations["example.com/token"]`) stays one key instead of two. `stack`, when given, is
 * named in the command (config errors get it on their way out, config/errors.ts pulumiCommandsFor).
 */
export function readAsWritten(
  name: string,
  path: (string | number)[] = [],
  stack?: string,
  value?: string,
): string {
  const key = configPathArg(name, path, PROJECT);
  // A value that is or may be a credential is set encrypted: without --secret the shell's value
  // lands in the stack file in plain text, where this warning found the reference.
  const bare = configKeyName(name, PROJECT);
  const projects = !bare.includes(":");
  const secret = secretValueAt([projects ? bare : bare.slice(bare.indexOf(":") + 1), ...path], projects);
  const set = `pulumi config set${stack ? ` --stack ${shellWord(stack)}` : ""}${secret ? " --secret" : ""} --path ${key}`;
  // A value that is one reference is the command's argument as written, in double quotes, where
  // the shell expands it; any other is said in words (a `<value>` would be read by the shell as a
  // redirection, and the value itself may be a secret, never printed).
  const whole = value !== undefined && VARIABLE_ONLY.test(value.trim()) ? value.trim() : undefined;
  return whole !== undefined
    ? `read as written: stack files do not expand environment variables; write the value itself, or set it from your shell, which expands it: \`${set} "${whole}"\``
    : `read as written: stack files do not expand environment variables; write the value itself, or set it from your shell with \`${set}\` followed by the value in double quotes, where the shell expands it`;
}

/** A value that is one variable reference and nothing else. */
const VARIABLE_ONLY = /^\$(?:\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)$/;

/**
 * `text` followed by the fact that `found`'s variable references are read as written, when `found`
 * is a text that holds any: a value refused for its form (an enum, a number, a name) that was
 * meant to be expanded is one mistake, told in one line. `name` and `path` as {@link readAsWritten}.
 */
export function withUnexpanded(
  text: string,
  name: string,
  found: unknown,
  path: (string | number)[] = [],
): string {
  const refs = typeof found === "string" ? variableReferences(found) : [];
  if (refs.length === 0) return text;
  return `${text}; ${refsReadAsWritten(refs)} ${readAsWritten(name, path, undefined, found as string)}`;
}

/** `$A is` / `$A, $B are`: what a refusal says of a value's references before {@link readAsWritten}. */
const refsReadAsWritten = (refs: string[]) => `${refs.join(", ")} ${refs.length === 1 ? "is" : "are"}`;

/**
 * One warning per stack-file value holding a variable reference: the key, its `file:line`, the
 * references (never the value: a secret's plain text is not printed) and what to write instead.
 * `refused`: the problems of a refusal of the stack's config, said with these warnings; a value
 * whose refusal already says its references are read as written (withUnexpanded) is not said twice.
 */
export function unexpandedVariableWarnings(
  projectDir: string,
  stack: string,
  refused: string[] = [],
): string[] {
  const file = ConfigLocator.forStack(projectDir, stack).file;
  if (!file || !fs.existsSync(file)) return [];
  const text = fs.readFileSync(file, "utf8");
  const { doc, counter } = parsedYaml(text);
  if (doc.errors.length > 0 || !isMap(doc.contents)) return [];
  const config = doc.contents.items.find((p) => isScalar(p.key) && p.key.value === "config")?.value;
  if (!isMap(config)) return [];
  const warnings: string[] = [];
  const walk = (node: unknown, name: string, path: (string | number)[]) => {
    if (isScalar(node) && typeof node.value === "string") {
      const refs = variableReferences(node.value);
      if (refs.length === 0) return;
      const line = counter.linePos(node.range?.[0] ?? 0).line;
      const shown = propertyPath(name, path);
      const said = `${refsReadAsWritten(refs)} read as written`;
      if (refused.some((p) => p.startsWith(`${shown}: `) && p.includes(said))) return;
      warnings.push(
        `${shown}: ${refs.join(", ")} at ${shownFile(file)}:${line} is ${readAsWritten(name, path, stack, node.value)}`,
      );
    } else if (isMap(node)) {
      for (const p of node.items) {
        if (!isPair(p) || !isScalar(p.key)) continue;
        // A secure value is ciphertext the CLI decrypts: never read as text here.
        if (p.key.value === "secure" && node.items.length === 1) return;
        walk(p.value, name, [...path, String(p.key.value)]);
      }
    } else if (isSeq(node)) node.items.forEach((item: unknown, i: number) => walk(item, name, [...path, i]));
  };
  for (const p of config.items) if (isPair(p) && isScalar(p.key)) walk(p.value, String(p.key.value), []);
  return warnings;
}

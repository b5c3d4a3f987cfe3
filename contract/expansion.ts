/**
 * Whether a value is safe to substitute for `${VAR}` in a Loki or Mimir config file. Both engines
 * expand variables in the file's text before they parse it as YAML (`-config.expand-env=true`:
 * Loki v3.6.3 pkg/util/cfg/files.go:49-55, drone/envsubst `EvalEnv`; Mimir 3.0.0
 * cmd/mimir/main.go:294-296 and 321-337, `os.Expand`, newlines removed from the value), so the value
 * becomes YAML source: the program writes `key: ${VAR}`, a plain scalar, and whatever the value
 * holds is read as YAML. Both the program (its own Secrets) and the policy pack (Secrets a
 * takeover adopts) ask this one question.
 *
 * The rules are the YAML 1.2 spec's for a plain scalar in block context (https://yaml.org/spec/1.2.2/
 * rules [126] ns-plain-first, [130] ns-plain-char, [133] ns-plain-one-line): a value that would read
 * as another structure, a comment, or null (the key left empty) is refused. A value that reads as a
 * boolean or a number is not: the expanded keys are strings (the S3 credentials and endpoints), and
 * a string field takes the scalar's own text whatever it resolves to (gopkg.in/yaml.v2 v2.4.0
 * decode.go:462-470, Loki's loader; gopkg.in/yaml.v3 v3.0.1 decode.go:611-617). Loki 3.7.6 was run
 * with `region: ${VAR}` and read "true", "yes", "12345", "0x1F", "1e3", "-abc", "?abc" and ":abc"
 * back unchanged, "a #b" as "a", "abc " as "abc", "~", "null", "&abc" and "!abc" as empty, and
 * stopped at "{a". Never says what the value is.
 */

/** Characters that cannot start a plain scalar (YAML 1.2 [22] c-indicator), bar the three below. */
const INDICATORS = ",[]{}#&*!|>'\"%@`";
/** Indicators that start a plain scalar when a non-space follows (YAML 1.2 [126]: `-abc`, `?abc`, `:abc`). */
const INDICATORS_BEFORE_SPACE = "-?:";
/** The plain scalars YAML reads as null (1.2 core schema; yaml.v2 and v3 alike): the key would be empty. */
const NULL = /^(~|null|Null|NULL)$/;

/**
 * Why `value`, substituted into `key: ${VAR}`, would not reach the engine as the same string; or
 * undefined when it would. The message names the rule, never the value.
 */
export function expansionProblem(value: string): string | undefined {
  if (value === "") return "is empty: the key would be null";
  if (/[\n\r]/.test(value)) return "holds a line break: Mimir drops it and Loki starts a new YAML line";

  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value))
    return "holds a control character YAML refuses";
  if (/^\s|\s$/.test(value)) return "starts or ends with a space: YAML drops it";
  if (INDICATORS.includes(value[0]) || (INDICATORS_BEFORE_SPACE.includes(value[0]) && !/^.\S/.test(value)))
    return `starts with "${value[0]}"${INDICATORS.includes(value[0]) ? "" : " and no character after it"}, a YAML indicator: it would read as another structure, an anchor, a tag or a comment`;
  if (value.includes(": ") || value.endsWith(":"))
    return 'holds ": " (or ends with ":"): YAML reads a nested mapping';
  if (value.includes(" #")) return 'holds " #": YAML reads the rest as a comment';
  if (value.includes("\t")) return "holds a tab";
  if (NULL.test(value)) return "reads as YAML null: the key would be empty";
  return undefined;
}

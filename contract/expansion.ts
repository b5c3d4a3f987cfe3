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
 * rules [126] ns-plain-first, [130] ns-plain-char, [133] ns-plain-one-line) and the scalars YAML 1.1
 * resolves to another type (https://yaml.org/type/bool.html, null.html, int.html, float.html;
 * gopkg.in/yaml.v2, which Loki reads its file with, resolves 1.1's booleans): a value that would read
 * as another scalar, another structure or a comment is refused. Never says what the value is.
 */

/** Characters that cannot start a plain scalar (YAML 1.2 [22] c-indicator). */
const INDICATORS = "-?:,[]{}#&*!|>'\"%@`";
const NOT_A_STRING =
  /^(~|null|Null|NULL|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const NUMBER =
  /^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$|^[-+]?0[xob][0-9a-fA-F_]+$|^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$|^[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$/;

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
  if (INDICATORS.includes(value[0]))
    return `starts with "${value[0]}", a YAML indicator: it would read as another structure, an anchor, a tag or a comment`;
  if (value.includes(": ") || value.endsWith(":"))
    return 'holds ": " (or ends with ":"): YAML reads a nested mapping';
  if (value.includes(" #")) return 'holds " #": YAML reads the rest as a comment';
  if (value.includes("\t")) return "holds a tab";
  if (NOT_A_STRING.test(value) || NUMBER.test(value))
    return "reads as a YAML boolean, null or number, not a string";
  return undefined;
}

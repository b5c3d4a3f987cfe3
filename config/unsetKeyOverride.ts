/*
 * How the refusal of a chartValues override of a judged stack key the stack file leaves out begins
 * (config/stackKeyPaths.ts sameSettingProblems: `loki.mode` and `chartValues.loki.deploymentMode`),
 * and the override it names, read back from the words: config/locate.ts places the problem at
 * that override's line, the one to edit, as the key has none (its default is Pulumi.yaml's
 * `loki: {}`). One module for both, below the two that use it (locate.ts cannot import
 * stackKeyPaths.ts, which errors.ts's types reach: an import cycle).
 */

/** `expected the loki chart's deploymentMode set in one place (set it with loki.mode), got <set>`. */
export const unsetKeyOverrideText = (chart: string, path: string, key: string, set: string): string =>
  `expected the ${chart} chart's ${path} set in one place (set it with ${key}), got ${set}`;

/** The override key ({@link unsetKeyOverrideText}'s `<set>`, `chartValues.<chart>.<path>`) a problem names, else undefined. */
export function overrideOfUnsetKey(problem: string): string | undefined {
  return / set in one place \(set it with [^)]+\), got (chartValues\.[^:]+): /.exec(problem)?.[1];
}

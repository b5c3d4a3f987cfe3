import type { StackConfig } from "../config/resolve";
import { overridePaths } from "../builders/chartValues";

/** The charts with overrides (`chartValues`), empty ones left out. */
export function chartValuesOf(cv: StackConfig["chartValues"]): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    Object.entries(cv).filter(
      (e): e is [string, Record<string, unknown>] => !!e[1] && Object.keys(e[1]).length > 0,
    ),
  );
}

/**
 * The stack output naming every override in force, only when there is one: a stack without
 * `chartValues` exports what it did before.
 */
export function chartValueOutputs(cv: StackConfig["chartValues"]): { chartValueOverrides?: string[] } {
  const paths = overridePaths(chartValuesOf(cv));
  return paths.length > 0 ? { chartValueOverrides: paths } : {};
}

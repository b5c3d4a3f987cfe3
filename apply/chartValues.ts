import * as pulumi from "@pulumi/pulumi";
import { LISTS_BY_NAME, mergeValues } from "../builders/chartValues";
import { RELEASE_TYPE } from "../model/names";

/**
 * `chartValues` (plan `chartValues`: chart name -> values) merged last into every Helm release of
 * that chart, as the release is registered: the export, the offline render, every rendered-object
 * check and the policy pack all see the merged values, never the program's alone. A chart without
 * overrides is left untouched. The chart's lists in LISTS_BY_NAME keep the program's entries.
 */
export function chartValuesTransformation(
  overrides: Record<string, Record<string, unknown>>,
): pulumi.ResourceTransformation {
  return (args) => {
    if (args.type !== RELEASE_TYPE) return undefined;
    const override = overrides[args.props.chart as string];
    if (!override || Object.keys(override).length === 0) return undefined;
    const base = args.props.values ?? {};
    const named = LISTS_BY_NAME[args.props.chart as string] ?? [];
    // A release's values are plain data from its builder; should one ever be an Output, merge once it resolves.
    const values = pulumi.Output.isInstance(base)
      ? base.apply((v) => mergeValues(v as Record<string, unknown>, override, named))
      : mergeValues(base as Record<string, unknown>, override, named);
    return { props: { ...args.props, values }, opts: args.opts };
  };
}

/** A Helm release's chart and the values it is registered with: what Helm is given. */
export interface ReleaseValues {
  chart: string;
  values: Record<string, unknown>;
}

/**
 * Adds to `seen` each Helm release's chart and values as registered, after
 * {@link chartValuesTransformation}'s merge (run after it: apply/program.ts), for the nulls of the
 * user's overrides that reach Helm to be judged (config/chartValueCheck.ts helmNullProblems). A
 * release whose values are an Output is not added: they are known only once it resolves.
 */
export function releaseValuesSeen(seen: ReleaseValues[]): pulumi.ResourceTransformation {
  return (args) => {
    const values: unknown = args.props.values;
    if (
      args.type === RELEASE_TYPE &&
      !pulumi.Output.isInstance(values) &&
      values &&
      typeof values === "object"
    )
      seen.push({ chart: args.props.chart as string, values: values as Record<string, unknown> });
    return undefined;
  };
}

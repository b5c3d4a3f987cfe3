import { parseQuantity as parseQuantityText } from "@homelab-observability/contract";
import { keptPerText } from "./keptPerText";

/**
 * What each quantity text parses to (a number, or undefined), kept: a stack writes few distinct
 * quantities ("100m", "128Mi") and the budget reads every release's resources blocks, where the
 * contract's parser runs a regex and BigInt arithmetic per call. Over the pack benchmark's 10,000
 * resources the parses were 35 ms of a 1,014 ms profiled run (chartWorkloads' sumResources).
 */
const parseQuantityKept = keptPerText(parseQuantityText);

/** One quantity parser for the program and the pack: the shared contract's, its results kept per text. */
export function parseQuantity(value: unknown): number | undefined {
  return typeof value === "string" ? parseQuantityKept(value) : parseQuantityText(value);
}

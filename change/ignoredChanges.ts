import type { StackExport, SynthResult } from "../synth/synthesize";
import { plainValue } from "./describe";
import { valueAt } from "../config/tree";
import { pathSegments } from "./providerDiff";
import { sameJson } from "./sameJson";
import { resourceLabel } from "./change";
import { LIVE_FIELD_IGNORES, OBJECT_IMPORT_IGNORES, RELEASE_IMPORT_IGNORES } from "../model/importIgnores";

/**
 * The takeover's ignores, which are not the program's choice to keep a value: the import step's
 * (the update after it applies what the import kept) and the fields the live object gains that the
 * program never sets. Said of those, the warning would be false and would quote whole values maps.
 */
const TAKEOVER_IGNORES = new Set([
  ...RELEASE_IMPORT_IGNORES,
  ...OBJECT_IMPORT_IGNORES,
  ...Object.values(LIVE_FIELD_IGNORES).flat(),
]);

/** A warning line for the stack-wide change, as the image downgrade's. */
export interface IgnoredChangeVerdict {
  line: string;
  refused: false;
}

/** A value as the line shows it: a scalar as JSON, a map or list by what it is, never whole. */
const shown = (v: unknown) =>
  v === undefined
    ? "none"
    : v !== null && typeof v === "object"
      ? Array.isArray(v)
        ? "a list"
        : "a map"
      : JSON.stringify(v);

/**
 * One warning per input the synthesis asks to change where the program ignores it on update
 * (`ignoreChanges`): the engine keeps the running value (change/against.ts engineInputs, which the
 * change check judges), so nothing is refused, and nothing else says that the stack file's new value
 * does not reach what runs (the standalone Alertmanager's claim class after `storageClasses.default`
 * or a `chartValues` override changed: components/alerting/alertmanager.ts).
 */
export function ignoredChangeVerdicts(previous: StackExport, next: SynthResult): IgnoredChangeVerdict[] {
  const ignores = next.ignoreChanges ?? {};
  if (Object.keys(ignores).length === 0) return [];
  const was = new Map(previous.deployment.resources.map((r) => [r.urn, r]));
  const out: IgnoredChangeVerdict[] = [];
  for (const r of next.export.deployment.resources) {
    const old = was.get(r.urn);
    if (!old) continue;
    for (const path of ignores[r.urn] ?? []) {
      const parts = pathSegments(path);
      if (parts.includes("*") || TAKEOVER_IGNORES.has(path)) continue;
      const [kept, asked]: unknown[] = [valueAt(old.inputs, parts), valueAt(r.inputs, parts)];
      // A secret on either side is not compared: its text is not ours to show.
      if (plainValue(kept) !== kept || plainValue(asked) !== asked) continue;
      if (sameJson(kept, asked)) continue;
      out.push({
        line: `WARNING ${resourceLabel(r)} ${path}: the stack now asks ${shown(asked)}, and the update keeps ${shown(kept)}, which it runs with: the program ignores this input on update (ignoreChanges), so the new value applies only where the resource is created anew`,
        refused: false,
      });
    }
  }
  return out;
}

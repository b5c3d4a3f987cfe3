import type { SuiteTimings } from "./suiteTimings";
import { didYouMean } from "../config/errors";

/**
 * Every fast-feedback target's bound, in SDK loads (measured / the time a fresh node takes to load
 * the six SDK modules, cli/sdkReference.ts, in the same run): the one place for them. The suite's
 * two are read from the test reporter's records of the runs CI makes (cold in its fresh clone, then
 * warm).
 */
export const TARGET_RATIOS = {
  /** `npm run synth -- --stack <largest stack>`, a fresh process through npm. */
  synth: 1.2,
  /** `npm run policy:check -- <export>`, a fresh process through npm. */
  policy: 1.5,
  /** Rendering an unchanged stack again (the render cache on disk), in a fresh process. */
  render: 0.1,
  /** The pack over 10,000 distinct resources, in process. */
  pack: 0.25,
  /** A warm `npm test` (the caches filled by an earlier run of the same commit). */
  suite: 50,
  /** A cold `npm test`: a fresh clone after `npm ci`, every cache of the checkout empty. */
  "suite-cold": 80,
} as const;
export type TargetId = keyof typeof TARGET_RATIOS;
export const TARGETS = Object.keys(TARGET_RATIOS) as TargetId[];

/** One target's result. */
export interface Row {
  /** Short name for `--check=`. */
  id: TargetId;
  what: string;
  /** Measured, in SDK loads; undefined when there is nothing of this commit to read. */
  ratio: number | undefined;
  /** Why there is no ratio, or what else to know. */
  note?: string;
}

export const met = (r: Row): boolean => r.ratio !== undefined && r.ratio <= TARGET_RATIOS[r.id];

/** A ratio as printed: three decimals below 1, two above. */
export const times = (r: number): string => `${r < 1 ? r.toFixed(3) : r.toFixed(2)}x`;

/** A row as printed: a ratio and its bound, never a time (a time means nothing on another machine). */
export function formatRow(r: Row, gated: boolean): string {
  const bound = TARGET_RATIOS[r.id];
  const figure = r.ratio === undefined ? "-" : times(r.ratio);
  return (
    `${met(r) ? "ok  " : gated ? "MISS" : "miss"} ${r.id.padEnd(10)} ${r.what.padEnd(62)} ${figure.padStart(8)} of the SDK load, bound ${times(bound)}` +
    (r.ratio === undefined || !Number.isFinite(r.ratio)
      ? ""
      : ` (${((r.ratio / bound) * 100).toFixed(0)}% of it)`) +
    (r.note ? `; ${r.note}` : "")
  );
}

/**
 * The suite's warm or cold target from the reporter's record: a miss, with the reason, when the
 * record is missing, of another commit, of the other kind of run, or without its SDK load; never a
 * figure that is not this code's.
 */
export function suiteRow(
  id: "suite" | "suite-cold",
  t: SuiteTimings | undefined,
  head: string,
  file: string,
): Row {
  const what = `npm test, whole suite, ${id === "suite" ? "warm" : "cold (empty caches)"}`;
  const why = !t
    ? `no ${file}: run \`npm test\` first (or pass --suite)`
    : t.commit !== head
      ? `the record is of commit ${t.commit.slice(0, 12)}, not ${head.slice(0, 12)}`
      : !(t.sdkLoadMs > 0)
        ? "the record has no SDK load (written before the reporter measured it)"
        : (id === "suite") === t.cold
          ? `the last run was ${t.cold ? "cold" : "warm"}: run \`npm test\` ${t.cold ? "again" : "in a fresh clone"}`
          : undefined;
  if (!t || why) return { id, what, ratio: undefined, note: why };
  const notes = [
    t.failures > 0 ? `${t.failures} failing` : "",
    t.cpus !== 2 ? `ran on ${t.cpus} CPUs (mocha runs three workers, tuned for two)` : "",
  ].filter(Boolean);
  return {
    id,
    what: `${what}, ${t.passes} passing`,
    // A failing suite meets no target, however fast.
    ratio: t.failures > 0 ? Infinity : t.wallMs / t.sdkLoadMs,
    note: notes.join("; ") || undefined,
  };
}

/**
 * The closing line and the exit status: 1 when a gated target is missed. The line says the status
 * it gives, as every command's last line does: `bench: FAIL (exit 1): missed synth (gated), render`.
 */
export function verdict(rows: Row[], gated: ReadonlySet<string>): { line: string; status: 0 | 1 } {
  const missed = rows.filter((r) => !met(r));
  const gatedMisses = missed.filter((r) => gated.has(r.id));
  const status = gatedMisses.length ? 1 : 0;
  const names = missed.map((r) => (gated.has(r.id) ? `${r.id} (gated)` : r.id)).join(", ");
  const why = !missed.length
    ? "every target met"
    : status
      ? `missed ${names}`
      : `missed ${names}; ${gated.size ? `every gated target met (${[...gated].join(", ")})` : "none gated (--check gates them)"}`;
  return { line: `bench: ${status ? "FAIL" : "pass"} (exit ${status}): ${why}`, status };
}

/** The closing line of a run that ends before any verdict: exit 2, and why. */
export const benchFailLine = (why: string): string => `bench: FAIL (exit 2): ${why}`;

/**
 * The targets `--check` gates: none without it (`undefined`), every one with `--check` alone (""),
 * else those named, comma-separated. Names that are no target throw, every one of them on its own
 * line, each naming the closest target and every target.
 */
export function gatedTargets(checkArg: string | undefined): Set<string> {
  const named = checkArg === undefined ? [] : checkArg === "" ? TARGETS : checkArg.split(",");
  const unknown = named.filter((id) => !(TARGETS as string[]).includes(id));
  if (unknown.length > 0)
    throw new Error(
      unknown
        .map(
          (id) =>
            `--check=: unknown target "${id}"${didYouMean(id, TARGETS)} (expected one of ${TARGETS.join(", ")})`,
        )
        .join("\n"),
    );
  return new Set(named);
}

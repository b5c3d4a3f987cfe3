/**
 * The known name a mistyped one means, for a "did you mean": the config's keys and values
 * (config/errors.ts, config/chartValueCheck.ts) and the pack's (a chart value outside its options,
 * policy/loki.ts) measure a slip the same way.
 */

/**
 * Edit distance between two names, case-insensitive: insertions, deletions, substitutions and
 * swaps of two neighbouring letters (amd46 is one step from amd64). `x` and `y` are lower case
 * already. Stops at `cutoff` (returns it) once no path can come under it: every chart values key
 * the stack sets that the chart lacks is measured against every key of its level, on each
 * synthesis, and most are far off. Three rows reused across calls, not a matrix of arrays per call
 * (the matrix and its closures were most of the time).
 */
function editDistance(x: string, y: string, cutoff: number): number {
  // No edit shortens or lengthens a name by more than one letter.
  if (Math.abs(x.length - y.length) >= cutoff) return cutoff;
  const n = y.length;
  if (rows[0].length <= n) rows = [0, 1, 2].map(() => new Int32Array(n + 1)) as typeof rows;
  let [older, prev, cur] = rows;
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= x.length; i++) {
    cur[0] = i;
    let least = i;
    for (let j = 1; j <= n; j++) {
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d = Math.min(d, older[j - 2] + 1);
      cur[j] = d;
      if (d < least) least = d;
    }
    // No later row holds less than this row's least (a swap's cell, one more than the cell two
    // rows up, is never under the substitution's cell between them, in the row before), and the
    // distance is in the last row.
    if (least >= cutoff) return cutoff;
    [older, prev, cur] = [prev, cur, older];
  }
  return prev[n];
}
/** {@link editDistance}'s rows, grown to the longest name measured. */
let rows: [Int32Array, Int32Array, Int32Array] = [new Int32Array(32), new Int32Array(32), new Int32Array(32)];

/** The known name fewest edits from `name` (the first of a tie), with that distance. */
export function nearest(name: string, known: readonly string[]): { best?: string; distance: number } {
  let best: string | undefined;
  let distance = Infinity;
  const x = name.toLowerCase();
  for (const k of known) {
    // A name no closer than the best so far is never the answer: its measure may stop there.
    const d = editDistance(x, k.toLowerCase(), distance);
    if (d < distance) [best, distance] = [k, d];
  }
  return { best, distance };
}

/** `distance` edits from `name` to `known` make a slip of one name, not another name: a third of its letters at most. */
export function fewEdits(name: string, known: string, distance: number): boolean {
  return distance <= Math.max(1, Math.floor(Math.max(name.length, known.length) / 3));
}

/**
 * The known name `name` is a slip of ({@link fewEdits} from the nearest), or undefined: edits
 * alone, without {@link closestMatch}'s short and long forms, for a name that must be the same
 * word misspelt (`grafanaAdminPasword`, not `grafanaUrl2` holding `grafana`).
 */
export function slipOf(name: string, known: readonly string[]): string | undefined {
  const { best, distance } = nearest(name, known);
  return best !== undefined && fewEdits(name, best, distance) ? best : undefined;
}

/**
 * The known name closest to a mistyped one, when it is close enough to be the likely intent (at
 * most a third of its letters differ, or one contains the other: the one known name it begins, or
 * the nearest name it holds); undefined otherwise, so a "did you mean" is never a wild guess.
 */
export function closestMatch(name: string, known: readonly string[]): string | undefined {
  const { best, distance } = nearest(name, known);
  if (best === undefined) return undefined;
  if (fewEdits(name, best, distance)) return best;
  if (name.length < 3) return undefined;
  const given = name.toLowerCase();
  // A short form of a longer name (`prod` for `production`) is many edits from it, so a short name
  // a few edits away (`pi`) can be nearer yet no likelier: the one known name it begins is meant,
  // nearest or not. Two or more it begins are no answer (a pick among them would be a guess), nor
  // is a name that merely holds it (`blocksRetention` for `retention`).
  const holders = known.filter((k) => k.toLowerCase().startsWith(given));
  if (holders.length > 0) return holders.length === 1 ? holders[0] : undefined;
  // A longer form of a known name (`lokis` for `loki`) names the nearest, which it holds.
  return given.includes(best.toLowerCase()) ? best : undefined;
}

/**
 * The option a value outside an enum's options means, if any. An enum has a few options, not the
 * dozens of keys a level may have, so beyond {@link closestMatch}'s bound (a third of the letters)
 * the nearest option is still offered when at most half the letters of the shorter of the two
 * differ and no other option is as near: `handoff` is three edits from `handover`, eight letters,
 * and far from `stay` and `moved`.
 */
export function closestOption(found: string, options: readonly string[]): string | undefined {
  const near = closestMatch(found, options);
  if (near !== undefined) return near;
  const { best, distance } = nearest(found, options);
  if (best === undefined || found.length < 3) return undefined;
  const given = found.toLowerCase();
  const asNear = options.filter((o) => editDistance(given, o.toLowerCase(), distance + 1) === distance);
  // Half of the shorter: two edits turn `ftp` into `http`, a scheme of its own, not a slip.
  return asNear.length === 1 && distance <= Math.floor(Math.min(found.length, best.length) / 2)
    ? best
    : undefined;
}

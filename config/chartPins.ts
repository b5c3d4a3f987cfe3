/**
 * The chart pins of model/versions.ts, judged before anything renders them. esbuild, which builds
 * the commands, strips types without checking them, so a pin's misspelt key (`versoin`) or a version
 * Helm reads loosely (`12.11`, a range, or `v12.11.1` for a chart published as `12.11.1`) reaches
 * the render: the first as a release without a version, the second as a pull that saves an archive
 * under another name than the one looked for. Each is said here as the slip it is, at its line of
 * model/versions.ts.
 */
import * as fs from "fs";
import * as path from "path";
import { closestMatch, slipOf } from "@homelab-observability/contract";
import { DIGEST_FORM, versions, type ImageRef } from "../model/versions";
import { cachedVersions, chartCacheDir } from "./chartCache";
import { ConfigError, listedProblems, namesKey, problemIsAt } from "./errors";
import { projectRoot } from "./paths";

/** The file the pins are written in, as messages name it (relative to the project). */
export const VERSIONS_FILE = "model/versions.ts";

/** A chart pin's keys, every one required (model/versions.ts ChartRef). */
const PIN_KEYS = ["chart", "repo", "version"] as const;

/**
 * An exact chart version: SemVer 2.0's `X.Y.Z`, with a `-<pre-release>` and a `+<build>` if any, and
 * a leading `v` for a chart that publishes its versions so (cert-manager's `v1.14.0`). Helm's
 * `--version` first looks for a version written exactly so in the repository's index, and only then
 * reads it as a constraint (`12.11`, `^12.3` and a `v12.11.1` the index writes `12.11.1` all resolve
 * to some release; helm pkg/repo/index.go IndexFile.Get); the archive it saves is named after the
 * index's version, and the cache is looked up by the pin's own text: only the version as the index
 * writes it (what Renovate's helm datasource writes) names the archive the render reads. Whether a
 * `v` is the chart's or a slip, only the index knows: the pins' check says it when the chart cache
 * holds the version in the other form ({@link chartPinProblems}), the pull when Helm saves that form.
 */
export const EXACT_CHART_VERSION =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/** What an exact chart version looks like, for the messages. */
const EXACT_FORM =
  "an exact chart version as its repository writes it, X.Y.Z (vX.Y.Z for a chart published so; SemVer, -<pre-release> and +<build> allowed; no range)";

/** The text of model/versions.ts, or "" where the sources are not beside the program. */
function versionsSource(): string {
  try {
    return fs.readFileSync(path.join(projectRoot(__dirname), VERSIONS_FILE), "utf8");
  } catch {
    return "";
  }
}

/** The 1-based line of offset `at` in `text`. */
const lineAt = (text: string, at: number): number => text.slice(0, at).split("\n").length;

/**
 * Where `<section>.<entry>` (a chart or image pin) is written in the text of model/versions.ts: the
 * line of its key, and the line of each key inside its braces. Undefined when the text does not
 * hold it in that shape.
 */
function pinLines(
  text: string,
  entry: string,
  section: "charts" | "images" = "charts",
): { line: number; keys: Map<string, number> } | undefined {
  const charts = new RegExp(`^\\s*${section}\\s*:\\s*\\{`, "m").exec(text);
  if (!charts) return undefined;
  const key = new RegExp(`^[ \\t]*["']?${entry.replace(/[$]/g, "\\$")}["']?\\s*:\\s*\\{`, "m").exec(
    text.slice(charts.index),
  );
  if (!key) return undefined;
  const open = charts.index + key.index + key[0].length - 1;
  // The entry's braces: a pin's strings (URLs, versions) hold none.
  let depth = 0;
  let close = open;
  for (; close < text.length; close++) {
    if (text[close] === "{") depth++;
    else if (text[close] === "}" && --depth === 0) break;
  }
  const keys = new Map<string, number>();
  const body = text.slice(open + 1, close);
  for (const m of body.matchAll(/(^|[\s,{])(["']?)([A-Za-z_$][\w$]*)\2\s*:/g))
    if (!keys.has(m[3])) keys.set(m[3], lineAt(text, open + 1 + m.index + m[1].length));
  return { line: lineAt(text, charts.index + key.index + key[0].search(/\S/)), keys };
}

/**
 * The version `found` means, for a `version` that is not exact, read without a leading `v` or range
 * operator (`v12.11.1`, `^12.3`): the newest version the chart cache holds of the chart that it
 * shortens (`12.11` for 12.11.1, the release Helm would take), else the closest one held (a slip
 * of a character, `12.11.l`), else the exact version it is written around.
 */
function meantVersion(found: string, held: readonly string[]): string | undefined {
  const bare = found.trim().replace(/^[\s=^~<>vV]+/, "");
  // `held` is in version order: the last is the newest.
  const shortened = held.filter((h) => h.startsWith(`${bare}.`));
  // Helm takes a release over a pre-release a constraint also matches (12.11.0 over 12.11.1-beta.1).
  const stable = shortened.filter((h) => !/[-+]/.test(h));
  if (stable.length > 0) return stable[stable.length - 1];
  if (shortened.length > 0) return shortened[shortened.length - 1];
  const near = closestMatch(bare, held) ?? closestMatch(found, held);
  if (near !== undefined) return near;
  return EXACT_CHART_VERSION.test(bare) ? bare : undefined;
}

/**
 * A chart pin whose `chart` names no chart the chart cache holds, where the cache holds one it is a
 * slip of (`grafanna` for grafana): `entry` is the pin's key under `charts`, `written` its `chart`,
 * `meant` the name the cache holds. A name held by another pin is none meant: a pin slipped onto it
 * would render that chart twice, not this one. A cache holding nothing near says nothing: a chart
 * not pulled yet is named by the pull.
 */
export interface MisnamedChart {
  entry: string;
  written: string;
  meant: string;
}

/** The chart pins whose `chart` is a slip of a chart the chart cache holds ({@link MisnamedChart}). */
export function misnamedCharts(
  charts: Record<string, unknown> = versions.charts,
  cache: string = chartCacheDir(),
  held: Map<string, string[]> = cachedVersions(cache),
): MisnamedChart[] {
  const written = Object.entries(charts).flatMap(([entry, pin]) => {
    const chart =
      typeof pin === "object" && pin !== null ? (pin as Record<string, unknown>).chart : undefined;
    return typeof chart === "string" && chart.trim() !== "" ? [{ entry, chart }] : [];
  });
  const free = [...held.keys()].filter((name) => !written.some((w) => w.chart === name));
  return written.flatMap(({ entry, chart }) => {
    // A slip of a few letters only: a new chart not pulled yet may hold a cached one's name whole.
    const meant = held.has(chart) ? undefined : slipOf(chart, free);
    return meant === undefined ? [] : [{ entry, written: chart, meant }];
  });
}

/**
 * `e` (a stack file's refusal) without what it says of `chartValues.<meant>` for each pin in
 * `misnamed`: the stack's `chartValues` takes the charts by the names the pins give them
 * (config/chartValues.ts), so a pin's slip (`grafanna`) makes a stack's right `chartValues.grafana`
 * an unknown key whose "did you mean" is the slip. That is the pin's mistake, said once as the
 * pin's (model/versions.ts, {@link chartPinProblems}); the stack's values for that chart are judged
 * once the pin names it. Undefined when nothing else is left.
 */
export function withoutMisnamedCharts(e: ConfigError, misnamed: MisnamedChart[]): ConfigError | undefined {
  if (misnamed.length === 0) return e;
  const keys = misnamed.map((m) => `chartValues.${m.meant}`);
  const kept = e.problems.map((p) => !keys.some((k) => problemIsAt(p, k)));
  if (kept.every(Boolean)) return e;
  const problems = e.problems.filter((_, i) => kept[i]);
  if (problems.length === 0) return undefined;
  return new ConfigError(
    problems,
    e.notes.filter((n) => !keys.some((k) => namesKey(n, k))),
    e.places.filter((_, i) => kept[i]),
    e.firstFile,
    e.overrides.filter((o) => !misnamed.some((m) => o[0] === m.meant)),
  );
}

/**
 * Every slip in the chart pins, one message each, led by `model/versions.ts:<line>` and the pin's
 * key path: a key no pin has (with the key it is closest to), a required key missing or not a
 * non-empty string, a chart's name the chart cache holds none of but is a slip of one it holds
 * ({@link misnamedCharts}), a version that is not {@link EXACT_CHART_VERSION} (with the closest version
 * the chart cache holds of that chart, and what it holds), and an exact one the cache holds only in
 * the other form (`v6.49.0` where it holds loki 6.49.0, `1.2.3` where it holds a chart's v1.2.3).
 * Empty when every pin is sound.
 */
export function chartPinProblems(
  charts: Record<string, unknown> = versions.charts,
  text: string = versionsSource(),
  cache: string = chartCacheDir(),
): string[] {
  const problems: string[] = [];
  const has = `a chart pin has ${PIN_KEYS.slice(0, -1).join(", ")} and ${PIN_KEYS[PIN_KEYS.length - 1]}`;
  const cached = cachedVersions(cache);
  const slips = misnamedCharts(charts, cache, cached);
  for (const [entry, pin] of Object.entries(charts)) {
    const lines = pinLines(text, entry);
    const at = (line: number | undefined) => `${VERSIONS_FILE}${line === undefined ? "" : `:${line}`}`;
    if (typeof pin !== "object" || pin === null || Array.isArray(pin)) {
      problems.push(
        `${at(lines?.line)}: charts.${entry}: expected a chart pin {chart, repo, version}, got ${JSON.stringify(pin)}`,
      );
      continue;
    }
    const fields = pin as Record<string, unknown>;
    // A misspelt key names the key it means, which is then not said missing too: one slip, one message.
    const meant = new Set<string>();
    for (const k of Object.keys(fields).filter((k) => !(PIN_KEYS as readonly string[]).includes(k))) {
      const near = closestMatch(k, PIN_KEYS);
      if (near !== undefined && fields[near] === undefined) meant.add(near);
      problems.push(
        `${at(lines?.keys.get(k))}: charts.${entry}.${k}: unknown key${near === undefined ? "" : `; did you mean "${near}"?`} (${has})`,
      );
    }
    for (const k of PIN_KEYS) {
      const v = fields[k];
      if (v === undefined) {
        if (!meant.has(k)) problems.push(`${at(lines?.line)}: charts.${entry}: no ${k} (${has})`);
      } else if (typeof v !== "string" || v.trim() === "")
        problems.push(
          `${at(lines?.keys.get(k))}: charts.${entry}.${k}: expected a non-empty string, got ${JSON.stringify(v)}`,
        );
    }
    const chart = typeof fields.chart === "string" ? fields.chart : entry;
    // A chart's name misspelt: its versions are judged once the name is the one the cache holds.
    const misnamed = slips.find((m) => m.entry === entry);
    if (misnamed) {
      const holds = (cached.get(misnamed.meant) ?? []).join(", ");
      problems.push(
        `${at(lines?.keys.get("chart"))}: charts.${entry}.chart: expected the chart's name as its repository names it, got ${JSON.stringify(chart)}, which the chart cache holds no version of; did you mean ${JSON.stringify(misnamed.meant)}? (the chart cache holds ${misnamed.meant} ${holds}; a stack file's chartValues.${misnamed.meant} is judged as this chart's values once the pin names it so)`,
      );
      continue;
    }
    const version = fields.version;
    if (typeof version !== "string" || version.trim() === "") continue;
    const held = cached.get(chart) ?? [];
    const holds = held.length > 0 ? ` (the chart cache holds ${chart} ${held.join(", ")})` : "";
    if (EXACT_CHART_VERSION.test(version)) {
      // The same version in the other form held, this one not: the chart publishes it in that form,
      // and a pull of this one would save that archive, not the one the render looks for.
      const other = version.startsWith("v") ? version.slice(1) : `v${version}`;
      if (held.includes(other) && !held.includes(version))
        problems.push(
          `${at(lines?.keys.get("version"))}: charts.${entry}.version: expected ${EXACT_FORM}, got ${JSON.stringify(version)}, but ${chart} publishes it ${other.startsWith("v") ? "with" : "without"} a "v"; did you mean ${JSON.stringify(other)}?${holds}`,
        );
      continue;
    }
    const near = meantVersion(version, held);
    problems.push(
      `${at(lines?.keys.get("version"))}: charts.${entry}.version: expected ${EXACT_FORM}, got ${JSON.stringify(version)}${near === undefined ? "" : `; did you mean "${near}"?`}${holds}`,
    );
  }
  return problems;
}

/**
 * `model/versions.ts:<line>` of the image pin `name` (its key under `images`; with `key`, the line
 * of that key inside it, `tag` for the version a finding names), or the file alone when the source
 * is not beside the program (a bundle): a finding on a pin points at the line to change.
 */
export function pinPlace(name: string, text: string = versionsSource(), key?: string): string {
  const lines = pinLines(text, name, "images");
  const line = (key === undefined ? undefined : lines?.keys.get(key)) ?? lines?.line;
  return line === undefined ? VERSIONS_FILE : `${VERSIONS_FILE}:${line}`;
}

/**
 * Where the pin of chart `chart` at `version` sets that version: `at`, `model/versions.ts:<line>`
 * (the line of its `version` key; the file alone when the source is not beside the program), and
 * `key`, `charts.<entry>.version`; undefined when no pin names that chart at that version.
 */
export function chartPinPlace(
  chart: string,
  version: string,
  charts: Record<string, { chart: string; version: string }> = versions.charts,
  text: string = versionsSource(),
): { at: string; key: string } | undefined {
  const entry = Object.keys(charts).find((k) => charts[k].chart === chart && charts[k].version === version);
  if (entry === undefined) return undefined;
  const line = pinLines(text, entry)?.keys.get("version");
  return { at: `${VERSIONS_FILE}${line === undefined ? "" : `:${line}`}`, key: `charts.${entry}.version` };
}

/**
 * Each image pin whose digest is not of {@link DIGEST_FORM}: every chart renders it into a
 * reference no registry resolves (a digest one digit short names nothing), and nothing else reads
 * its form before a node fails to pull it. Judged with the chart pins, once a run and before any
 * render, not once per stack that renders the image.
 */
export function imagePinProblems(
  images: Record<string, ImageRef> = versions.images,
  text: string = versionsSource(),
): string[] {
  return Object.entries(images)
    .filter(([, i]) => i.digest !== undefined && !DIGEST_FORM.test(i.digest))
    .map(
      ([name, i]) =>
        `${pinPlace(name, text)}: images.${name}.digest: expected sha256:<64 lowercase hex digits> (the OCI image spec's algorithm:encoded), got ${JSON.stringify(i.digest)}, which no registry resolves; write the digest \`crane digest ${i.registry}/${i.repository}:${i.tag}\` prints (or remove it: Renovate's pinDigests writes it)`,
    );
}

/**
 * The program's pin slips as a real run says them (config/load.ts): under a heading naming
 * model/versions.ts, each at its line, in the list form of a refused stack configuration
 * (errors.ts listedProblems). Not "invalid stack configuration": the slip is the program's (a pin
 * edited by hand, a Renovate bump), and nothing in the stack file mends it.
 */
export function pinsRefusedText(problems: string[]): string {
  const n = `${problems.length} problem${problems.length === 1 ? "" : "s"}`;
  return `invalid pins in ${VERSIONS_FILE}, the program's own, not the stack configuration (${n}):${listedProblems(problems, [])}`;
}

/** A real run refused for the program's pins alone ({@link pinsRefusedText}); the stack file passed. */
export class PinError extends Error {
  constructor(readonly problems: string[]) {
    super(pinsRefusedText(problems));
    this.name = "PinError";
  }
}

/** Every slip in model/versions.ts's pins: the chart pins' ({@link chartPinProblems}), then the image pins' digests. */
export function pinProblems(): string[] {
  // The file read once for both: this runs in every synth and every pulumi preview/up.
  const text = versionsSource();
  return [...chartPinProblems(versions.charts, text), ...imagePinProblems(versions.images, text)];
}

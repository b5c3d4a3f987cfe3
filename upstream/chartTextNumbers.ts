import swept from "./charts/data/text-numbers.json";

/**
 * The number keys of the pinned charts at which a whole number written as text ("7") renders as
 * the number does: the templates print it unquoted (`port: {{ .Values.service.port }}`) or convert
 * it, so the rendered objects hold the number, and the chart runs as with the number. Where "0"
 * renders otherwise (a template's `if` takes the text "0" as true and 0 as false: kube-etcd's
 * Service port in victoria-metrics-k8s-stack renders a port 0 for "0" and none for 0), the key is
 * under `nonzero`, and only the text of a whole number above 0 is the number there.
 *
 * Swept by `npm run refresh-text-numbers` (synth/textNumbers.ts states the method) over each
 * chart archive at `version` (the one model/versions.ts pins) with Helm at `helm`, into
 * upstream/charts/data/text-numbers.json: for every key whose default is a number
 * (config/chartKeys.ts `kinds`), `helm template` with the key set to 7, 0, "7" and "0" over each values set of `values` (the chart's defaults where they
 * render, and each stack's Release values), the documents compared parsed. A key is listed where
 * the number changes the render (a template reads it there) and the text renders the same as the
 * number in each values set that reads it. Not listed, so text there stays refused
 * (config/chartValueCheck.ts): a key whose text renders otherwise (a probe's
 * `initialDelaySeconds: "7"`, a `securityContext.runAsUser: "7"`: written with toYaml, the object
 * holds the text where its schema types an integer; a PodDisruptionBudget's `maxUnavailable: "7"`;
 * the VM stack's `vmsingle.spec.replicaCount`, passed into the CR as it is), a key whose text Helm
 * refuses (loki's values.schema.json types its counts, ports and settings integer or number), and a
 * key no render there reads (a part those values leave off: nothing was seen, so nothing is
 * claimed).
 */
export interface TextNumbersRow {
  /** The chart version swept: the pinned one (a test holds it). */
  version: string;
  /** The Helm version the sweep ran. */
  helm: string;
  /** The values sets swept over: `defaults`, and `<stack> <namespace>/<release>` (`=` joins sets alike). */
  values: string[];
  /** Keys where the text of any whole number renders as the number. */
  any: string[];
  /** Keys where the text of a whole number above 0 does, and "0" renders otherwise. */
  nonzero: string[];
}

/** What synth/textNumbers.ts writes. */
export interface ChartTextNumbersData {
  generatedBy: string;
  /** A row per pinned chart with number keys. */
  charts: Record<string, TextNumbersRow>;
}

export const CHART_TEXT_NUMBERS_DATA: ChartTextNumbersData = swept;

/** Each pinned chart's row ({@link TextNumbersRow}). */
export const CHART_TEXT_NUMBERS: Readonly<Record<string, Readonly<TextNumbersRow>>> = swept.charts;

/**
 * Whether the text `v` at the values path `path` of `chart` renders as the whole number it spells
 * ({@link CHART_TEXT_NUMBERS}): digits alone with no leading zero (YAML 1.1 reads "07" as octal),
 * above 0 at a `nonzero` key.
 */
export function chartTextIsNumber(chart: string, path: readonly string[], v: unknown): boolean {
  const row = CHART_TEXT_NUMBERS[chart];
  if (row === undefined || typeof v !== "string" || !/^(0|[1-9]\d*)$/.test(v)) return false;
  const key = path.join(".");
  return row.any.includes(key) || (v !== "0" && row.nonzero.includes(key));
}

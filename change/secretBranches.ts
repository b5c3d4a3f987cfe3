/**
 * A previous export's release whose values hold, as ciphertext only (a `pulumi stack export`
 * without --show-secrets), a secret where its chart's values.yaml holds a boolean or a number:
 * offline the secret renders as a placeholder text (synth/render/secrets.ts), which Helm reads as
 * true where it branches on the value (Grafana's `persistence.enabled` off renders a claim the
 * cluster never had), so what that release rendered is not known. Its objects' refusals are not
 * said (each could be one of an object the previous state never held) and one note says why and
 * how to judge it. A readable secret is rendered as its value and judged as any other.
 */
import { mapSecrets, secretPlaintext } from "@homelab-observability/contract";
import { RELEASE_TYPE } from "../model/names";
import type { KindTree } from "../config/chartKeys";
import { chartKeysAt } from "../synth/render/chartFacts";
import { chartName } from "../synth/render/release";
import { synthesized, type StackExport } from "../synth/synthesize";
import type { ChangeReport } from "./change";

/** A release of the previous export and the values paths it holds as ciphertext where its chart's default is a boolean or a number. */
interface Unrendered {
  /** `<namespace>/<name>`, as its objects' owner names it. */
  named: string;
  paths: { path: string; kind: "boolean" | "number" }[];
}

/** The kind of the chart's default at `path` (its values.yaml), when a boolean or a number. */
function kindAt(kinds: KindTree | undefined, path: (string | number)[]): "boolean" | "number" | undefined {
  let at: KindTree | "boolean" | "number" | undefined = kinds;
  for (const k of path) {
    if (at === undefined || typeof at === "string") return undefined;
    at = at[String(k)];
  }
  return typeof at === "string" ? at : undefined;
}

/** The releases of `previous` whose rendering a ciphertext-only secret leaves unknown. */
function unrendered(previous: StackExport, keysAt = chartKeysAt): Unrendered[] {
  const found: Unrendered[] = [];
  // A synthesis' secrets (synthesize.ts: ciphertext "synth-redacted") are the program's own, which
  // its next synthesis renders as the same placeholder: no deployment's value stands behind them.
  if (synthesized(previous)) return found;
  for (const r of previous.deployment.resources) {
    if (r.type !== RELEASE_TYPE) continue;
    const i = r.inputs ?? {};
    const chart = chartName(i.chart);
    const paths: Unrendered["paths"] = [];
    let kinds: KindTree | undefined;
    mapSecrets(i.values ?? {}, (envelope, path) => {
      if (secretPlaintext(envelope)) return envelope;
      kinds ??= keysAt(chart, String(i.version ?? ""))?.kinds ?? {};
      const kind = kindAt(kinds, path);
      if (kind) paths.push({ path: path.join("."), kind });
      return envelope;
    });
    if (paths.length > 0) {
      const name = String(i.name ?? r.urn.split("::").pop());
      found.push({ named: `${String(i.namespace ?? "default")}/${name}`, paths });
    }
  }
  return found;
}

/**
 * `report` with the refusals of the objects of each release {@link unrendered} finds dropped,
 * and one note naming those releases and their paths (never a value) that refuses nothing.
 */
export function withUnrenderedSecrets(
  previous: StackExport,
  report: ChangeReport,
  keysAt = chartKeysAt,
): { report: ChangeReport; verdicts: { line: string; refused: false }[] } {
  const found = unrendered(previous, keysAt).filter((u) =>
    report.refused.some((e) => e.owner === `release ${u.named}`),
  );
  if (found.length === 0) return { report, verdicts: [] };
  const owners = new Set(found.map((u) => `release ${u.named}`));
  const entries = report.entries.map((e) => (owners.has(e.owner) ? { ...e, refused: [] } : e));
  const one = found.length === 1;
  const pathsOf = (u: Unrendered) =>
    u.paths.map((p) => `${p.path} (a ${p.kind} in the chart's values.yaml)`).join(", ");
  const held = one ? `its ${pathsOf(found[0])}` : found.map((u) => `${u.named}'s ${pathsOf(u)}`).join("; ");
  const whose = one ? `release ${found[0].named}` : `releases ${found.map((u) => u.named).join(", ")}`;
  const line =
    `NOTE the change of ${whose}'s objects is not judged: the previous export holds ${held} as ciphertext only (a pulumi stack export without --show-secrets), ` +
    `and offline a secret renders as a placeholder text, which Helm reads as true where it branches on the value, so what ${one ? "that release" : "each"} rendered is not known and no change of ${one ? "its" : "their"} objects is refused here. ` +
    `Export the state with pulumi stack export --show-secrets to judge it`;
  return {
    report: { entries, refused: entries.filter((e) => e.refused.length > 0) },
    verdicts: [{ line, refused: false }],
  };
}

/**
 * The `--against` warning of an Alertmanager hand-over: a move between phases whose Alertmanager
 * differs (model/phases.ts `alertmanager`: kube-prometheus-stack's until backend-primary, then the
 * standalone one or VictoriaMetrics', and back). Each keeps its silences and notification log on its
 * own claim and the program copies none of them, so the Alertmanager that takes the routes starts
 * without the silences of the one before (docs/how-to/move-between-phases.md "Alert state"). The
 * objects below show only one Alertmanager's deletion and the other's creation.
 *
 * Warned, not refused: silences are the operator's to carry over (amtool, the docs' commands), and
 * the move itself is the migration's.
 */
import { BACKENDS, capabilities, type Backend, type Phase, type PhaseCapabilities } from "../model/phases";
import { RELEASE_TYPE, RELEASES } from "../model/names";
import type { ExportResource, StackExport } from "../synth/synthesize";
import { listed } from "../model/words";
import { plainValue } from "./describe";
import { parseSegments } from "@homelab-observability/contract";
import { chartValueOverridesOf } from "../synth/report";
import { backendOfExport, phaseOfExport } from "./phaseMove";

type Alertmanager = PhaseCapabilities["alertmanager"];

const NAMES: Record<Alertmanager, string> = {
  kps: "kube-prometheus-stack's Alertmanager",
  standalone: `the standalone Alertmanager (release ${RELEASES.alertmanager})`,
  vm: "VictoriaMetrics' Alertmanager (VMAlertmanager)",
};

/**
 * The Alertmanager `phase` runs on `backend`; without a backend (a phase that runs none), the one
 * every backend's row names, or undefined where they differ.
 */
function alertmanagerAt(phase: Phase, backend: Backend | undefined): Alertmanager | undefined {
  if (backend) return capabilities(phase, backend).alertmanager;
  const each = new Set(BACKENDS.map((b) => capabilities(phase, b).alertmanager));
  return each.size === 1 ? [...each][0] : undefined;
}

/** The Alertmanagers a move between the exports' phases hands alerting from and to, if they differ. */
function handoverOf(
  previous: StackExport,
  next: StackExport,
): { from: Phase; to: Phase; was: Alertmanager; is: Alertmanager } | undefined {
  const [from, to] = [phaseOfExport(previous), phaseOfExport(next)];
  if (!from || !to) return undefined;
  const [wasBackend, isBackend] = [backendOfExport(previous), backendOfExport(next)];
  // A backend swapped is refused on its own (backendMove.ts): one message for that mistake.
  if (wasBackend && isBackend && wasBackend !== isBackend) return undefined;
  const [was, is] = [alertmanagerAt(from, wasBackend), alertmanagerAt(to, isBackend)];
  return was && is && was !== is ? { from, to, was, is } : undefined;
}

type Handover = NonNullable<ReturnType<typeof handoverOf>>;
type Verdict = { line: string; refused: boolean };

export function alertmanagerHandoverVerdict(previous: StackExport, next: StackExport): Verdict | undefined {
  const h = handoverOf(previous, next);
  return h && silencesVerdict(h);
}

/** The silences the Alertmanager that takes the routes starts without. */
function silencesVerdict({ from, to, was, is }: Handover): Verdict {
  return {
    line: `WARNING Alertmanager handed over: phase ${from} -> ${to} moves alerting from ${NAMES[was]} to ${NAMES[is]}, which starts without the other's silences: export them before pulumi up (\`amtool silence query -o json\` against the one that runs now) and import them after (\`amtool silence import\` against the new one); the commands: docs/how-to/move-between-phases.md#migration-phases, "Alert state"`,
    refused: false,
  };
}

/**
 * Where each Alertmanager's configuration file comes from: its release and the path in that
 * release's values (builders/metrics/kpsValues.ts, exporterValues.ts standaloneAlertmanagerValues,
 * vmValues.ts). The releases keep it while their Alertmanager is off.
 */
const CONFIG_AT: Record<Alertmanager, { release: string; path: readonly string[] }> = {
  kps: { release: RELEASES.kubePrometheusStack, path: ["alertmanager", "config"] },
  standalone: { release: RELEASES.alertmanager, path: ["config"] },
  vm: { release: RELEASES.vm, path: ["alertmanager", "config"] },
};

/** The release `name` of an export (a Helm Release resource), if it has one. */
const releaseIn = (exp: StackExport, name: string): ExportResource | undefined =>
  exp.deployment.resources.find((r) => r.type === RELEASE_TYPE && r.inputs?.name === name);

/**
 * The paths (`route.group_wait`, `receivers[2].slack_configs`) where two Alertmanager
 * configurations differ. A `*_file` field is left out: it names where that Alertmanager's operator
 * mounts the receivers' Secrets (/etc/alertmanager/secrets, VictoriaMetrics' /etc/vm/secrets), a
 * path that differs by design and routes nothing. Paths only, never values: an override may write a
 * receiver's credential inline.
 */
function configDiff(a: unknown, b: unknown, at = ""): string[] {
  if (at.endsWith("_file")) return [];
  const map = (v: unknown) => typeof v === "object" && v !== null;
  if (!map(a) || !map(b) || Array.isArray(a) !== Array.isArray(b))
    return JSON.stringify(a) === JSON.stringify(b) ? [] : [at || "(the whole file)"];
  const [x, y] = [a as Record<string, unknown>, b as Record<string, unknown>];
  const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])];
  return keys.flatMap((k) =>
    configDiff(x[k], y[k], Array.isArray(a) ? `${at}[${k}]` : at ? `${at}.${k}` : k),
  );
}

/**
 * The paths, as {@link configDiff} writes them, of an export's chartValues overrides (its stack
 * output chartValueOverrides, config/tree.ts leafPaths) under `at` (`chartValues.<chart>.<path>`).
 */
function overridesUnder(exp: StackExport, at: string): string[] {
  const under = parseSegments(at.replace(/^chartValues\./, ""));
  return chartValueOverridesOf(exp.deployment.resources)
    .map(parseSegments)
    .filter((s) => s.length > under.length && under.every((k, i) => s[i] === k))
    .map((s) =>
      s
        .slice(under.length)
        .map((k, i) => (typeof k === "number" ? `[${k}]` : i === 0 ? k : `.${k}`))
        .join(""),
    );
}

/** Whether path `inner` (of {@link configDiff}) is `outer` or lies under it. */
const nested = (inner: string, outer: string) =>
  inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);

/**
 * The `--against` warning of routes that change with an Alertmanager hand-over. The program writes
 * every Alertmanager's configuration from the same alerting keys (builders/alerting/
 * alertmanagerConfig.ts), into each release whether its Alertmanager runs or not: in one export the
 * two differ only where a chartValues override of one of them writes what the other's lacks. Such an
 * override of the old one (a route's `group_wait`, a receiver) stops applying with the hand-over,
 * and the objects below show only the two releases' updates. Said where the old one in the previous
 * export (it routes now) and the new one in the next (it routes after) differ at a path an override
 * writes, in whichever export holds both releases (kube-prometheus-stack stays until kps-removed):
 * the alerting keys changed in the same update change both alike. Warned, not refused: the override
 * may be the new one's, on purpose.
 */
export function alertmanagerRoutesVerdict(previous: StackExport, next: StackExport): Verdict | undefined {
  const h = handoverOf(previous, next);
  return h && routesVerdict(h, previous, next);
}

/** {@link alertmanagerRoutesVerdict} of a hand-over. */
function routesVerdict({ was, is }: Handover, previous: StackExport, next: StackExport): Verdict | undefined {
  const config = (a: Alertmanager, e: StackExport) => {
    const r = releaseIn(e, CONFIG_AT[a].release);
    const at = `chartValues.${String(r?.inputs.chart ?? CONFIG_AT[a].release)}.${CONFIG_AT[a].path.join(".")}`;
    return { at, value: CONFIG_AT[a].path.reduce<any>((v, k) => v?.[k], plainValue(r?.inputs.values)) };
  };
  const [old, now] = [config(was, previous), config(is, next)];
  // Where an override writes: the old one's in the export where it routes, the new one's in the
  // next (the stack output chartValueOverrides), and where the two differ within an export that
  // holds both releases. The old one's override dropped in this update is in the previous export only.
  const overridden = [
    ...overridesUnder(previous, old.at),
    ...overridesUnder(next, now.at),
    ...[previous, next]
      .filter((e) => releaseIn(e, CONFIG_AT[was].release) && releaseIn(e, CONFIG_AT[is].release))
      .flatMap((e) => configDiff(config(was, e).value, config(is, e).value)),
  ];
  // Said where the one that routes now (the old, in the previous export) and the one that routes
  // after (the new, in the next) differ there: an override moved to the new one's key in this
  // update, as docs/how-to/move-between-phases.md says, routes as before, and one dropped from the
  // old one's key is lost all the same.
  const paths = configDiff(old.value, now.value).filter((p) =>
    overridden.some((q) => nested(p, q) || nested(q, p)),
  );
  if (paths.length === 0) return undefined;
  const shown = paths.length > 4 ? [...paths.slice(0, 3), `${paths.length - 3} more`] : paths;
  return {
    line: `WARNING Alertmanager routes change with the hand-over: ${NAMES[was]} and ${NAMES[is]} are given different configurations at ${listed(shown)}, where an override under ${old.at} or ${now.at} writes what the other lacks; from this update alerts are routed by the second. To keep routing as now, set under ${now.at} what ${old.at} sets there (docs/how-to/chart-values.md)`,
    refused: false,
  };
}

/** Both warnings of a hand-over, for the change check: the silences, then the routes. */
export function alertmanagerHandoverVerdicts(previous: StackExport, next: StackExport): Verdict[] {
  return [alertmanagerHandoverVerdict(previous, next), alertmanagerRoutesVerdict(previous, next)].filter(
    (v) => v !== undefined,
  );
}

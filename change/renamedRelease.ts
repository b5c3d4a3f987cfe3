/**
 * A running release of a chart the program installs, in the namespace it installs it in, under
 * another name than the program's: the same component under another release name. The takeover
 * adopts a release only under the name the program gives it (config/resolve.ts refuses any other
 * in takeover.releases: the Release's name is an input, and a rename replaces it), and Helm cannot
 * rename a release, so the program installs its own beside it and both run. Nothing refuses that
 * (Helm names releases per namespace, and the chart's objects are named after the release), and
 * nothing said it: the previews list only the program's release as a plain `+ create`.
 *
 * Such a name is what Flux gives a HelmRelease that sets `spec.targetNamespace` and no
 * `spec.releaseName`: `<targetNamespace>-<name>` (fluxcd/helm-controller api/v2/helmrelease_types.go
 * `GetReleaseName`, read at 00785fbf, not run), `monitoring-loki` for HelmRelease `loki`.
 *
 * Warned, not refused: a second release of a chart beside the program's may be the operator's on
 * purpose (another Grafana), and the way out (leave it, or uninstall it once the program's runs) is
 * theirs. Only charts the program installs once are judged, so the release it would stand beside is
 * known; a running release of the program's own name of that chart is installClashes' (takeover.ts).
 */
import type { SynthResult } from "../synth/synthesize";
import { inContext, shellWord, type RunningState } from "../model/running";
import { RELEASE_TYPE } from "../model/names";
import { chartName } from "../synth/render/release";
import { stackKeyAt, type OverridePlace } from "../synth/report";
import type { RetentionWarning } from "./retentionShrink";
import { resourceLabel } from "./change";
import { plainValue } from "./describe";
import { s3ChunksBucket } from "./lokiStore";

/**
 * Per Release a step installs (not imported, not already in the state of an earlier step,
 * `inState`), a warning for each running release of its chart in its namespace under another name
 * that the takeover does not adopt. Its preview entry is the `+ create` of the program's release.
 */
export function renamedReleaseWarnings(
  result: SynthResult,
  running: RunningState,
  inState: ReadonlySet<string> = new Set(),
  at?: OverridePlace,
): { resource: string; op: string; fields: string[]; refused: []; warnings: RetentionWarning[] }[] {
  const all = result.export.deployment.resources.filter((r) => r.type === RELEASE_TYPE);
  const imported = new Set(result.imports.map((i) => i.urn));
  const adopted = new Set(result.imports.map((i) => i.id));
  const ownNames = new Set(all.map((r) => String(r.inputs?.name)));
  return all
    .filter((r) => !imported.has(r.urn) && !inState.has(r.urn))
    .filter((r) => all.filter((o) => chartName(o.inputs?.chart) === chartName(r.inputs?.chart)).length === 1)
    .flatMap((r) => {
      const [ns, name, chart] = [
        String(r.inputs?.namespace),
        String(r.inputs?.name),
        chartName(r.inputs?.chart),
      ];
      const warnings = running.releases
        .filter((x) => x.chart === chart && x.namespace === ns && x.name !== name)
        .filter((x) => !adopted.has(`${x.namespace}/${x.name}`) && !ownNames.has(x.name))
        .map((x) => {
          const flux =
            x.name === `${ns}-${name}`
              ? `; ${x.name} is the name Flux gives the release of a HelmRelease ${name} with spec.targetNamespace ${ns} and no spec.releaseName`
              : "";
          const bucket = chart === "loki" ? sharedBucket(x.values, plainValue(r.inputs?.values), at) : "";
          return {
            field: "name",
            reason: `release ${x.namespace}/${x.name} (chart ${x.chart} ${x.version}) runs in ${ns} (${running.dir}/helm-list.yaml) and is not taken over: takeover.releases adopts a ${chart} release only under the name the program gives it, ${ns}/${name}, and Helm cannot rename a release${flux}; so the program installs its own ${name} beside it and both run${bucket}; to run only the program's, uninstall ${x.name} once ${name} runs (\`${inContext(`helm uninstall ${shellWord(x.name)} -n ${shellWord(x.namespace)}`, running.from?.context)}\`: removing Flux's HelmRelease in docs/how-to/take-over-flux.md step 9 leaves its release running)`,
          };
        });
      return warnings.length
        ? [{ resource: resourceLabel(r), op: "+ create", fields: [], refused: [] as [], warnings }]
        : [];
    });
}

/**
 * For two Lokis on one chunks bucket: the words that say so, naming the stack key behind the
 * program's; empty when the buckets differ or either is unknown. The loki chart's own alert
 * LokiTooManyCompactorsRunning says one compactor should run at a time (loki 18.11.0
 * templates/monitoring/alerts/loki_alerts.yaml:101-106).
 */
function sharedBucket(running: unknown, planned: unknown, at?: OverridePlace): string {
  const [was, now] = [s3ChunksBucket(running), s3ChunksBucket(planned)];
  if (!was || was !== now) return "";
  return `, both on the chunks bucket "${was}", the program's from ${stackKeyAt("takeover.buckets.loki.chunks", at)}, where the loki chart's alert LokiTooManyCompactorsRunning says only one compactor should run at a time`;
}

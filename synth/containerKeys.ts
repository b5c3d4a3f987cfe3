/**
 * Which containers a chart values key writes the settings of, read in the pinned charts' templates
 * (model/versions.ts): a chart runs several containers, each with its own `securityContext`,
 * `image` and `resources` under a key of its own (Grafana's `containerSecurityContext` is the
 * grafana container's, `sidecar.securityContext` every k8s-sidecar's), and a finding on one
 * container is no consequence of another's key, though both set the field it judged. A chart not
 * listed, or a key under none listed (an `extraContainers` list, whose items the user names), is
 * not narrowed by container. test/synth/containerKeys.test.ts proves the map against the pinned
 * charts' render.
 */
import { LOKI_DISTRIBUTED_WORKLOADS } from "../config/sizing";
import { lokiTargetName } from "../model/services";

/**
 * A values key (a path under the chart) and the names of the containers whose settings it writes;
 * `workloads`, when two of the chart's pods run containers of one name (Loki's caches and gateway
 * each run an `exporter`), the names of the workloads whose containers those are.
 */
interface ContainerKey {
  key: string;
  containers: RegExp;
  workloads?: RegExp;
}

const keys = (paths: string[], containers: RegExp, workloads?: RegExp): ContainerKey[] =>
  paths.map((key) => ({ key, containers, ...(workloads ? { workloads } : {}) }));

/**
 * grafana 12.3.1 templates/_pod.tpl: the pod's `securityContext` (:13) is every container's of the
 * grafana pod; the grafana container (:1236) reads `image`, `resources` and
 * `containerSecurityContext` (:1256); init-chown-data (:41) `initChownData.*`; download-dashboards
 * (:70) `downloadDashboardsImage` and `downloadDashboards.*`; every `<name>-sc-<kind>` and
 * `<name>-init-sc-<kind>` (:119-:1114) `sidecar.*`. The image renderer's own Deployment
 * (templates/image-renderer-deployment.yaml:72, `<chart>-image-renderer`) reads `imageRenderer.*`.
 */
const GRAFANA: ContainerKey[] = [
  ...keys(["image", "resources", "containerSecurityContext"], /^grafana$/),
  ...keys(["securityContext"], /^(?!.*-image-renderer$)/),
  ...keys(["initChownData"], /^init-chown-data$/),
  ...keys(["downloadDashboards", "downloadDashboardsImage"], /^download-dashboards$/),
  ...keys(["sidecar"], /-(?:init-)?sc-[a-z]+$/),
  ...keys(["imageRenderer"], /-image-renderer$/),
];

/** The Loki targets the program's modes render, by their values key (`singleBinary`, `queryFrontend`). */
const LOKI_TARGETS = ["singleBinary", "write", "read", "backend", ...Object.keys(LOKI_DISTRIBUTED_WORKLOADS)];

/** The containers of a Loki chart's pods that are no target's own: those of its memcached, gateway and canary pods. */
const LOKI_OTHERS = "memcached|exporter|nginx|canary";

/** A Loki target's name in its container's and its workload's names (`query-frontend`; the single binary's container is `loki`). */
const lokiName = (t: string) => (t === "singleBinary" ? "loki" : lokiTargetName(t));

/**
 * The names of the workloads running target `t`'s pods (loki 18.11.0 templates/_helpers.tpl:80
 * `loki.resourceName`): `<fullname>-<target>`, a zone after it (`-ingester-zone-a`), and the single
 * binary's `<fullname>` alone (templates/monolithic/workload.yaml:7), whatever ends in no other
 * target's name. A workload whose name ends with a target's after another word
 * (`-pattern-ingester`, `-bloom-gateway`) is not that target's.
 */
function lokiTargetWorkloads(t: string): RegExp {
  const others = LOKI_TARGETS.filter((o) => o !== "singleBinary").map(lokiName);
  const zone = "(?:-zone-[a-z0-9-]+)?$";
  if (t === "singleBinary") return new RegExp(`^(?!.*-(?:${others.join("|")})${zone})`);
  const name = lokiName(t);
  const longer = [...others, "pattern-ingester", "bloom-gateway"]
    .filter((o) => o.endsWith(`-${name}`))
    .map((o) => o.slice(0, -name.length - 1));
  return new RegExp(`${longer.length > 0 ? `(?<!-(?:${longer.join("|")}))` : ""}-${name}${zone}`);
}

/**
 * The Loki chart's memcached StatefulSets (templates/memcached/_memcached-statefulset.tpl:16,
 * `loki.resourceName` of component `chunks-cache` or `results-cache`, then the cache's `suffix`:
 * the chunks cache's second level `-l2`) and its gateway's Deployment
 * (templates/gateway/_helpers.tpl:5 `loki.gatewayFullname`, `<fullname>-gateway`; not the
 * `-index-gateway` target's nor `-bloom-gateway`).
 */
const CHUNKS_CACHE = /-chunks-cache(?:-[a-z0-9-]+)?$/;
const RESULTS_CACHE = /-results-cache(?:-[a-z0-9-]+)?$/;
const CACHES = /-(?:chunks|results)-cache(?:-[a-z0-9-]+)?$/;
const GATEWAY = /^(?!.*-(?:index|bloom)-gateway$).*-gateway$/;

/**
 * loki 18.11.0: a target's pod (templates/_pod.tpl `loki.podTemplate`) runs its container, named
 * the target (`replace "single-binary" "loki" $target`, :203), whose `image`, `resources` and
 * `containerSecurityContext` are its values key's (:204, :294, :244, coalesced with `defaults.*`
 * and `loki.*`), and the rules sidecar `loki-sc-rules` (:321), which reads `sidecar.*` (:338); the
 * pod's securityContext is the key's `podSecurityContext` (:72, coalesced likewise), every
 * container's of it. Every target's pod runs a `loki-sc-rules`: a target's key writes the one in
 * its own workload. The caches (templates/memcached/_memcached-statefulset.tpl) run `memcached`
 * (:91, `memcached.*` and the cache's `resources`, :96) and `exporter` (:159,
 * `memcachedExporter.*`); the gateway (templates/gateway/deployment.yaml) `nginx` (:68,
 * `gateway.*`, its resources coalesced with `defaults.resources`, :115) and `exporter` (:124,
 * `gateway.metrics.*`); the canary (templates/loki-canary/daemonset.yaml:68) `canary`. The caches'
 * `exporter` and the gateway's share a name: their workloads tell them apart, as they tell the
 * chunks cache's `memcached` from the results cache's.
 */
const LOKI: ContainerKey[] = [
  ...LOKI_TARGETS.flatMap((t) => {
    const name = lokiName(t);
    return [
      ...keys([t], new RegExp(`^${name}$`)),
      ...keys([t], /^loki-sc-rules$/, lokiTargetWorkloads(t)),
      ...keys([`${t}.image`, `${t}.resources`, `${t}.containerSecurityContext`], new RegExp(`^${name}$`)),
    ];
  }),
  ...keys(
    ["loki.image", "loki.resources", "loki.containerSecurityContext", "defaults.containerSecurityContext"],
    new RegExp(`^(?!(?:${LOKI_OTHERS}|loki-sc-rules)$)`),
  ),
  // The gateway's nginx too: its resources are `gateway.resources`, else `defaults.resources`.
  ...keys(["defaults.resources"], new RegExp(`^(?!(?:memcached|exporter|canary|loki-sc-rules)$)`)),
  ...keys(["loki.podSecurityContext", "defaults.podSecurityContext"], new RegExp(`^(?!(?:${LOKI_OTHERS})$)`)),
  ...keys(["sidecar"], /^loki-sc-rules$/),
  ...keys(["chunksCache"], /^(?:memcached|exporter)$/, CHUNKS_CACHE),
  ...keys(["resultsCache"], /^(?:memcached|exporter)$/, RESULTS_CACHE),
  ...keys(["memcached.podSecurityContext"], /^(?:memcached|exporter)$/, CACHES),
  ...keys(["memcached"], /^memcached$/, CACHES),
  ...keys(["chunksCache.resources"], /^memcached$/, CHUNKS_CACHE),
  ...keys(["resultsCache.resources"], /^memcached$/, RESULTS_CACHE),
  ...keys(["memcachedExporter"], /^exporter$/, CACHES),
  ...keys(["gateway"], /^(?:nginx|exporter)$/, GATEWAY),
  ...keys(["gateway.image", "gateway.resources", "gateway.containerSecurityContext"], /^nginx$/, GATEWAY),
  ...keys(["gateway.metrics"], /^exporter$/, GATEWAY),
  ...keys(["lokiCanary"], /^canary$/),
];

const CONTAINER_KEYS: Record<string, ContainerKey[]> = { grafana: GRAFANA, loki: LOKI };

/** A values key whose value the chart takes in place of the others', whole, when it is set (not empty). */
interface WholeKey {
  key: string;
  instead: string[];
}

/**
 * The maps a Loki target's pod takes whole (loki 18.11.0 templates/_pod.tpl: `coalesce
 * $component.X .Values.defaults.X .Values.loki.X`, the pod's securityContext :72, the container's
 * :244, its resources :294): a target's non-empty map wins over `defaults.X`, and that over
 * `loki.X`, with none of the fields of the maps it replaced (a target's `podSecurityContext`
 * holding only a `seccompProfile` drops `loki.podSecurityContext`'s `runAsUser`). The gateway's
 * resources likewise over `defaults.resources` (templates/gateway/deployment.yaml:115). An image
 * is coalesced field by field (templates/_helpers.tpl:205-212, `loki.image`): each field of a
 * target's `image` in place of `loki.image`'s.
 */
const LOKI_WHOLE_MAPS = ["podSecurityContext", "containerSecurityContext", "resources"];
const LOKI_WHOLE: WholeKey[] = [
  ...LOKI_TARGETS.flatMap((t) => [
    ...LOKI_WHOLE_MAPS.map((f) => ({ key: `${t}.${f}`, instead: [`defaults.${f}`, `loki.${f}`] })),
    ...["repository", "tag", "digest"].map((f) => ({ key: `${t}.image.${f}`, instead: [`loki.image.${f}`] })),
  ]),
  ...LOKI_WHOLE_MAPS.map((f) => ({ key: `defaults.${f}`, instead: [`loki.${f}`] })),
  { key: "gateway.resources", instead: ["defaults.resources"] },
];

const WHOLE_KEYS: Record<string, WholeKey[]> = { loki: LOKI_WHOLE };

/** Whether `chart` takes the value at `key`, when set, whole in place of the one at `other`. */
export function hides(chart: string, key: string, other: string): boolean {
  return (WHOLE_KEYS[chart] ?? []).some((w) => w.key === key && w.instead.includes(other));
}

/**
 * The key `override` is under (strictly) that `chart` takes whole in place of others' (a Loki
 * target's `podSecurityContext` of `write.podSecurityContext.seccompProfile.type`), if any: setting
 * the override put that map there, so it dropped every field of the replaced maps it leaves unset.
 */
export function wholeMapOver(chart: string, override: string): string | undefined {
  return (WHOLE_KEYS[chart] ?? []).find((w) => override.startsWith(`${w.key}.`))?.key;
}

/** The values keys listed for `chart` (none for a chart not listed): what the conformance test sets. */
export function listedKeys(chart: string): string[] {
  return [...new Set((CONTAINER_KEYS[chart] ?? []).map((k) => k.key))];
}

/**
 * Whether `override` (a path under `chart`'s values, `sidecar.securityContext.seccompProfile.type`)
 * writes settings of containers other than every one of `containers` only: the longest key listed
 * for the chart that the override is at or under decides. A container is its name, or
 * `<workload>/<name>` (`loki-gateway/exporter`, its workload's object name) where the finding knows
 * the workload: a key listed with its workloads writes only those workloads' containers; a
 * container of unknown workload may be any of them. False when no key is listed (the chart or the
 * key is not): the override may be any container's.
 */
export function writesOnlyOtherContainers(
  chart: string,
  override: string,
  containers: readonly string[],
): boolean {
  const listed = (CONTAINER_KEYS[chart] ?? []).filter(
    (k) => override === k.key || override.startsWith(`${k.key}.`),
  );
  if (listed.length === 0) return false;
  // A key may be listed twice: a Loki target's own container, and the rules sidecar of its workload.
  const longest = Math.max(...listed.map((k) => k.key.length));
  const owners = listed.filter((k) => k.key.length === longest);
  return !containers.some((c) => {
    const cut = c.lastIndexOf("/");
    const name = c.slice(cut + 1);
    const workload = cut < 0 ? undefined : c.slice(0, cut);
    return owners.some(
      (k) =>
        k.containers.test(name) &&
        (workload === undefined || k.workloads === undefined || k.workloads.test(workload)),
    );
  });
}

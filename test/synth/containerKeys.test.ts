/**
 * synth/containerKeys.ts against the real Helm render of the pinned grafana and loki charts
 * (model/versions.ts): every key the map lists is set at once, each setting with a marker number of
 * its own (a `runAsUser`, an image tag, a CPU quantity, a mount path), the optional parts on so that
 * every container the map is about runs (sidecars, init containers, caches, gateway, canary, image
 * renderer, each Loki target of the program's modes), and each container of the render must carry
 * exactly the markers of the keys the map says write it. A chart bump (Renovate) that moves a
 * setting to another container, or a new container reading a listed key, fails here, not silently
 * in a finding that names the wrong override. Two renders a chart, from the render cache when warm.
 */
import { strict as assert } from "assert";
import { LOKI_DISTRIBUTED_WORKLOADS } from "../../config/sizing";
import { RELEASE_TYPE } from "../../model/names";
import { versions } from "../../model/versions";
import { hides, listedKeys, writesOnlyOtherContainers } from "../../synth/containerKeys";
import { renderExport } from "../../synth/render/render";
import type { RenderedObject } from "../../synth/render/types";
import type { ExportResource } from "../../synth/synthesize";

/** A setting at a values path whose marker number shows in the containers the path writes. */
interface Marker {
  path: string;
  value: unknown;
  id: string;
}

/** Marker numbers: six digits no chart default holds, each once in all the renders. */
let last = 424100;
const marker = (path: string, value: (id: string) => unknown): Marker => {
  const id = String(++last);
  return { path, value: value(id), id };
};
const image = (key: string) => marker(`${key}.tag`, (id) => `m${id}`);
const resources = (key: string) => marker(key, (id) => ({ limits: { cpu: `${id}m` } }));
const context = (key: string) => marker(key, (id) => ({ runAsUser: Number(id) }));
/**
 * A `defaults.*` or `loki.*` setting in another field than the targets' own (a `runAsGroup`, a
 * memory request): a target that sets its own map must carry none of it, which proves the chart
 * takes the target's map whole (containerKeys.ts `hides`), not merged field by field.
 */
const otherResources = (key: string) => marker(key, (id) => ({ requests: { memory: `${id}Mi` } }));
const otherContext = (key: string) => marker(key, (id) => ({ runAsGroup: Number(id) }));
const mounts = (key: string) => marker(key, (id) => [{ name: `m${id}`, mountPath: `/m${id}` }]);

/** One release to render: its chart, its values without the markers, and the markers. */
interface Case {
  title: string;
  chart: "grafana" | "loki";
  values: Record<string, any>;
  markers: Marker[];
}

/**
 * grafana: persistence with init-chown-data, a dashboard to download, every k8s-sidecar (as an init
 * container with `init`, else beside Grafana: templates/_pod.tpl renders one or the other of each
 * kind), the image renderer's Deployment.
 */
const grafana = (init: boolean): Case => ({
  title: `grafana with every ${init ? "init " : ""}sidecar, init-chown-data, download-dashboards and the image renderer`,
  chart: "grafana",
  values: {
    persistence: { enabled: true },
    initChownData: { enabled: true },
    dashboardProviders: {
      "dashboardproviders.yaml": {
        apiVersion: 1,
        providers: [
          {
            name: "default",
            folder: "",
            type: "file",
            options: { path: "/var/lib/grafana/dashboards/default" },
          },
        ],
      },
    },
    dashboards: { default: { board: { url: "https://example.invalid/board.json" } } },
    sidecar: {
      alerts: { enabled: true, initAlerts: init },
      dashboards: { enabled: true, initDashboards: init },
      datasources: { enabled: true, initDatasources: init },
      notifiers: { enabled: true, initNotifiers: init },
      plugins: { enabled: true },
    },
    imageRenderer: { enabled: true },
  },
  markers: [
    image("image"),
    resources("resources"),
    context("containerSecurityContext"),
    context("securityContext"),
    image("initChownData.image"),
    resources("initChownData.resources"),
    context("initChownData.securityContext"),
    image("downloadDashboardsImage"),
    resources("downloadDashboards.resources"),
    context("downloadDashboards.securityContext"),
    image("sidecar.image"),
    resources("sidecar.resources"),
    context("sidecar.securityContext"),
    image("imageRenderer.image"),
    resources("imageRenderer.resources"),
    context("imageRenderer.containerSecurityContext"),
    context("imageRenderer.securityContext"),
  ],
});

/** A Loki target's own settings: its container's image, resources and securityContext, its pod's. */
const ownSettings = (t: string) => [
  image(`${t}.image`),
  resources(`${t}.resources`),
  context(`${t}.containerSecurityContext`),
  context(`${t}.podSecurityContext`),
];

/**
 * The settings of a Loki release's other pods: the caches' (memcached, exporter), the gateway's
 * (nginx, exporter), the canary's and the rules sidecar's. `gatewayResources` false leaves the
 * gateway's resources to `defaults.resources` (templates/gateway/deployment.yaml coalesces them).
 */
const lokiOthers = (gatewayResources: boolean) => [
  image("sidecar.image"),
  resources("sidecar.resources"),
  context("sidecar.securityContext"),
  image("memcached.image"),
  context("memcached.containerSecurityContext"),
  context("memcached.podSecurityContext"),
  resources("chunksCache.resources"),
  mounts("chunksCache.extraVolumeMounts"),
  resources("resultsCache.resources"),
  mounts("resultsCache.extraVolumeMounts"),
  image("memcachedExporter.image"),
  resources("memcachedExporter.resources"),
  context("memcachedExporter.containerSecurityContext"),
  image("gateway.image"),
  ...(gatewayResources ? [resources("gateway.resources")] : []),
  context("gateway.containerSecurityContext"),
  context("gateway.podSecurityContext"),
  image("gateway.metrics.image"),
  resources("gateway.metrics.resources"),
  context("gateway.metrics.containerSecurityContext"),
  image("lokiCanary.image"),
  resources("lokiCanary.resources"),
  context("lokiCanary.containerSecurityContext"),
  context("lokiCanary.podSecurityContext"),
];

/**
 * A schema, and object storage, which any target but the single binary requires
 * (templates/validate.yaml).
 */
const LOKI_BASE = {
  loki: {
    auth_enabled: false,
    commonConfig: { replication_factor: 1 },
    schemaConfig: {
      configs: [
        {
          from: "2024-04-01",
          store: "tsdb",
          object_store: "s3",
          schema: "v13",
          index: { prefix: "loki_index_", period: "24h" },
        },
      ],
    },
    storage: {
      type: "s3",
      bucketNames: { chunks: "chunks", ruler: "ruler", admin: "admin" },
      s3: { endpoint: "minio.storage.svc:9000", s3ForcePathStyle: true },
    },
  },
  sidecar: { rules: { enabled: true } },
};

const SCALABLE = ["write", "read", "backend"];
const DISTRIBUTED = Object.keys(LOKI_DISTRIBUTED_WORKLOADS);

/**
 * A Loki release running `targets` in `mode`, one replica each and each with the rules sidecar (a
 * target's `sidecar` switch, templates/_pod.tpl), every other target at none.
 */
const lokiValues = (mode: string, targets: string[]) => ({
  ...LOKI_BASE,
  deploymentMode: mode,
  ...Object.fromEntries(
    ["singleBinary", ...SCALABLE, ...DISTRIBUTED].map((t) => [
      t,
      targets.includes(t) ? { replicas: 1, sidecar: true } : { replicas: 0 },
    ]),
  ),
});

/**
 * The two transitional modes run every target the program's modes render (the single binary, the
 * simple scalable three, the distributed eight) in two renders. A target's setting is coalesced
 * with `defaults.*`, then `loki.*` (templates/_pod.tpl), so each render leaves some targets
 * without settings of their own: the first shows `defaults.*` in read and backend (and
 * `defaults.resources` in the gateway's nginx), the second `loki.*` in write.
 */
const LOKI: Case[] = [
  {
    title: "SingleBinary<->SimpleScalable with the single binary and the simple scalable targets",
    chart: "loki",
    values: lokiValues("SingleBinary<->SimpleScalable", ["singleBinary", ...SCALABLE]),
    markers: [
      ...["singleBinary", "write"].flatMap(ownSettings),
      otherResources("defaults.resources"),
      otherContext("defaults.containerSecurityContext"),
      otherContext("defaults.podSecurityContext"),
      image("loki.image"),
      ...lokiOthers(false),
    ],
  },
  {
    title: "SimpleScalable<->Distributed with the simple scalable and the distributed targets",
    chart: "loki",
    values: lokiValues("SimpleScalable<->Distributed", [...SCALABLE, ...DISTRIBUTED]),
    markers: [
      ...["read", "backend", ...DISTRIBUTED].flatMap(ownSettings),
      image("loki.image"),
      otherResources("loki.resources"),
      otherContext("loki.containerSecurityContext"),
      otherContext("loki.podSecurityContext"),
      ...lokiOthers(true),
    ],
  },
];

const CASES: Case[] = [grafana(true), grafana(false), ...LOKI];

/** `values` with every marker set at its path. */
function withMarkers(values: Record<string, any>, markers: Marker[]): Record<string, any> {
  const out = structuredClone(values);
  for (const m of markers) {
    const keys = m.path.split(".");
    let at = out;
    for (const k of keys.slice(0, -1)) at = at[k] ??= {};
    at[keys[keys.length - 1]] = m.value;
  }
  return out;
}

/** A container of a rendered pod, with its workload, the pod's component key and securityContext. */
interface Instance {
  name: string;
  /** The object running the pod (`loki-chunks-cache`), as a finding on it names it. */
  workload: string;
  /** The values key of the pod's component (`singleBinary` of `single-binary`), from its label. */
  component: string;
  /** What the container runs with: its own fields and the pod's securityContext. */
  text: string;
}

/** Every container (init ones too) of every pod template the release renders. */
function instances(objects: RenderedObject[]): Instance[] {
  return objects.flatMap((o) => {
    const pod = o.spec?.jobTemplate?.spec?.template ?? o.spec?.template;
    if (!pod?.spec) return [];
    const label: string = pod.metadata?.labels?.["app.kubernetes.io/component"] ?? "";
    const component = label.replace(/-([a-z])/g, (_: string, c: string) => c.toUpperCase());
    const podContext = JSON.stringify(pod.spec.securityContext ?? {});
    return [...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((c: any) => ({
      name: c.name,
      workload: o.metadata.name,
      component,
      text: `${JSON.stringify(c)} ${podContext}`,
    }));
  });
}

/**
 * Whether the chart hides `m` in a pod of `component`'s, as containerKeys.ts `hides` says: a Loki
 * target's (or the gateway's) own setting, when set, in place of `defaults.*`, and that of `loki.*`.
 */
function hidden(chart: string, m: Marker, component: string, set: Set<string>): boolean {
  const field = m.path.slice(m.path.indexOf(".") + 1);
  return [`${component}.${field}`, `defaults.${field}`].some((k) => set.has(k) && hides(chart, k, m.path));
}

/**
 * The markers' paths by container (`<workload>/<name>`, as a finding on the workload names it to
 * containerKeys.ts): those the containers carry and those the map expects. By workload, not by name
 * alone: Loki's caches and gateway each run an `exporter`, and every target's pod a `loki-sc-rules`.
 */
function carriedAndExpected(c: Case, objects: RenderedObject[]) {
  const set = new Set(c.markers.map((m) => m.path));
  const carried = new Map<string, Set<string>>();
  const expected = new Map<string, Set<string>>();
  const add = (to: Map<string, Set<string>>, name: string, path: string) =>
    to.set(name, (to.get(name) ?? new Set()).add(path));
  for (const i of instances(objects)) {
    const container = `${i.workload}/${i.name}`;
    carried.set(container, carried.get(container) ?? new Set());
    expected.set(container, expected.get(container) ?? new Set());
    const ids = new Set(i.text.match(/(?<!\d)424\d{3}(?!\d)/g) ?? []);
    for (const m of c.markers) {
      if (ids.has(m.id)) add(carried, container, m.path);
      if (!writesOnlyOtherContainers(c.chart, m.path, [container]) && !hidden(c.chart, m, i.component, set))
        add(expected, container, m.path);
    }
  }
  return { carried, expected };
}

const sorted = (s: Set<string> | undefined) => [...(s ?? [])].sort();

describe("synth: containerKeys.ts's map of values keys to containers, against the pinned charts' render", function () {
  this.timeout(120000);
  let rendered: Promise<RenderedObject[][]> | undefined;
  /** The releases, rendered together once (the render cache keeps them between runs). */
  const renders = () =>
    (rendered ??= (async () => {
      const resources: ExportResource[] = CASES.map((c, n) => {
        const pin = versions.charts[c.chart];
        return {
          urn: `urn:pulumi:test::containerKeys::${RELEASE_TYPE}::${c.chart}-${n}`,
          custom: true,
          type: RELEASE_TYPE,
          inputs: {
            name: c.chart,
            chart: pin.chart,
            version: pin.version,
            repositoryOpts: { repo: pin.repo },
            namespace: "monitoring",
            values: withMarkers(c.values, c.markers),
          },
          outputs: {},
        };
      });
      const out = await renderExport({
        version: 3,
        deployment: { manifest: { time: "", magic: "", version: "" }, resources },
      });
      assert.deepEqual(
        out.map((r) => r.error),
        CASES.map(() => undefined),
      );
      return out.map((r) => r.objects);
    })());

  for (const [n, c] of CASES.entries())
    it(`${c.chart} ${versions.charts[c.chart].version}, ${c.title}: each container carries exactly the markers of the keys the map says write it`, async () => {
      const { carried, expected } = carriedAndExpected(c, (await renders())[n]);
      const wrong = [...carried.keys()].filter(
        (name) => sorted(carried.get(name)).join() !== sorted(expected.get(name)).join(),
      );
      assert.deepEqual(
        wrong.map((name) => ({
          name,
          carried: sorted(carried.get(name)),
          expected: sorted(expected.get(name)),
        })),
        [],
      );
      // Every marker reaches a container: a setting no container reads would prove nothing.
      const reached = new Set([...carried.values()].flatMap((s) => [...s]));
      assert.deepEqual(
        c.markers.map((m) => m.path).filter((p) => !reached.has(p)),
        [],
      );
    });

  it("loki: the caches' exporter and the gateway's, one name in two pods, each carry their own keys' markers and are expected to", async () => {
    const objects = await renders();
    const gateway = [
      "gateway.metrics.containerSecurityContext",
      "gateway.metrics.image.tag",
      "gateway.metrics.resources",
      "gateway.podSecurityContext",
    ];
    const cache = (key: string) =>
      [
        `${key}.extraVolumeMounts`,
        "memcached.podSecurityContext",
        "memcachedExporter.containerSecurityContext",
        "memcachedExporter.image.tag",
        "memcachedExporter.resources",
      ].sort();
    for (const [n, c] of CASES.entries()) {
      if (c.chart !== "loki") continue;
      const { carried, expected } = carriedAndExpected(c, objects[n]);
      const exporters = [...carried.keys()].filter((k) => k.endsWith("/exporter")).sort();
      assert.deepEqual(
        exporters.map((k) => [k, sorted(carried.get(k)), sorted(expected.get(k))]),
        [
          ["loki-chunks-cache/exporter", cache("chunksCache"), cache("chunksCache")],
          ["loki-gateway/exporter", gateway, gateway],
          ["loki-results-cache/exporter", cache("resultsCache"), cache("resultsCache")],
        ],
      );
    }
  });

  for (const chart of ["grafana", "loki"] as const)
    it(`${chart}: every key the map lists is the nearest listed key of a marker the renders set`, () => {
      const keys = listedKeys(chart);
      const nearest = (path: string) =>
        keys.filter((k) => path === k || path.startsWith(`${k}.`)).sort((a, b) => b.length - a.length)[0];
      const paths = CASES.filter((c) => c.chart === chart).flatMap((c) => c.markers.map((m) => m.path));
      const owned = new Set(paths.map(nearest));
      assert.deepEqual(
        keys.filter((k) => !owned.has(k)),
        [],
      );
      // A marker under no listed key would be expected in every container (the map narrows nothing).
      assert.deepEqual(
        paths.filter((p) => nearest(p) === undefined),
        [],
      );
    });
});

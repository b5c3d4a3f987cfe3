import type { MimirModule } from "./mimirModules";

/*
 * The paths Mimir and Loki write at run time, by the config key (and flag) that names each, its
 * default and which of the engine's modules writes it. Read in the engines' sources, not run (no
 * Mimir or Loki binary here); the defaults are the configuration references'
 * (upstream/engines/data/mimir-3.0/config-fields.tsv, upstream/engines/data/loki-3.7.6/config-keys.tsv),
 * and test/upstream/writablePaths.test.ts holds every key, flag and default below to those files.
 *
 * Mimir (grafana/mimir tag mimir-3.0.0, commit 3e9aeb4323014b4bda858d1cbe5d83559b710cdd):
 * - the activity tracker: every process opens it, because the `server` module depends on
 *   `activity-tracker` (pkg/mimir/modules.go:1463) and `initActivityTracker` creates the file unless
 *   the path is empty (modules.go:171-175, 189; pkg/util/activitytracker/activity_tracker.go:60, 175-177
 *   `os.OpenFile(..., O_CREATE|O_RDWR|O_TRUNC)`, failing with "failed to create activity file");
 * - the rest is Mimir's own start-up check of the directories each module writes,
 *   `validateFilesystemPaths` (pkg/mimir/mimir.go:484-628): TSDB dir (ingester), bucket-store
 *   sync dir (store-gateway), compactor data dir, ruler rule path, Alertmanager data dir, and the
 *   filesystem storage dirs when a store's backend is `filesystem`.
 * - A relative path resolves against the working directory: the image's Dockerfile sets no WORKDIR
 *   and no USER (cmd/mimir/Dockerfile:10-21), so it is `/`, owned by root.
 *
 * Loki (grafana/loki tag v3.7.6):
 * - with `common.path_prefix` set, unset paths move under it (pkg/loki/config_wrapper.go:483-504
 *   `applyPathPrefixDefaults`: ruler rule path `<prefix>/rules-temp`, ingester WAL `<prefix>/wal`,
 *   compactor `<prefix>/compactor`; :724-736 `betterTSDBShipperDefaults`: `<prefix>/tsdb-shipper-active`,
 *   `<prefix>/tsdb-shipper-cache`); `ruler.wal.dir` has no such default and stays relative;
 * - the image runs as 10001 in `/` (cmd/loki/Dockerfile:28-29);
 * - the targets' modules: pkg/loki/loki.go:862-866 (`read`, `write`, `backend`, `all`).
 */

/** One path an engine writes. */
export interface WrittenPath {
  /** Dot path in the engine's YAML config. */
  key: string;
  /** The command-line flag (without `-`) that sets the same value; it wins over the file. */
  flag: string;
  /** The engine's default (the configuration reference's). */
  default: string;
  /** Whether the engine writes a file there or a directory (for the message). */
  kind: "file" | "dir";
  /** The modules that write it; "every" for every process whatever its target. */
  writtenBy: "every" | readonly string[];
  /**
   * Only when this storage backend is `filesystem`: the key of the store's `backend`, then Mimir's
   * `common.storage.backend` that it inherits, then the reference's default.
   */
  whenFilesystem?: string;
  /** Loki: the path under `common.path_prefix` the engine gives the key when unset. */
  underPathPrefix?: string;
  /** Where upstream says so. */
  source: string;
}

const MIMIR = "grafana/mimir mimir-3.0.0";

/** Paths Mimir 3.0.0 writes. */
export const MIMIR_WRITTEN_PATHS: readonly (WrittenPath & { writtenBy: "every" | readonly MimirModule[] })[] =
  [
    {
      key: "activity_tracker.filepath",
      flag: "activity-tracker.filepath",
      default: "./metrics-activity.log",
      kind: "file",
      writtenBy: "every",
      source: `${MIMIR} pkg/mimir/modules.go:171-175,1463; pkg/util/activitytracker/activity_tracker.go:175-177`,
    },
    {
      key: "blocks_storage.tsdb.dir",
      flag: "blocks-storage.tsdb.dir",
      default: "./tsdb/",
      kind: "dir",
      writtenBy: ["ingester"],
      source: `${MIMIR} pkg/mimir/mimir.go:503-510`,
    },
    {
      key: "blocks_storage.bucket_store.sync_dir",
      flag: "blocks-storage.bucket-store.sync-dir",
      default: "./tsdb-sync/",
      kind: "dir",
      writtenBy: ["store-gateway"],
      source: `${MIMIR} pkg/mimir/mimir.go:512-519`,
    },
    {
      key: "compactor.data_dir",
      flag: "compactor.data-dir",
      default: "./data-compactor/",
      kind: "dir",
      writtenBy: ["compactor"],
      source: `${MIMIR} pkg/mimir/mimir.go:521-528`,
    },
    {
      key: "ruler.rule_path",
      flag: "ruler.rule-path",
      default: "./data-ruler/",
      kind: "dir",
      writtenBy: ["ruler"],
      source: `${MIMIR} pkg/mimir/mimir.go:530-536`,
    },
    {
      key: "alertmanager.data_dir",
      flag: "alertmanager.storage.path",
      default: "./data-alertmanager/",
      kind: "dir",
      writtenBy: ["alertmanager"],
      source: `${MIMIR} pkg/mimir/mimir.go:555-561`,
    },
    {
      key: "blocks_storage.filesystem.dir",
      flag: "blocks-storage.filesystem.dir",
      default: "blocks",
      kind: "dir",
      writtenBy: ["ingester", "querier", "store-gateway", "compactor", "ruler"],
      whenFilesystem: "blocks_storage.backend",
      source: `${MIMIR} pkg/mimir/mimir.go:493-501`,
    },
    {
      key: "ruler_storage.filesystem.dir",
      flag: "ruler-storage.filesystem.dir",
      default: "ruler",
      kind: "dir",
      writtenBy: ["ruler"],
      whenFilesystem: "ruler_storage.backend",
      source: `${MIMIR} pkg/mimir/mimir.go:538-545`,
    },
    {
      key: "alertmanager_storage.filesystem.dir",
      flag: "alertmanager-storage.filesystem.dir",
      default: "alertmanager",
      kind: "dir",
      writtenBy: ["alertmanager"],
      whenFilesystem: "alertmanager_storage.backend",
      source: `${MIMIR} pkg/mimir/mimir.go:563-572`,
    },
  ];

/**
 * The backend of every Mimir store (`blocks_storage`, `ruler_storage`, `alertmanager_storage`,
 * `common.storage`) when the config sets none (the configuration reference's default).
 */
export const MIMIR_DEFAULT_STORAGE_BACKEND = "filesystem";

/** The working directory of the `grafana/mimir` image: no WORKDIR in cmd/mimir/Dockerfile (mimir-3.0.0). */
export const MIMIR_IMAGE_WORKDIR = "/";

const LOKI = "grafana/loki v3.7.6";

/** What Loki's grouped targets run (pkg/loki/loki.go:862-866 at v3.7.6); any other target is one module. */
export const LOKI_TARGET_MODULES: Readonly<Record<string, readonly string[]>> = {
  read: ["query-frontend", "querier"],
  write: ["ingester", "distributor", "pattern-ingester"],
  backend: [
    "query-scheduler",
    "ruler",
    "compactor",
    "index-gateway",
    "bloom-planner",
    "bloom-builder",
    "bloom-gateway",
  ],
  all: [
    "query-scheduler",
    "query-frontend",
    "querier",
    "ingester",
    "pattern-ingester",
    "distributor",
    "ruler",
    "compactor",
    "ui",
  ],
};

/** Paths Loki 3.7.6 writes (flags as the reference spells them, without the leading `-`). */
export const LOKI_WRITTEN_PATHS: readonly WrittenPath[] = [
  {
    key: "ingester.wal.dir",
    flag: "ingester.wal-dir",
    default: "wal",
    kind: "dir",
    writtenBy: ["ingester"],
    underPathPrefix: "wal",
    source: `${LOKI} pkg/loki/config_wrapper.go:491-493`,
  },
  {
    key: "compactor.working_directory",
    flag: "compactor.working-directory",
    default: "/var/loki/compactor",
    kind: "dir",
    writtenBy: ["compactor"],
    underPathPrefix: "compactor",
    source: `${LOKI} pkg/loki/config_wrapper.go:495-497`,
  },
  {
    key: "ruler.rule_path",
    flag: "ruler.rule-path",
    default: "/rules",
    kind: "dir",
    writtenBy: ["ruler"],
    underPathPrefix: "rules-temp",
    source: `${LOKI} pkg/loki/config_wrapper.go:487-489`,
  },
  {
    key: "ruler.wal.dir",
    flag: "ruler.wal.dir",
    default: "ruler-wal",
    kind: "dir",
    writtenBy: ["ruler"],
    source: `${LOKI} docs/sources/shared/configuration.md (no path-prefix default in pkg/loki/config_wrapper.go)`,
  },
  {
    // Which modules open the TSDB shipper is not pinned here: every Loki process is held to it.
    key: "storage_config.tsdb_shipper.active_index_directory",
    flag: "tsdb.shipper.active-index-directory",
    default: "",
    kind: "dir",
    writtenBy: "every",
    underPathPrefix: "tsdb-shipper-active",
    source: `${LOKI} pkg/loki/config_wrapper.go:724-736`,
  },
  {
    key: "storage_config.tsdb_shipper.cache_location",
    flag: "tsdb.shipper.cache-location",
    default: "",
    kind: "dir",
    writtenBy: "every",
    underPathPrefix: "tsdb-shipper-cache",
    source: `${LOKI} pkg/loki/config_wrapper.go:724-736`,
  },
];

/** The working directory of the `grafana/loki` image (cmd/loki/Dockerfile:29 at v3.7.6). */
export const LOKI_IMAGE_WORKDIR = "/";

/**
 * Where Alloy keeps what it must not lose: its `--storage.path` directory (the `run` flag; no config
 * key sets it) holds the components' data, the Loki and Prometheus write-ahead logs and
 * `loki.source.file`'s and `loki.source.journal`'s positions. On the container's own filesystem
 * they go with the container: a restart re-reads every log from where it starts, or loses what the
 * WAL held. The default is `data-alloy/`, relative to the working directory (grafana/alloy
 * internal/alloycli/cmd_run.go `runCommand`, `storagePath: "data-alloy/"`, read at commit
 * 00c836e24f425dc3128bab100cf5044da3262cdc; docs/sources/reference/cli/run.md documents the same
 * default); the alloy chart 1.5.0 always passes the flag, from its value `alloy.storagePath`
 * (templates/containers/_agent.yaml:9; values.yaml:59, default `/tmp/alloy`).
 */
export const ALLOY_STORAGE_PATH = {
  flag: "storage.path",
  default: "data-alloy/",
  source: "grafana/alloy internal/alloycli/cmd_run.go runCommand",
} as const;

/**
 * The working directory a relative `--storage.path` resolves against when the container sets no
 * `workingDir`: `/`, an assumption (the Alloy image's Dockerfile is not pinned here); the chart
 * always passes an absolute path.
 */
export const ALLOY_IMAGE_WORKDIR = "/";

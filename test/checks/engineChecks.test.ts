/**
 * The checks of what Loki and Mimir are configured to do (written paths, modules, every key against their references), each shown to pass on a good case and to fail, with its message, on one change.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { type K8sObject, type Placed } from "../../checks/objects";
import { NS } from "../support/objects";
import { checkWrittenPaths } from "../../checks/writtenPaths";
import { checkEngineConfigs } from "../../checks/engineConfigs";
import { mimirConfigMap, mimirWorkloads, type MimirObjectsInput } from "../../builders/metrics/mimirValues";
import { MIMIR_3_0_TARGETS } from "../../upstream/engines/mimirModules";
import { parse, stringify } from "yaml";
import { checkStack } from "../../checks";
import { clone, at, configMap, lokiReadingConfig } from "../support/checkCases";
import { ROOT, tmpDir } from "../support/helpers";
import { versions } from "../../model/versions";

describe("rendered-stack checks (unit): the engines' configs and written paths", () => {
  describe("paths Mimir and Loki write, and Mimir's modules", () => {
    const res = { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "1Gi" } };
    const input = (readWrite = false): MimirObjectsInput => ({
      namespace: NS,
      settings: {
        namespace: NS,
        replicas: 1,
        maxGlobalSeriesPerUser: 1,
        ingestionRate: 1,
        multitenancy: false,
        alertmanagerUrl: "",
        blocksRetention: "1d",
        storage: {
          kind: "s3",
          consumer: "mimir",
          endpoint: "http://minio:9000",
          region: "r",
          plainHttp: true,
          skipVerify: false,
          pathStyle: true,
          locations: { blocks: { bucket: "b" }, ruler: { bucket: "r" } },
          envFrom: [],
          ...(readWrite ? {} : {}),
        },
        ...(readWrite ? { readWrite: { write: 3, backend: 3 } } : {}),
      },
      profile: "standard",
      storageClass: "fast",
      volumeSize: "20Gi",
      ...(readWrite
        ? {
            readWrite: {
              write: { replicas: 3, resources: res, volumeSize: "5Gi" },
              read: { replicas: 2, resources: res },
              backend: { replicas: 3, resources: res, volumeSize: "5Gi" },
            },
          }
        : {}),
    });
    /** The program's own Mimir objects (builders/metrics/mimirValues.ts), as rendered. */
    const mimir = (readWrite = false): Placed[] => {
      const i = input(readWrite);
      const cm = mimirConfigMap(i);
      const w = mimirWorkloads(i);
      return [
        at({ apiVersion: "v1", kind: "ConfigMap", metadata: cm.metadata, data: cm.data }),
        ...w.statefulSets.map((x) =>
          at({ apiVersion: "apps/v1", kind: "StatefulSet", metadata: x.metadata, spec: x.spec as any }),
        ),
        ...w.deployments.map((x) =>
          at({ apiVersion: "apps/v1", kind: "Deployment", metadata: x.metadata, spec: x.spec as any }),
        ),
      ];
    };
    const sts = (objs: Placed[]) => objs.find((p) => p.obj.kind === "StatefulSet")!.obj;
    const container = (o: K8sObject) => o.spec.template.spec.containers[0];
    /** Rewrite the Mimir config file of a set of objects. */
    const withConfig = (objs: Placed[], edit: (c: any) => void): Placed[] =>
      objs.map((p) => {
        if (p.obj.kind !== "ConfigMap") return p;
        const c = parse(p.obj.data["mimir.yaml"]);
        edit(c);
        return at({ ...p.obj, data: { "mimir.yaml": stringify(c) } });
      });

    it("passes the program's Mimir, monolithic and scaled out, judging every path its modules write", () => {
      const mono = checkWrittenPaths(mimir());
      assert.deepEqual(mono.findings, []);
      // -target=all: activity log, TSDB, sync dir, compactor, ruler (no Alertmanager in `all`).
      assert.equal(mono.judged, 5);
      const out = checkWrittenPaths(mimir(true));
      assert.deepEqual(out.findings, []);
      // write: activity + TSDB; read: activity; backend: activity + sync dir + compactor + ruler.
      assert.equal(out.judged, 2 + 1 + 4);
    });
    it("fails on Mimir's default activity log in the working directory /, naming key, path and why", () => {
      const objs = withConfig(mimir(), (c) => delete c.activity_tracker);
      const f = checkWrittenPaths(objs).findings;
      assert.equal(f.length, 1, JSON.stringify(f));
      assert.equal(f[0].check, "written-paths");
      assert.match(
        f[0].message,
        /activity_tracker\.filepath is \/metrics-activity\.log \(activity_tracker\.filepath unset, Mimir's default; .*\), on no volume: the container's root filesystem is read-only/,
      );
      // With a writable root the image's `/` is still root's, and the pod is uid 10001.
      const writable = clone(objs);
      container(sts(writable)).securityContext.readOnlyRootFilesystem = false;
      assert.match(
        checkWrittenPaths(writable).findings[0].message,
        /the image's directories belong to root and the pod runs as uid 10001/,
      );
    });
    it("fails on an activity log on no mounted volume, and a flag wins over the config file", () => {
      const moved = withConfig(mimir(), (c) => (c.activity_tracker.filepath = "/var/log/mimir/activity.log"));
      assert.match(
        checkWrittenPaths(moved).findings[0].message,
        /activity_tracker\.filepath is \/var\/log\/mimir\/activity\.log/,
      );
      const flagged = clone(mimir());
      container(sts(flagged)).args.push("-activity-tracker.filepath=/tmp/a.log");
      const f = checkWrittenPaths(flagged).findings;
      assert.equal(f.length, 1);
      assert.match(f[0].message, /is \/tmp\/a\.log \(flag -activity-tracker\.filepath;/);
    });
    it("reads the flags as Go's flag package does: `-flag value` too, none after a non-flag, and judges nothing of flags it cannot read", () => {
      const withArgs = (...args: string[]) => {
        const objs = clone(mimir());
        container(sts(objs)).args.push(...args);
        return checkWrittenPaths(objs);
      };
      // The value in the next argument: the path a `-flag=value` reading skipped is judged.
      const spaced = withArgs("-activity-tracker.filepath", "/tmp/a.log").findings;
      assert.equal(spaced.length, 1);
      assert.match(spaced[0].message, /is \/tmp\/a\.log \(flag -activity-tracker\.filepath;/);
      // After an argument that is not a flag, Go reads no flag: Mimir keeps the config's path.
      assert.deepEqual(withArgs("extra", "-activity-tracker.filepath=/tmp/a.log").findings, []);
      // Flags it cannot read (a bare flag of a type not known; one Go refuses): not judged.
      assert.ok(checkWrittenPaths(mimir()).judged > 0);
      assert.equal(withArgs("-not.a-listed-flag", "-activity-tracker.filepath=/tmp/a.log").judged, 0);
      assert.deepEqual(withArgs("-activity-tracker.filepath").findings, []);
    });
    it("fails on a path on a read-only mount, a ConfigMap volume, or a claim the pod's user cannot write", () => {
      const ro = clone(mimir());
      container(sts(ro)).volumeMounts.find((m: any) => m.name === "data").readOnly = true;
      assert.match(checkWrittenPaths(ro).findings[0].message, /on volume data mounted read-only at \/data/);
      const onConfig = withConfig(mimir(), (c) => (c.ruler.rule_path = "/etc/mimir/rules"));
      const f = checkWrittenPaths(onConfig).findings;
      assert.equal(f.length, 1);
      assert.match(
        f[0].message,
        /ruler\.rule_path is \/etc\/mimir\/rules .* on configMap volume config, which the kubelet mounts read-only/,
      );
      const noGroup = clone(mimir());
      delete sts(noGroup).spec.template.spec.securityContext.fsGroup;
      assert.match(
        checkWrittenPaths(noGroup).findings[0].message,
        /on claim data, which uid 10001 can write only with the pod's securityContext\.fsGroup, unset/,
      );
    });
    it("judges the filesystem stores only when their backend is filesystem", () => {
      const fsStore = withConfig(mimir(), (c) => {
        c.common.storage = { backend: "filesystem" };
        delete c.blocks_storage.s3;
        delete c.ruler_storage.s3;
      });
      const f = checkWrittenPaths(fsStore).findings.map((x) => x.message);
      // Mimir's defaults "blocks" and "ruler", relative to `/`.
      assert.equal(f.length, 2, f.join("\n"));
      assert.match(f[0], /blocks_storage\.filesystem\.dir is \/blocks/);
      assert.match(f[1], /ruler_storage\.filesystem\.dir is \/ruler/);
    });
    it("refuses a -target that is no Mimir 3.0 module (the removed read-write targets), reading the module list upstream gives", () => {
      for (const planted of ["write", "read", "backend"]) {
        const objs = clone(mimir());
        container(sts(objs)).args[0] = `-target=${planted}`;
        const f = checkWrittenPaths(objs).findings;
        assert.equal(f.length, 1, JSON.stringify(f));
        assert.match(f[0].message, new RegExp(`-target=${planted}: Mimir 3\\.0 has no module "${planted}"`));
        // Nothing else is judged for a module Mimir does not have: only the activity log is "every".
      }
      // Every module the list names passes, alone or grouped; the program's groups are among them.
      // (The Alertmanager module writes alertmanager.data_dir, which the program never runs: put it on the volume.)
      const objs = withConfig(mimir(), (c) => {
        c.alertmanager = { ...(c.alertmanager ?? {}), data_dir: "/data/alertmanager" };
      });
      container(sts(objs)).args[0] = `-target=${MIMIR_3_0_TARGETS.join(",")}`;
      assert.deepEqual(checkWrittenPaths(objs).findings, []);
    });
    it("Loki: paths under common.path_prefix on the data volume pass; without the volume, or a relative ruler WAL, fail", () => {
      const config = { common: { path_prefix: "/var/loki" }, ruler: { wal: { dir: "/var/loki/ruler-wal" } } };
      const loki = (cfg: any, mounts: any[]): Placed[] => [
        at(configMap("loki", { "config.yaml": stringify(cfg) })),
        at({
          apiVersion: "apps/v1",
          kind: "StatefulSet",
          metadata: { name: "loki", namespace: NS },
          spec: {
            selector: { matchLabels: { app: "loki" } },
            template: {
              metadata: { labels: { app: "loki" } },
              spec: {
                securityContext: { runAsUser: 10001, fsGroup: 10001 },
                containers: [
                  {
                    name: "loki",
                    image: "docker.io/grafana/loki:3.7.6",
                    args: ["-config.file=/etc/loki/config/config.yaml", "-target=all"],
                    volumeMounts: [{ name: "config", mountPath: "/etc/loki/config" }, ...mounts],
                  },
                ],
                volumes: [
                  {
                    name: "config",
                    configMap: { name: "loki", items: [{ key: "config.yaml", path: "config.yaml" }] },
                  },
                ],
              },
            },
            volumeClaimTemplates: [{ metadata: { name: "storage" } }],
          },
        }),
      ];
      const data = [{ name: "storage", mountPath: "/var/loki" }];
      const good = checkWrittenPaths(loki(config, data));
      assert.deepEqual(good.findings, []);
      assert.equal(good.judged, 6);
      const noVolume = checkWrittenPaths(loki(config, [])).findings.map((x) => x.message);
      assert.equal(noVolume.length, 6);
      assert.match(
        noVolume[0],
        /ingester\.wal\.dir is \/var\/loki\/wal \(ingester\.wal\.dir unset, under common\.path_prefix/,
      );
      const relative = checkWrittenPaths(loki({ common: { path_prefix: "/var/loki" } }, data)).findings;
      assert.equal(relative.length, 1);
      assert.match(
        relative[0].message,
        /ruler\.wal\.dir is \/ruler-wal \(ruler\.wal\.dir unset, Loki's default/,
      );
    });
  });

  describe("Loki and Mimir configs judged by their references (engine-config)", () => {
    const res = { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "1Gi" } };
    const mimirInput = (readWrite = false): MimirObjectsInput => ({
      namespace: NS,
      settings: {
        namespace: NS,
        replicas: 1,
        maxGlobalSeriesPerUser: 1,
        ingestionRate: 1,
        multitenancy: false,
        alertmanagerUrl: "http://am:9093",
        blocksRetention: "90d",
        storage: {
          kind: "s3",
          consumer: "mimir",
          endpoint: "http://minio:9000",
          region: "r",
          plainHttp: true,
          skipVerify: false,
          pathStyle: true,
          locations: { blocks: { bucket: "b" }, ruler: { bucket: "r" } },
          envFrom: [{ secretRef: { name: "creds" } }],
        },
        ...(readWrite ? { readWrite: { write: 3, backend: 3 } } : {}),
      },
      profile: "standard",
      storageClass: "fast",
      volumeSize: "20Gi",
      ...(readWrite
        ? {
            readWrite: {
              write: { replicas: 3, resources: res, volumeSize: "5Gi" },
              read: { replicas: 2, resources: res },
              backend: { replicas: 3, resources: res, volumeSize: "5Gi" },
            },
          }
        : {}),
    });
    const creds = (values: Record<string, string>): Placed =>
      at(
        { apiVersion: "v1", kind: "Secret", metadata: { name: "creds", namespace: NS }, stringData: values },
        "urn:s",
      );
    const safe = {
      AWS_ACCESS_KEY_ID: "mimir",
      AWS_SECRET_ACCESS_KEY: "a1B2c3D4e5F6g7H8i9J0a1B2c3D4e5F6g7H8i9J0",
    };
    /** The program's own Mimir objects (builders/metrics/mimirValues.ts). */
    const mimir = (readWrite = false, edit?: (c: any) => void): Placed[] => {
      const i = mimirInput(readWrite);
      const cm = mimirConfigMap(i);
      const w = mimirWorkloads(i);
      const config = parse(cm.data["mimir.yaml"]);
      edit?.(config);
      return [
        at({
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: cm.metadata,
          data: { "mimir.yaml": stringify(config) },
        }),
        ...w.statefulSets.map((x) =>
          at({ apiVersion: "apps/v1", kind: "StatefulSet", metadata: x.metadata, spec: x.spec as any }),
        ),
        ...w.deployments.map((x) =>
          at({ apiVersion: "apps/v1", kind: "Deployment", metadata: x.metadata, spec: x.spec as any }),
        ),
        creds(safe),
      ];
    };
    const loki = (config: Record<string, unknown>, values: Record<string, string> = safe): Placed[] => [
      at(configMap("loki", { "config.yaml": stringify(config).replace(/'(\$\{[A-Z_]+\})'/g, "$1") })),
      at(
        lokiReadingConfig("docker.io/grafana/loki:3.7.6", ["-config.expand-env=true"], {
          envFrom: [{ secretRef: { name: "creds" } }],
        }),
      ),
      creds(values),
    ];
    const lokiBase = {
      compactor: { retention_enabled: true, retention_delete_delay: "2h", delete_request_store: "s3" },
      limits_config: { retention_period: "7d" },
      storage_config: {
        aws: { access_key_id: "${AWS_ACCESS_KEY_ID}", secret_access_key: "${AWS_SECRET_ACCESS_KEY}" },
      },
    };
    const engineFindings = (objs: Placed[]) => checkEngineConfigs(objs).findings;
    const container = (o: K8sObject) => o.spec.template.spec.containers[0];

    it("a reference of another engine version than the pin is said at the line of the pin's tag in model/versions.ts", () => {
      const text = fs.readFileSync(path.join(ROOT, "model/versions.ts"), "utf8");
      const entry = text.indexOf("\n    mimir: {", text.indexOf("images: {"));
      const line = text.slice(0, text.indexOf("tag:", entry)).split("\n").length;
      const pin = versions.images.mimir as { tag: string };
      const tag = pin.tag;
      pin.tag = "0.0.1";
      try {
        const found = engineFindings(mimir());
        assert.deepEqual(
          found.map((f) => [f.check, f.where]),
          [["engine-reference", `model/versions.ts:${line} images.mimir.tag`]],
        );
        assert.match(
          found[0].message,
          /^model\/versions\.ts pins Mimir 0\.0\.1, but upstream\/engines\/data\//,
        );
      } finally {
        pin.tag = tag;
      }
    });

    it("passes the program's Mimir, monolithic and scaled out (every container judged)", () => {
      const mono = checkEngineConfigs(mimir());
      assert.deepEqual(mono.findings, []);
      assert.equal(mono.judged, 1);
      const out = checkEngineConfigs(mimir(true));
      assert.deepEqual(out.findings, []);
      assert.equal(out.judged, 3);
      // The scaled-out shape finds its schedulers through their ring, an experimental field in 3.0.0.
      assert.deepEqual(mono.warnings, []);
      assert.ok(
        out.warnings.some((w) =>
          /query_scheduler\.service_discovery_mode is experimental in Mimir 3\.0\.0/.test(w),
        ),
        out.warnings.join("\n"),
      );
    });
    it("fails Mimir keys of the wrong duration family, unknown keys and wrong types, naming the key, the form and what was found", () => {
      const f = engineFindings(
        mimir(false, (c) => {
          c.server.http_server_read_timeout = "1d";
          c.limits.compactor_blocks_retention_period = "1.5d";
          c.limits.ingestion_rate = "fast";
          c.ingester.no_such_key = 1;
        }),
      );
      const text = f.map((x) => x.message).join("\n");
      assert.equal(f.length, 4, text);
      assert.ok(f.every((x) => x.check === "engine-config"));
      assert.match(
        text,
        /server\.http_server_read_timeout: expected a Go time\.Duration.*e\.g\. "24h".*found "1d"/,
      );
      assert.match(
        text,
        /limits\.compactor_blocks_retention_period: expected a Prometheus model\.Duration.*found "1\.5d"/,
      );
      assert.match(text, /limits\.ingestion_rate: expected a number; found "fast"/);
      assert.match(text, /Mimir 3\.0\.0 has no key ingester\.no_such_key/);
    });
    it("Mimir: judges the config file its first pass loads, its -config.file after a non-flag too (cmd/mimir/main.go:261-279)", () => {
      const moved = (objs: Placed[]) => {
        for (const p of objs.filter((x) => x.obj.kind === "StatefulSet")) {
          const c = container(p.obj);
          // Mimir stops its main parse at `extra`, but finds -config.file and -config.expand-env after it.
          c.args = [c.args[0], "extra", ...c.args.slice(1)];
        }
        return objs;
      };
      // Its config read: the paths it writes are the config's (no default in /), and it is judged.
      const good = moved(mimir());
      assert.deepEqual(checkWrittenPaths(good).findings, []);
      assert.ok(checkWrittenPaths(good).judged > 0);
      assert.deepEqual(engineFindings(good), []);
      const bad = moved(mimir(false, (c) => (c.ingester.no_such_key = 1)));
      assert.match(
        engineFindings(bad)
          .map((f) => f.message)
          .join("\n"),
        /mimir\.yaml ingester\.no_such_key: Mimir 3\.0\.0 has no key ingester\.no_such_key/,
      );
    });
    it("fails a flag the engine does not have", () => {
      const objs = mimir();
      container(objs.find((p) => p.obj.kind === "StatefulSet")!.obj).args.push("-no.such-flag=1");
      assert.match(
        engineFindings(objs)[0].message,
        /flag -no\.such-flag=1: Mimir 3\.0\.0 has no flag -no\.such-flag/,
      );
    });
    it("Loki: passes 2h; fails deleteDelay 1d as the file has it (compactor.retention_delete_delay, a Go time.Duration)", () => {
      assert.deepEqual(engineFindings(loki(lokiBase)), []);
      const f = engineFindings(
        loki({ ...lokiBase, compactor: { ...lokiBase.compactor, retention_delete_delay: "1d" } }),
      );
      assert.equal(f.length, 1, JSON.stringify(f));
      assert.match(
        f[0].message,
        /compactor\.retention_delete_delay: expected a Go time\.Duration.*found "1d" \(loki-3\.7\.6\/config-keys\.tsv/,
      );
    });
    it("Loki: retention without the delete request store fails, citing Loki's Validate()", () => {
      const f = engineFindings(loki({ ...lokiBase, compactor: { retention_enabled: true } }));
      assert.match(f[0].message, /pkg\/compactor\/config\.go:107-110/);
    });
    it("fails a credential that would change the YAML once expanded, without showing it", () => {
      // Loki 3.7.6 reads each of these as another value (the key empty, or cut at the comment).
      for (const value of ["abc: def", "&anchor", "x #y", "~"]) {
        const f = engineFindings(loki(lokiBase, { ...safe, AWS_SECRET_ACCESS_KEY: value }));
        assert.equal(f.length, 1, `${value}: ${JSON.stringify(f)}`);
        assert.match(
          f[0].message,
          /\$\{AWS_SECRET_ACCESS_KEY\} in \/etc\/loki\/config\/config\.yaml: its value .*expands it into the YAML text/,
        );
        assert.ok(!f[0].message.includes(value), "never shows the value");
      }
    });
    it("checkStack carries the findings; the checks judge from the repository's own data, with no external reference folder", () => {
      const bad = loki({ ...lokiBase, compactor: { ...lokiBase.compactor, retention_delete_delay: "1d" } });
      const report = checkStack(bad, []);
      assert.ok(report.findings.some((f) => f.check === "engine-config"));
      assert.equal(report.engineConfigs, 1);
      const empty = tmpDir("noref");
      const saved = process.env.HOMELAB_REFERENCE_DIR;
      process.env.HOMELAB_REFERENCE_DIR = empty;
      try {
        const r = checkEngineConfigs(bad);
        assert.deepEqual(r.notRun, []);
        assert.ok(
          r.findings.some((f) => f.check === "engine-config" && /retention_delete_delay/.test(f.message)),
        );
      } finally {
        if (saved === undefined) delete process.env.HOMELAB_REFERENCE_DIR;
        else process.env.HOMELAB_REFERENCE_DIR = saved;
      }
    });
  });
});

import { strict as assert } from "assert";
import { parse, stringify } from "yaml";
import { placedFrom, type Placed } from "../../checks";
import { checkEngineConfigs } from "../../checks/engineConfigs";
import { assertRendered, rendered, stackFileVariants } from "../support/rendered";

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

/** Edits the YAML of every ConfigMap key `key` among the objects (a planted mistake). */
function editConfig(objects: Placed[], key: string, edit: (c: any) => void): Placed[] {
  return objects.map((p) => {
    if (p.obj.kind !== "ConfigMap" || typeof p.obj.data?.[key] !== "string") return p;
    const c = parse(p.obj.data[key]);
    edit(c);
    return { ...p, obj: { ...p.obj, data: { ...p.obj.data, [key]: stringify(c) } } };
  });
}

/**
 * The rendered-object check engine-config (checks/engineConfigs.ts) on production as the
 * real Helm renders it (Loki SimpleScalable and Mimir), against Loki v3.7.6's and Mimir 3.0's own
 * configuration references (upstream/engines/data, read, not restated). Unit cases with hand-made
 * objects are in test/checks/engineChecks.test.ts; the references' reader in
 * test/upstream/engineReferences.test.ts.
 */
describe("engine-config: Loki's and Mimir's configs as rendered, judged by their own references", function () {
  this.timeout(300_000);
  let objects: Placed[];

  before(async function () {
    const r = await rendered(stackFileVariants().find((v) => v.stack === "production")!);
    assertRendered(r);
    objects = placedFrom(r.objects);
  });

  it("production as rendered: every key, flag, type and duration is the engines' own", () => {
    const r = checkEngineConfigs(objects);
    assert.ok(r.judged >= 4, `judged ${r.judged} containers`); // Loki's write, read, backend and Mimir
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.notRun, []);
    // The chart passes the hidden, deprecated -legacy-read-mode to Loki's backend target: the
    // warning says so, since no stack key changes it.
    assert.ok(
      r.warnings.every((w) => /is (deprecated|experimental) in (Loki|Mimir)/.test(w)),
      r.warnings.join("\n"),
    );
    assert.ok(
      r.warnings.some((w) =>
        w.endsWith(
          "-legacy-read-mode=false: -legacy-read-mode is deprecated in Loki 3.7.6 (grafana/loki v3.7.6 pkg/loki/loki.go:134,170 (hidden)); the loki chart passes it to its backend target itself (templates/backend/workload.yaml), no chart value leaves it out, and false is the flag's default: nothing to change in the stack",
        ),
      ),
      r.warnings.join("\n"),
    );
  });

  it("refuses `1d` in a Go time.Duration (compactor.retention_delete_delay), which stops every Loki pod at load", () => {
    const planted = editConfig(objects, "config.yaml", (c) => {
      if (c.compactor) c.compactor.retention_delete_delay = "1d";
    });
    const msgs = checkEngineConfigs(planted).findings.map((f) => f.message);
    assert.ok(msgs.length > 0);
    for (const m of msgs)
      assert.match(m, /compactor\.retention_delete_delay: expected a Go time\.Duration.*found "1d"/);
  });

  it("refuses a misspelt ring KV store, ruler storage type or remote-write key, which Loki takes at -verify-config and stops on at start", () => {
    const planted = editConfig(objects, "config.yaml", (c) => {
      if (!c.ruler) return;
      c.common.ring = { kvstore: { store: "memberlst" } };
      c.ruler.storage.type = "s4";
      c.ruler.remote_write = {
        enabled: true,
        clients: { m: { url: "http://m/api/v1/push", remote_timout: "30s" } },
      };
    });
    const msgs = checkEngineConfigs(planted).findings.map((f) => f.message);
    const said = [
      /config\.yaml common\.ring\.kvstore\.store: expected one of consul, etcd, inmemory, memberlist, multi; found "memberlst": Loki stops at start \("invalid KV store type: memberlst"\).*did you mean "memberlist"\?$/,
      /config\.yaml ruler\.storage\.type: expected one of .*; found "s4": Loki stops at start \("unrecognized rule storage mode"\).*did you mean "s3"\?$/,
      /config\.yaml ruler\.remote_write\.clients\.m\.remote_timout: Loki 3\.7\.6 has no key ruler\.remote_write\.clients\.\*\.remote_timout.*did you mean ruler\.remote_write\.clients\.m\.remote_timeout\?$/,
    ];
    // One file shared by the write, read and backend targets: each mistake said once.
    assert.equal(msgs.length, said.length, msgs.join("\n"));
    for (const re of said)
      assert.ok(
        msgs.some((m) => re.test(m)),
        `${re} in\n${msgs.join("\n")}`,
      );
  });

  it("refuses a misspelt word Loki stops on (a server TLS version, a thanos bucket lookup type), and says one it reads as another (the log format)", () => {
    const planted = editConfig(objects, "config.yaml", (c) => {
      if (!c.server) return;
      c.server.tls_min_version = "VersionTLS14";
      c.server.log_format = "JSON";
      c.storage_config = { ...c.storage_config, object_store: { s3: { bucket_lookup_type: "Path" } } };
    });
    const report = checkEngineConfigs(planted);
    const msgs = report.findings.map((f) => f.message);
    const said = [
      /config\.yaml server\.tls_min_version: expected one of VersionTLS10, .*; found "VersionTLS14": Loki stops at start \("TLS version \\"VersionTLS14\\" not recognized"\) in every process/,
      /config\.yaml storage_config\.object_store\.s3\.bucket_lookup_type: expected one of auto, path, virtual-hosted; found "Path": Loki stops at load \("unsupported bucket lookup type: Path"\).*did you mean "path"\?$/,
    ];
    assert.equal(msgs.length, said.length, msgs.join("\n"));
    for (const re of said)
      assert.ok(
        msgs.some((m) => re.test(m)),
        `${re} in\n${msgs.join("\n")}`,
      );
    assert.ok(
      report.warnings.some((w) =>
        /config\.yaml server\.log_format: expected one of logfmt, json, "" \(empty\); found "JSON": Loki 3\.7\.6 takes it and logs in logfmt.*did you mean "json"\?$/.test(
          w,
        ),
      ),
      report.warnings.join("\n"),
    );
  });

  it("refuses a key the engine does not have, with the closest key of its level, and a flag", () => {
    const typo = editConfig(objects, "config.yaml", (c) => {
      if (c.compactor) c.compactor.delete_request_storee = "s3";
    });
    assert.ok(
      checkEngineConfigs(typo).findings.some((f) =>
        /Loki 3\.7\.6 has no key compactor\.delete_request_storee.*; did you mean compactor\.delete_request_store\?$/.test(
          f.message,
        ),
      ),
    );
    const flag = clone(objects);
    const mimir = flag.find((p) => p.obj.kind === "StatefulSet" && p.obj.metadata.name === "mimir")!;
    mimir.obj.spec.template.spec.containers[0].args.push("-ruler.alertmanager-urll=http://x");
    assert.ok(
      checkEngineConfigs(flag).findings.some((f) =>
        /-ruler\.alertmanager-urll=http:\/\/x: Mimir 3\.0\.0 has no flag -ruler\.alertmanager-urll/.test(
          f.message,
        ),
      ),
    );
  });

  it("reads a Loki container's flags as Go's flag package does: none after a non-flag, `-flag value` judged, none under a shell", () => {
    const lokiArgs = (extra: string[], command?: string[]) => {
      const planted = clone(objects);
      const c = planted.find((p) => p.obj.kind === "StatefulSet" && /loki-write/.test(p.obj.metadata.name))!
        .obj.spec.template.spec.containers[0];
      c.args.push(...extra);
      if (command) c.command = command;
      return checkEngineConfigs(planted).findings.map((f) => f.message);
    };
    // Go stops reading flags at `extra`: Loki starts, -bogus is an argument it never reads.
    assert.deepEqual(lokiArgs(["extra", "-bogus"]), []);
    assert.deepEqual(
      lokiArgs(["-log.level", "inf"]).filter((m) => m.startsWith("flag -log.level inf: ")).length,
      1,
    );
    // `-legacy-read-mode=1` is true to strconv.ParseBool: deprecated, not refused.
    assert.deepEqual(lokiArgs(["-legacy-read-mode=1"]), []);
    // A shell runs Loki: its own -c is no flag of Loki's.
    assert.deepEqual(lokiArgs(["-bogus"], ["sh", "-c"]), []);
  });

  it("refuses -version where Loki should keep running (it prints it and exits), not in a Job's Loki", () => {
    const planted = clone(objects);
    const isWrite = (p: Placed) => p.obj.kind === "StatefulSet" && /loki-write/.test(p.obj.metadata.name);
    planted.find(isWrite)!.obj.spec.template.spec.containers[0].args.push("-version");
    const exits = (ps: Placed[]) =>
      checkEngineConfigs(ps)
        .findings.map((f) => f.message)
        .filter((m) =>
          m.startsWith("flag -version: Loki 3.7.6 prints its version and exits instead of running"),
        );
    assert.equal(exits(planted).length, 1);
    const job = clone(planted);
    job.find(isWrite)!.obj.kind = "Job";
    assert.deepEqual(exits(job), []);
  });
});

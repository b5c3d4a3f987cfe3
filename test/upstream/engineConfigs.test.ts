import { strict as assert } from "assert";
import { parse, stringify } from "yaml";
import { lokiValues } from "../../builders/logging/lokiValues";
import { planStack } from "../../plan/plan";
import { placedFrom, type Placed } from "../../preview/checks";
import { checkEngineConfigs } from "../../preview/checks/engineConfigs";
import {
  checkEngineConfig,
  configReferenceVersionProblem,
  loadConfigReference,
  type ConfigReference,
} from "../../upstream/engines/configReference";
import { referenceDir } from "../../upstream/reference";
import { config } from "../support/helpers";
import { assertRendered, rendered, stackFileVariants } from "../support/rendered";

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

function requireReference(ctx: Mocha.Context): void {
  if (referenceDir()) return;
  const why = "../shared/reference is missing (set HOMELAB_REFERENCE_DIR)";
  if (process.env.CI === "true") throw new Error(`${why}; CI needs it`);
  console.warn(`\n  !!! SKIPPING: ${why}; CI runs these tests.\n`);
  ctx.skip();
}

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
 * The rendered-object check engine-config (preview/checks/engineConfigs.ts) on production as the
 * real Helm renders it (Loki SimpleScalable and Mimir), against Loki v3.6.3's and Mimir 3.0's own
 * configuration references (../shared/reference, read, not restated).
 */
describe("engine-config: Loki's and Mimir's configs judged by their own references", function () {
  this.timeout(300_000);
  let objects: Placed[];

  before(async function () {
    requireReference(this);
    const r = await rendered(stackFileVariants().find((v) => v.stack === "production")!);
    assertRendered(r);
    objects = placedFrom(r.objects);
  });

  it("production as rendered: every key, flag and duration is the engines' own", () => {
    const r = checkEngineConfigs(objects);
    assert.ok(r.configs >= 4, `judged ${r.configs} configs`); // Loki's write, read, backend and Mimir
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.notRun, []);
  });

  it("refuses `1d` in a Go time.Duration (compactor.retention_delete_delay), which stops every Loki pod at load", () => {
    const planted = editConfig(objects, "config.yaml", (c) => {
      if (c.compactor) c.compactor.retention_delete_delay = "1d";
    });
    const msgs = checkEngineConfigs(planted).findings.map((f) => f.message);
    assert.ok(msgs.length > 0);
    for (const m of msgs)
      assert.match(m, /compactor\.retention_delete_delay is "1d", but Loki reads it as a Go time\.Duration/);
  });

  it("refuses a key the engine does not have, and a flag", () => {
    const typo = editConfig(objects, "config.yaml", (c) => {
      if (c.compactor) c.compactor.delete_request_storee = "s3";
    });
    assert.ok(
      checkEngineConfigs(typo).findings.some((f) =>
        /loki v3\.6\.3 has no configuration key compactor\.delete_request_storee/.test(f.message),
      ),
    );
    const flag = clone(objects);
    const mimir = flag.find((p) => p.obj.kind === "StatefulSet" && p.obj.metadata.name === "mimir")!;
    mimir.obj.spec.template.spec.containers[0].args.push("-ruler.alertmanager-urll=http://x");
    assert.ok(
      checkEngineConfigs(flag).findings.some((f) =>
        /-ruler\.alertmanager-urll: mimir 3\.0\.0 has no such flag/.test(f.message),
      ),
    );
  });

  it("names a Mimir field the reference marks deprecated or added after 3.0.0", function () {
    const ref = loadConfigReference("mimir");
    const deprecated = [...ref.keys.values()].find(
      (k) =>
        k.category === "deprecated" && k.kind === "field" && !k.path.includes("[]") && !k.path.includes("*"),
    );
    const later = [...ref.keys.values()].find(
      (k) =>
        k.atVersion === "added-after-3.0.0" &&
        k.kind === "field" &&
        !k.path.includes("[]") &&
        !k.path.includes("*"),
    );
    const set = (path: string) => {
      const c: any = {};
      const parts = path.split(".");
      parts.reduce((o, p, i) => (o[p] = i === parts.length - 1 ? "x" : (o[p] ?? {})), c);
      return c;
    };
    if (deprecated)
      assert.match(
        checkEngineConfig(ref, set(deprecated.path))[0]?.message ?? "",
        /is deprecated in mimir 3\.0\.0/,
      );
    if (later)
      assert.match(
        checkEngineConfig(ref, set(later.path))[0]?.message ?? "",
        /was added after Mimir 3\.0\.0/,
      );
    assert.ok(deprecated || later, "the reference marks some field deprecated or added after 3.0.0");
  });

  it("fails when model/versions.ts pins another version than the reference describes, naming the folder to refresh", () => {
    const loki: ConfigReference = loadConfigReference("loki");
    assert.equal(configReferenceVersionProblem(loki, "3.6.3"), undefined);
    assert.match(
      configReferenceVersionProblem(loki, "3.7.0") ?? "",
      /\.\.\/shared\/reference\/loki-3\.6\.3 describes loki 3\.6\.3, but model\/versions\.ts pins 3\.7\.0: refresh/,
    );
  });
});

/**
 * The stack config speaks the engines' language: each duration key the builders write into a Loki
 * config field is found by planting a distinct value and looking for it in the generated config;
 * the field's Go type comes from Loki's reference (`go_duration`), and the schema must refuse `1d`
 * exactly where that type is time.Duration.
 */
describe("stack-config durations against the Loki fields they land in", function () {
  before(function () {
    requireReference(this);
  });

  const DURATION_KEYS = ["retention", "deleteDelay"] as const;

  /** Where in the Loki config a value planted in `loki.<key>` lands. */
  function landing(key: (typeof DURATION_KEYS)[number]): string[] {
    // A value no default has, of a form the key's own rules accept (retention: whole days).
    const sentinel = key === "retention" ? "123d" : "1234567s";
    const cfg = config({
      loki: { [key]: sentinel },
      objectStore: { type: "minio", endpoint: "http://minio.storage.svc:9000" },
    });
    const values = lokiValues(planStack(cfg).loki.inputs.settings);
    const found: string[] = [];
    const walk = (v: unknown, at: string) => {
      if (v === sentinel) found.push(at);
      else if (v && typeof v === "object")
        for (const [k, x] of Object.entries(v)) walk(x, at === "" ? k : `${at}.${k}`);
    };
    // The chart turns `loki.<block>` values into the config file's `<block>` (loki 6.49.0 values.yaml).
    walk(values.loki, "");
    return found;
  }

  for (const key of DURATION_KEYS)
    it(`loki.${key}: refused as "1d" exactly when a Loki field it lands in is a Go time.Duration`, () => {
      const ref = loadConfigReference("loki");
      const fields = landing(key).filter((p) => ref.keys.has(p));
      assert.ok(fields.length > 0, `loki.${key} lands in no Loki config field`);
      const goDuration = fields.some((p) => ref.keys.get(p)!.goDuration === "time.Duration");
      const refused = (() => {
        try {
          config({ loki: { [key]: "1d" } });
          return false;
        } catch (e) {
          assert.match(
            (e as Error).message,
            new RegExp(`loki\\.${key}: expected a Go duration like "\\d+h" .*24h for a day`),
          );
          return true;
        }
      })();
      assert.equal(
        refused,
        goDuration,
        `${fields.join(", ")}: ${goDuration ? "time.Duration" : "model.Duration"}`,
      );
      // The form the message suggests is taken.
      config({ loki: { [key]: "24h" } });
    });
});

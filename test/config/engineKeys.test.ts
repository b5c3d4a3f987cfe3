import { strict as assert } from "assert";
import { parse } from "yaml";
import { ENGINE_KEYS } from "../../config/engineKeys";
import { loadEngineReference, parsesAsGoDuration, type Engine } from "../../upstream/engines/references";
import { config } from "../support/helpers";
import { rendered } from "../support/rendered";

/**
 * The stack-config keys that flow into Loki and Mimir fields speak the engines' language: the table
 * (config/engineKeys.ts) is held to what the real Helm render writes and to the references' types,
 * and the schema converts or refuses what the engine could not load.
 */
describe("config/engineKeys: stack-config keys in the engines' language", function () {
  it("loki.deleteDelay: 1d becomes 24h, since Loki's retention_delete_delay is a Go time.Duration", () => {
    assert.equal(config({ loki: { deleteDelay: "1d" } }).loki.deleteDelay, "24h");
    assert.equal(config({ loki: { deleteDelay: "2w" } }).loki.deleteDelay, "336h");
    assert.equal(config({ loki: { deleteDelay: "90m" } }).loki.deleteDelay, "90m");
    assert.equal(config({}).loki.deleteDelay, "2h");
    for (const v of ["1d", "2w", "1y", "36h", "90m"])
      assert.ok(parsesAsGoDuration(config({ loki: { deleteDelay: v } }).loki.deleteDelay), v);
  });

  it("refuses what no form takes, naming the key, the form with an example and what was found", () => {
    assert.throws(
      () => config({ loki: { deleteDelay: "1.5d" } }),
      (e: Error) =>
        /loki\.deleteDelay/.test(e.message) &&
        e.message.includes(
          `expected a duration above zero like "2h" (whole number + ms|s|m|h|d|w|y, or several largest first as "1d12h"; loki.deleteDelay becomes a Go time.Duration, which the program writes d, w and y into as hours, "1d" as "24h")`,
        ) &&
        /got string "1\.5d"/.test(e.message),
    );
  });

  it("refuses a zero duration saying the duration must be above zero, as its form already is", () => {
    assert.throws(
      () => config({ loki: { deleteDelay: "0s" } }),
      (e: Error) =>
        e.message.includes(`loki.deleteDelay: expected a duration above zero like "2h"`) &&
        /got string "0s"/.test(e.message),
    );
  });

  it("model.Duration keys keep days (Loki limits_config.retention_period, Mimir limits.compactor_blocks_retention_period)", () => {
    const c = config({ loki: { retention: "14d" }, mimir: { blocksRetention: "90d" } });
    assert.equal(c.loki.retention, "14d");
    assert.equal(c.mimir.blocksRetention, "90d");
  });

  it("each mapped field exists at the pinned version with the type the schema gives the key", () => {
    const schemaType = (key: string): unknown => {
      const [block, name] = key.split(".");
      return (config({}) as any)[block][name];
    };
    for (const k of ENGINE_KEYS) {
      const field = loadEngineReference(k.engine).fields.get(k.field);
      assert.ok(field, `${k.key}: ${k.engine} has ${k.field}`);
      assert.equal(field.duration, k.duration, `${k.key} -> ${k.field}: the reference's duration kind`);
      const v = schemaType(k.key);
      if (field.type === "boolean") assert.equal(typeof v, "boolean", k.key);
      else if (field.type === "int") assert.ok(Number.isInteger(v), k.key);
      else if (field.type === "float") assert.equal(typeof v, "number", k.key);
      else assert.equal(field.type, "duration", `${k.key}: ${field.type}`);
    }
  });

  describe("the mapping is what the builders and the Loki chart write (staging, real Helm render)", function () {
    this.timeout(600_000);
    // Distinct values, so each can be found wherever it lands.
    const sentinels = {
      loki: {
        mode: "SingleBinary",
        retention: "11d",
        deleteDelay: "3d",
        replicationFactor: 1,
        authEnabled: true,
      },
      mimir: {
        blocksRetention: "97d",
        ingestionRate: 123_457,
        maxGlobalSeriesPerUser: 765_431,
        multitenancy: true,
      },
      prometheus: { retention: "17d" },
      // No victoriametrics sentinels: staging runs Mimir, and a stack refuses the keys its backend
      // leaves unread (config/resolve.ts unreadKeys), so they cannot reach a file here.
      alerting: { heartbeatInterval: "7m" },
    };
    let configs: Record<Engine, unknown>;
    before(async () => {
      const r = await rendered({ title: "staging sentinels", stack: "staging", over: sentinels });
      const file = (name: string, key: string) => {
        const cm = r.objects.find((o) => o.object.kind === "ConfigMap" && o.object.metadata.name === name);
        assert.ok(cm, `ConfigMap ${name}`);
        return parse(cm.object.data[key]);
      };
      configs = { loki: file("loki", "config.yaml"), mimir: file("mimir-config", "mimir.yaml") };
    });
    /** Every path of `value` in a parsed config. */
    const pathsOf = (c: unknown, value: unknown, at = ""): string[] =>
      c !== null && typeof c === "object"
        ? Object.entries(c).flatMap(([k, v]) => pathsOf(v, value, at ? `${at}.${k}` : k))
        : c === value
          ? [at]
          : [];

    it("every mapped key lands in its field, converted where the field is a Go time.Duration", () => {
      const expect: Record<string, unknown> = {
        "loki.retention": "11d",
        "loki.deleteDelay": "72h",
        "loki.authEnabled": true,
        "loki.replicationFactor": 1,
        "mimir.blocksRetention": "97d",
        "mimir.multitenancy": true,
        "mimir.maxGlobalSeriesPerUser": 765_431,
        "mimir.ingestionRate": 123_457,
      };
      for (const k of ENGINE_KEYS) {
        const v = k.field.split(".").reduce<any>((o, p) => o?.[p], configs[k.engine]);
        assert.deepEqual(v, expect[k.key], `${k.key} -> ${k.engine} ${k.field}`);
      }
    });

    it("no other duration key of the stack config reaches Loki's or Mimir's file, and the durations land only where mapped", () => {
      const found = (["loki", "mimir"] as Engine[]).flatMap((e) =>
        ["11d", "72h", "3d", "97d", "17d", "7m"].flatMap((v) =>
          pathsOf(configs[e], v).map((p) => `${e} ${p}=${v}`),
        ),
      );
      assert.deepEqual(found.sort(), [
        "loki compactor.retention_delete_delay=72h",
        "loki limits_config.retention_period=11d",
        "mimir limits.compactor_blocks_retention_period=97d",
      ]);
    });
  });
});

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { versions } from "../../model/versions";
import { ROOT } from "../support/helpers";
import { prettierAccepts } from "../support/prettier";

interface Manager {
  customType: string;
  managerFilePatterns: string[];
  matchStrings: string[];
  datasourceTemplate: string;
}

/** Renovate's `/regex/` file pattern as a RegExp (docs.renovatebot.com: managerFilePatterns). */
const filePattern = (p: string) => new RegExp(p.replace(/^\/(.*)\/$/, "$1"));

/**
 * What Renovate's regex managers extract from a file: every match of every matchString (Renovate
 * runs them with RE2, whose syntax these patterns stay within: no lookaround, no backreferences).
 */
function extracted(
  file: string,
): { datasource: string; depName: string; registryUrl: string; currentValue: string }[] {
  const config = JSON.parse(fs.readFileSync(path.join(ROOT, "renovate.json"), "utf8"));
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  const out = [];
  for (const m of config.customManagers as Manager[]) {
    assert.equal(m.customType, "regex");
    if (!m.managerFilePatterns.some((p) => filePattern(p).test(file))) continue;
    for (const s of m.matchStrings) {
      assert.ok(!/\(\?[=!<][^a-zA-Z]|\\\d/.test(s), `${s}: lookaround or backreference (RE2 has neither)`);
      for (const hit of text.matchAll(new RegExp(s, "g"))) {
        const g = hit.groups!;
        out.push({
          datasource: m.datasourceTemplate,
          depName: g.depName,
          registryUrl: g.registryUrl,
          currentValue: g.currentValue,
        });
      }
    }
  }
  return out;
}

describe("renovate.json keeps model/versions.ts current", () => {
  it("its regex managers find every pinned chart (helm) and image (docker), with the pinned version", () => {
    const found = extracted("model/versions.ts");
    const charts = Object.values(versions.charts).map((c) => ({
      datasource: "helm",
      depName: c.chart,
      registryUrl: c.repo,
      currentValue: c.version,
    }));
    const images = Object.values(versions.images).map((i) => ({
      datasource: "docker",
      depName: i.repository,
      registryUrl: i.registry,
      currentValue: i.tag,
    }));
    const key = (d: { datasource: string; depName: string; registryUrl: string; currentValue: string }) =>
      `${d.datasource} ${d.registryUrl} ${d.depName} ${d.currentValue}`;
    assert.deepEqual(found.map(key).sort(), [...charts, ...images].map(key).sort());
  });

  it("follows the loki chart where model/versions.ts pins it, with no version cap holding it on another line", () => {
    const config = JSON.parse(fs.readFileSync(path.join(ROOT, "renovate.json"), "utf8"));
    const loki = extracted("model/versions.ts").filter(
      (d) => d.datasource === "helm" && d.depName === "loki",
    );
    assert.deepEqual(
      loki.map((d) => [d.registryUrl, d.currentValue]),
      [[versions.charts.loki.repo, versions.charts.loki.version]],
    );
    // A cap below the pinned major would keep Renovate from proposing any release of the pinned line.
    const pinnedMajor = Number(versions.charts.loki.version.split(".")[0]);
    for (const rule of config.packageRules as Record<string, any>[]) {
      if (!rule.matchPackageNames?.includes("loki") || !rule.allowedVersions) continue;
      const cap = /^<\s*(\d+)/.exec(String(rule.allowedVersions));
      assert.ok(!cap || Number(cap[1]) > pinnedMajor, `${rule.description}: ${rule.allowedVersions}`);
    }
  });

  it("a pin written in another shape is not found (the check can fail)", () => {
    const config = JSON.parse(fs.readFileSync(path.join(ROOT, "renovate.json"), "utf8"));
    const image = new RegExp(config.customManagers[1].matchStrings[0]);
    assert.ok(image.test('x: { registry: "quay.io", repository: "a/b", tag: "v1" }'));
    assert.ok(!image.test('x: { repository: "a/b", registry: "quay.io", tag: "v1" }'));
  });

  /**
   * Renovate fills a regex manager's autoReplaceStringTemplate with Handlebars over the captured
   * groups and newValue/newDigest (docs.renovatebot.com/modules/custom-manager/regex; its own
   * docker-compose manager uses the same `{{#if newDigest}}@{{newDigest}}{{/if}}` shape). The two
   * constructs the template uses, triple braces and #if, restated here; Renovate itself cannot run
   * without a registry.
   */
  function fill(template: string, fields: Record<string, string | undefined>): string {
    return template
      .replace(/\{\{#if (\w+)\}\}([\s\S]*?)\{\{\/if\}\}/g, (_, k: string, body: string) =>
        fields[k] ? body : "",
      )
      .replace(/\{\{\{(\w+)\}\}\}/g, (_, k: string) => {
        assert.ok(fields[k] !== undefined, `template field ${k} is not captured`);
        return fields[k];
      });
  }

  it("images: tag and digest are one pin; rewriting a pin keeps versions.ts as prettier formats it", async () => {
    const config = JSON.parse(fs.readFileSync(path.join(ROOT, "renovate.json"), "utf8"));
    const manager = config.customManagers[1];
    assert.ok(
      config.packageRules.some((r: any) => r.pinDigests === true && r.matchDatasources?.includes("docker")),
      "pinDigests for docker images",
    );
    const file = path.join(ROOT, "model/versions.ts");
    const text = fs.readFileSync(file, "utf8");
    const re = new RegExp(manager.matchStrings[0], "g");
    const hits = [...text.matchAll(re)];
    assert.equal(hits.length, Object.keys(versions.images).length);
    const prettier = await import("prettier");
    const options = { ...(await prettier.resolveConfig(file)), filepath: file };
    for (const hit of hits) {
      const g = hit.groups!;
      // A no-op update writes the pin back unchanged.
      assert.equal(
        fill(manager.autoReplaceStringTemplate, {
          ...g,
          newValue: g.currentValue,
          newDigest: g.currentDigest,
        }),
        hit[0],
      );
      // Pinning a digest (and bumping the tag) leaves a file prettier accepts, and the manager finds both again.
      const digest = `sha256:${"ab".repeat(32)}`;
      const next =
        text.slice(0, hit.index) +
        fill(manager.autoReplaceStringTemplate, {
          ...g,
          newValue: `${g.currentValue}-next`,
          newDigest: digest,
        }) +
        text.slice(hit.index + hit[0].length);
      assert.ok(
        await prettierAccepts(next, options),
        `${g.depName}: the pinned file is not prettier-formatted`,
      );
      const again = [...next.matchAll(new RegExp(manager.matchStrings[0], "g"))].find(
        // At the pin's own place: a repository may hold two pins (the VictoriaMetrics operator's).
        (h) => h.index === hit.index,
      );
      assert.equal(again?.groups?.currentValue, `${g.currentValue}-next`);
      assert.equal(again?.groups?.currentDigest, digest);
    }
  });
});

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { versions } from "../../model/versions";
import { ROOT } from "../support/helpers";

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

  it("a pin written in another shape is not found (the check can fail)", () => {
    const config = JSON.parse(fs.readFileSync(path.join(ROOT, "renovate.json"), "utf8"));
    const image = new RegExp(config.customManagers[1].matchStrings[0]);
    assert.ok(image.test('x: { registry: "quay.io", repository: "a/b", tag: "v1" }'));
    assert.ok(!image.test('x: { repository: "a/b", registry: "quay.io", tag: "v1" }'));
  });
});

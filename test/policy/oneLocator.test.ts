/**
 * The pack and the program place a stack key with one locator (contract/locate.ts): the pack's
 * `file:line` after a key its message names (policy/lib/stackKeys.ts) is the line config/locate.ts
 * ConfigLocator places a config problem on that key at, for the same stack file, whatever its slips.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ConfigLocator, parseSegments } from "../../config/locate";
import { placerFor, stackFilePlaces } from "../../policy/lib/stackKeys";
import { release } from "../support/policyCases";
import { ROOT, tmpDir } from "../support/helpers";

const PROJECT = "homelab-observability";

/** A project folder with Pulumi.yaml and `Pulumi.lab.yaml` holding `stack`. */
function project(stack: string[]): string {
  const dir = tmpDir("one-locator");
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${PROJECT}\nruntime: nodejs\n`);
  fs.writeFileSync(path.join(dir, "Pulumi.lab.yaml"), [...stack, ""].join("\n"));
  return dir;
}

/** The line each locator gives `key`; the pack's only where the value it judged is the file's. */
function lines(dir: string, key: string): { pack?: number; config?: number } {
  const places = stackFilePlaces(dir, "lab", PROJECT, (f) => path.basename(f));
  assert.ok(places, "the folder is the project's");
  const seen = places(key, () => VALUES[key]);
  const place = ConfigLocator.forStack(dir, "lab").at(parseSegments(key));
  return {
    pack: seen === undefined ? undefined : Number(/^Pulumi\.lab\.yaml:(\d+)$/.exec(seen)?.[1]),
    config: place?.exact ? place.line : undefined,
  };
}

/** The values the pack judged for each key (as the stack-info ConfigMap would record them). */
const VALUES: Record<string, unknown> = {
  "nodePools[0].taints": [{ key: "pi", value: "true", effect: "NoSchedule" }],
  "nodePools[1].arch": "amd64",
  "nodePools[1].count": 2,
};

describe("the pack and the program place a stack key on the same line (one locator)", () => {
  it("the namespaced key where the file writes it bare too, list indexes", () => {
    const dir = project([
      "config:",
      `  ${PROJECT}:nodePools:`,
      "    - name: pi5",
      "      arch: arm64",
      "      taints:",
      '        - { effect: NoSchedule, key: pi, value: "true" }',
      "    - name: x86",
      "      arch: amd64",
      "      count: 2",
      "  nodePools:",
      "    - name: stray",
      "      taints: []",
      "      arch: amd64",
      "      count: 2",
    ]);
    for (const key of Object.keys(VALUES)) {
      const got = lines(dir, key);
      assert.ok(got.config !== undefined, `${key}: config places it`);
      assert.deepEqual(got, { pack: got.config, config: got.config }, key);
    }
    // The places themselves: in the namespaced pools, which the program reads first.
    assert.deepEqual(
      Object.keys(VALUES).map((k) => lines(dir, k).config),
      [5, 8, 9],
    );
  });

  it("a pool's size, which the pack judges as a number, where the file writes the same quantity", () => {
    const dir = project([
      "config:",
      `  ${PROJECT}:nodePools:`,
      "    - name: pi5",
      "      arch: arm64",
      '      cpu: "4"',
      "      memory: 900Mi",
    ]);
    const places = stackFilePlaces(dir, "lab", PROJECT, (f) => path.basename(f));
    assert.equal(
      places?.("nodePools[0].memory", () => 900 * 2 ** 20),
      "Pulumi.lab.yaml:6",
    );
    assert.equal(
      places?.("nodePools[0].cpu", () => 4),
      "Pulumi.lab.yaml:5",
    );
    // Another size than the one judged (the file edited since): no line rather than a wrong one.
    assert.equal(
      places?.("nodePools[0].memory", () => 2 ** 30),
      undefined,
    );
  });

  it("the pack's stack-key module walks no YAML of its own: the contract's walk, one copy", () => {
    const pack = fs.readFileSync(path.join(ROOT, "policy/lib/stackKeys.ts"), "utf8");
    const config = fs.readFileSync(path.join(ROOT, "config/locate.ts"), "utf8");
    for (const [file, text] of [
      ["policy/lib/stackKeys.ts", pack],
      ["config/locate.ts", config],
    ])
      assert.doesNotMatch(text, /\bisSeq\(|\bisPair\(|\.items\[/, `${file} walks the YAML itself`);
  });

  it("a chartValues key is placed only where the file holds the value the export's release has", () => {
    const dir = project([
      "config:",
      `  ${PROJECT}:chartValues:`,
      "    grafana:",
      "      replicas: 3",
      "      persistence:",
      "        enabled: null",
      "      image:",
      "        tag: 11.0.0",
    ]);
    // Exported with replicas 2; the null deleted the chart's key, as Helm's merge does.
    const r = release("grafana", { replicas: 2, persistence: {}, image: { tag: "11.0.0" } });
    const urn = "urn:pulumi:lab::homelab-observability::kubernetes:helm.sh/v3:Release::grafana";
    const at = placerFor([{ type: r.type, urn, name: "grafana", props: r.inputs! }], dir, (f) =>
      path.basename(f),
    );
    assert.ok(at, "the folder is the project's");
    assert.deepEqual(
      [
        "chartValues.grafana.replicas",
        "chartValues.grafana.persistence.enabled",
        "chartValues.grafana.image.tag",
      ].map(at),
      [undefined, "Pulumi.lab.yaml:6", "Pulumi.lab.yaml:8"],
    );
  });
});

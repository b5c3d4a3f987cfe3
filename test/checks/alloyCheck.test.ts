import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { checkAlloy, checkAlloySyntax } from "../../checks/alloy";
import { loadAlloyReference } from "../../upstream/alloy/components";
import { checkStack } from "../../checks";
import { mergeProblems } from "../../synth/report";
import type { K8sObject, Placed } from "../../checks/objects";
import { NS } from "../support/objects";
import { ROOT } from "../support/helpers";
import { versions } from "../../model/versions";

const at = (obj: K8sObject): Placed => ({ obj, urn: "urn:alloy", source: "release alloy-agents" });
const configMap = (data: Record<string, string>): K8sObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "alloy", namespace: NS },
  data,
});

describe("rendered-stack checks: Alloy configs parse (checks/alloy.ts)", () => {
  const good =
    'loki.write "default" {\n  endpoint {\n    url = "http://loki:3100/loki/api/v1/push"\n  }\n}\n';

  it("passes an Alloy config that parses and ignores keys that are not .alloy files", () => {
    assert.deepEqual(checkAlloySyntax([at(configMap({ "config.alloy": good, "notes.txt": "x = {" }))]), []);
  });

  it("fails a config Alloy cannot parse, naming the ConfigMap, the key, the line and Alloy's message", () => {
    const broken = good.replace('"default" {', '"default" {\n  url = "a" "b"');
    const findings = checkAlloySyntax([at(configMap({ "config.alloy": broken }))]);
    assert.equal(findings.length, 1, JSON.stringify(findings));
    assert.equal(findings[0].check, "alloy-syntax");
    assert.match(findings[0].where, /^ConfigMap .*\/alloy \(release alloy-agents\) config\.alloy:2:\d+$/);
    assert.match(findings[0].message, /expected/);
  });

  it("says a mistake of one config text once, naming every ConfigMap that holds it", () => {
    // chartValues.alloy.alloy.configMap.content goes into every release of the chart: the node
    // agents (old and new namespace during a handover) and the cluster replica.
    const broken = good.replace('"default" {', '"default" {\n  url = "a" "b"');
    // The same mistake at the same place of another config is that config's own.
    const other = `${broken}// the cluster replica's config\n`;
    const cm = (namespace: string, name: string, text: string): Placed => ({
      obj: { ...configMap({ "config.alloy": text }), metadata: { name, namespace } },
      urn: `urn:${name}`,
      source: `release ${name}`,
    });
    const { findings } = checkAlloy([
      cm("monitoring", "alloy", broken),
      cm("monitoring-agents", "alloy", broken),
      cm("monitoring", "alloy-cluster", other),
    ]);
    const merged = mergeProblems([], findings).findings;
    assert.deepEqual(
      merged.map((f) => [f.where, f.alsoAt]),
      [
        [
          "ConfigMap monitoring/alloy (release alloy) config.alloy:2:16",
          ["[alloy-syntax] ConfigMap monitoring-agents/alloy (release alloy) config.alloy:2:16"],
        ],
        ["ConfigMap monitoring/alloy-cluster (release alloy-cluster) config.alloy:2:16", []],
      ],
    );
  });

  it("runs as part of every stack's checks", () => {
    const report = checkStack([at(configMap({ "config.alloy": "x = [1 2]\n" }))], []);
    assert.ok(
      report.findings.some((f) => f.check === "alloy-syntax"),
      JSON.stringify(report.findings),
    );
  });

  /** An Alloy DaemonSet `name` mounting the ConfigMap "alloy", its container (the pinned image, or `image`) run with `args`. */
  const alloyPod = (name: string, args: string[], image = "grafana/alloy:v1.12.0"): K8sObject => ({
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name, namespace: NS },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name: "alloy", image, args }],
          volumes: [{ name: "config", configMap: { name: "alloy" } }],
        },
      },
    },
  });

  /** The first component of the registry at a stability (or community) with nothing required. */
  const bare = (
    pred: (c: ReturnType<typeof loadAlloyReference>["code"]["components"][string]) => boolean,
  ) => {
    const { code } = loadAlloyReference();
    return Object.entries(code.components).find(
      ([, c]) =>
        pred(c) &&
        c.args !== null &&
        !Object.values(code.types[c.args].attributes).some((a) => a.required) &&
        !Object.values(code.types[c.args].blocks).some((b) => b.required),
    )![0];
  };

  it("judges components against Alloy's reference, with the --stability.level of the pods that mount the config", () => {
    const experimental = bare((c) => c.stability === "experimental" && !c.community);
    const cm = configMap({ "config.alloy": `${good}${experimental} "x" {\n}\n` });
    const pod = (args: string[]) => alloyPod("alloy", args);
    const plain = checkAlloy([at(cm), at(pod(["run", "/etc/alloy/config.alloy"]))]);
    assert.deepEqual(
      plain.findings.map((f) => f.check),
      ["alloy-component"],
    );
    assert.match(plain.findings[0].message, /--stability\.level=experimental.*\[stability;/);
    const run = (...flags: string[]) => pod(["run", "/etc/alloy/config.alloy", ...flags]);
    assert.deepEqual(checkAlloy([at(cm), at(run("--stability.level=experimental"))]).findings, []);
    // As the CLI parses it: a value after the flag, the last occurrence winning.
    assert.deepEqual(checkAlloy([at(cm), at(run("--stability.level", "experimental"))]).findings, []);
    const last = run("--stability.level=experimental", "--stability.level=generally-available");
    assert.equal(checkAlloy([at(cm), at(last)]).findings.length, 1);
    // A second pod mounting the same config at the default level refuses it: judged by the strictest.
    const other = alloyPod("alloy-other", ["run", "/etc/alloy/config.alloy"]);
    const both = checkAlloy([at(cm), at(run("--stability.level=experimental")), at(other)]);
    assert.equal(both.findings.length, 1, JSON.stringify(both.findings));
    // A pod whose command line Alloy refuses (no config path; a single-dash flag) loads no config:
    // it does not count (process-args reports it), the config is judged at the default level.
    const refused = [
      pod(["run", "--stability.level=experimental"]),
      run("--stability.level=experimental", "-x"),
    ];
    for (const p of refused) assert.equal(checkAlloy([at(cm), at(p)]).findings.length, 1);
    // An image the flag model does not know as Alloy v1.12.0 (a mirror under another name, another
    // release with a flag v1.12.0 lacks): its level is still read, so its components are not refused.
    const unknown = [
      alloyPod(
        "alloy",
        ["run", "/etc/alloy/config.alloy", "--stability.level=experimental"],
        "mirror.local/alloy:v1.12.0",
      ),
      alloyPod(
        "alloy",
        ["run", "/etc/alloy/config.alloy", "--stability.level", "experimental", "--flag-of-a-later-release"],
        "grafana/alloy:v1.13.0",
      ),
    ];
    for (const p of unknown) assert.deepEqual(checkAlloy([at(cm), at(p)]).findings, [], JSON.stringify(p));
  });

  it("takes a community component only where every pod that mounts the config runs with --feature.community-components.enabled", () => {
    const community = bare((c) => c.community === true);
    const cm = configMap({ "config.alloy": `${good}${community} "x" {\n}\n` });
    const pod = alloyPod;
    const on = ["run", "/etc/alloy/config.alloy", "--feature.community-components.enabled"];
    const without = checkAlloy([at(cm), at(pod("alloy", ["run", "/etc/alloy/config.alloy"]))]);
    assert.deepEqual(
      without.findings.map((f) => f.message.replace(/ \[.*$/, "")),
      [
        `${community} is a community component of Alloy v1.12.0; Alloy refuses it unless run with --feature.community-components.enabled`,
      ],
    );
    assert.deepEqual(checkAlloy([at(cm), at(pod("alloy", on))]).findings, []);
    // A bool flag as the CLI parses it: `=1` is on (strconv.ParseBool), a later `=false` turns it off.
    assert.deepEqual(checkAlloy([at(cm), at(pod("alloy", [...on.slice(0, 2), `${on[2]}=1`]))]).findings, []);
    assert.equal(checkAlloy([at(cm), at(pod("alloy", [...on, `${on[2]}=false`]))]).findings.length, 1);
    const oneWithout = checkAlloy([at(cm), at(pod("alloy", on)), at(pod("other", ["run", "x"]))]);
    assert.deepEqual(
      oneWithout.findings.map((f) => f.check),
      ["alloy-component"],
    );
  });

  it("a reference of another Alloy than the pin is said at the line of the pin's tag in model/versions.ts", () => {
    const text = fs.readFileSync(path.join(ROOT, "model/versions.ts"), "utf8");
    const entry = text.indexOf("\n    alloy: {", text.indexOf("images: {"));
    const line = text.slice(0, text.indexOf("tag:", entry)).split("\n").length;
    const pin = versions.images.alloy as { tag: string };
    const tag = pin.tag;
    pin.tag = "v0.0.1";
    try {
      const found = checkAlloy([at(configMap({ "config.alloy": good }))]).findings;
      assert.deepEqual(
        found.map((f) => [f.check, f.where]),
        [["alloy-reference", `model/versions.ts:${line} images.alloy.tag`]],
      );
      assert.match(
        found[0].message,
        /^model\/versions\.ts pins Alloy v0\.0\.1, but the component reference /,
      );
    } finally {
      pin.tag = tag;
    }
  });
});

import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { checkedStackConfig } from "../../config/stackCheck";
import { ROOT } from "../support/helpers";
import { P, refusal, stackProject } from "../support/stackText";

/*
 * takeover.namespace false while the import step imports releases or a claim from the stack's
 * namespace: that namespace exists, and the program would create it. Before this was refused, the
 * synthesis went on and the rendered-object checks said three things about node-exporter (the
 * running kube-prometheus-stack's, kept through the import step, taken for absent), none naming
 * the key. Now the key is the one message, with every entry that shows the namespace exists.
 */
const TAKEOVER = fs.readFileSync(path.join(ROOT, "Pulumi.takeover.yaml"), "utf8");
const NAMESPACE = /\n    namespace: true\n/;
const line = (text: string, re: RegExp) => text.slice(0, text.search(re)).split("\n").length + 1;

describe("config: takeover.namespace false while the import step adopts what lives in that namespace", function () {
  this.timeout(20000);

  it("one message at takeover.namespace, naming each entry in the namespace at its line", () => {
    assert.match(TAKEOVER, NAMESPACE);
    const text = TAKEOVER.replace(NAMESPACE, "\n    namespace: false\n");
    const e = refusal(text, "takeover");
    const at = (re: RegExp) => `Pulumi.takeover.yaml:${line(text, re)}`;
    assert.equal(e.problems.length, 1, e.message);
    assert.equal(e.places[0]?.line, line(text, /\n {4}namespace: false/), e.message);
    const named = [
      ...e.problems[0].matchAll(/(takeover\.[A-Za-z.]+) \(\S*\/(Pulumi\.takeover\.yaml:\d+)\)/g),
    ];
    assert.deepEqual(
      named.map((m) => `${m[1]} ${m[2]}`),
      [
        `takeover.releases.kubePrometheusStack ${at(/\n {6}kubePrometheusStack: /)}`,
        `takeover.releases.loki ${at(/\n {6}loki: monitoring/)}`,
        `takeover.releases.grafana ${at(/\n {6}grafana: /)}`,
        `takeover.prometheusVolume ${at(/\n {4}prometheusVolume: /)}`,
      ],
      e.message,
    );
    assert.match(
      e.problems[0],
      /^homelab-observability:takeover\.namespace: expected true while the import step imports from the stack's namespace "monitoring" \(.*\): that namespace exists, and the program would create it instead, so pulumi up fails \("already exists"\), got false; set takeover\.namespace: true to import it$/,
    );
  });

  it("names a misspelt release key at the line it is written on, and not the other log agent's release, refused on its own", () => {
    const text = TAKEOVER.replace(NAMESPACE, "\n    namespace: false\n")
      .replace("      kubePrometheusStack: monitoring/", "      kubePrometheusStak: monitoring/")
      .replace(
        "      loki: monitoring/loki\n",
        "      loki: monitoring/loki\n      vector: monitoring/vector\n",
      );
    const e = refusal(text, "takeover");
    const at = (re: RegExp) => `Pulumi.takeover.yaml:${line(text, re)}`;
    const [namespace] = e.problems.filter((p) => p.startsWith(P("takeover.namespace")));
    assert.ok(namespace, e.message);
    const named = [
      ...namespace.matchAll(/(takeover\.[A-Za-z.]+)(?: \(\S*\/(Pulumi\.takeover\.yaml:\d+)\))?[,)]/g),
    ];
    assert.deepEqual(
      named.map((m) => `${m[1]} ${m[2]}`),
      [
        `takeover.releases.kubePrometheusStack ${at(/\n {6}kubePrometheusStak: /)}`,
        `takeover.releases.loki ${at(/\n {6}loki: monitoring/)}`,
        `takeover.releases.grafana ${at(/\n {6}grafana: /)}`,
        `takeover.prometheusVolume ${at(/\n {4}prometheusVolume: /)}`,
      ],
      e.message,
    );
    assert.equal(e.problems.filter((p) => p.startsWith(P("takeover.releases.vector"))).length, 1, e.message);
  });

  it("the key left out is its default, said so", () => {
    const e = refusal(TAKEOVER.replace(NAMESPACE, "\n"), "takeover");
    assert.equal(e.problems.length, 1, e.message);
    assert.match(
      e.problems[0],
      new RegExp(`^${P("takeover\\.namespace")}: .*, got nothing \\(default false\\); `),
    );
  });

  it("the update step, the namespace already in the stack's state, is not refused", () => {
    const text = TAKEOVER.replace(NAMESPACE, "\n    namespace: false\n").replace(
      "    step: import\n",
      "    step: update\n",
    );
    const { cfg } = checkedStackConfig(
      stackProject(text, "takeover"),
      "takeover",
      {},
      { allowAbsentSecrets: true },
    );
    assert.equal(cfg.takeover?.step, "update");
    assert.equal(cfg.takeover?.namespace, false);
  });
});

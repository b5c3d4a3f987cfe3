import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { P, refusal } from "../support/stackText";
import { ROOT } from "../support/helpers";

/*
 * An unknown key inside a map whose "did you mean" names a key the map lacks is read as that key by
 * the rules between keys (config/stackCheck.ts repairedRaw): dropped, a misspelt
 * `takeover.releases.kubePrometheusStack` made kube-prometheus-stack look not taken over, and the
 * rule on `takeover.prometheusVolume` refused the claim name that was right.
 */
const TAKEOVER = fs.readFileSync(path.join(ROOT, "Pulumi.takeover.yaml"), "utf8");

describe("config: a misspelt key is read as the key it is closest to by the rules between keys", function () {
  this.timeout(20000);

  it("one problem, the unknown key with its closest; no rule refuses what the meant key makes right", () => {
    assert.match(TAKEOVER, /\n\s+kubePrometheusStack: /);
    const e = refusal(TAKEOVER.replace(/(\n\s+)kubePrometheusStack: /, "$1kubePrometheusStak: "), "takeover");
    assert.deepEqual(e.problems, [
      `${P("takeover.releases.kubePrometheusStak")}: unknown key; did you mean "kubePrometheusStack"?`,
    ]);
    assert.ok(
      e.notes.includes(
        `(the rules between keys (which keys need which) read ${P("takeover.releases.kubePrometheusStak")} as ${P("takeover.releases.kubePrometheusStack")}, the key it is closest to)`,
      ),
      e.message,
    );
    assert.doesNotMatch(e.message, /at its default/);
  });

  it("a rule still judges the value under the meant key", () => {
    const text = TAKEOVER.replace(/(\n\s+)kubePrometheusStack: \S+/, "$1kubePrometheusStak: monitoring/kps");
    const e = refusal(text, "takeover");
    assert.deepEqual(e.problems.slice(0, 2), [
      `${P("takeover.releases.kubePrometheusStak")}: unknown key; did you mean "kubePrometheusStack"?`,
      // Said at the key as written, the line the file has.
      `${P("takeover.releases.kubePrometheusStak")} (read as kubePrometheusStack): expected the release name the program uses, "monitoring/kube-prometheus-stack" (a rename would replace the release), got "monitoring/kps"`,
    ]);
    assert.ok(e.places[1] && e.places[1].line === e.places[0]?.line, e.message);
  });

  it("an unknown key close to no known one is not said to be at a default", () => {
    const text = TAKEOVER.replace(/(\n\s+)(loki: monitoring\/loki)/, "$1zzzzqq: monitoring/x$1$2");
    const e = refusal(text, "takeover");
    assert.match(e.problems[0], /takeover\.releases\.zzzzqq: unknown key/);
    assert.doesNotMatch(e.message, /at its default/, e.message);
  });
});

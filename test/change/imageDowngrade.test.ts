import { strict as assert } from "assert";
import { synth } from "../support/helpers";
import { againstChecks } from "../support/changeStates";
import { imageDowngradeVerdicts } from "../../change/imageDowngrade";
import { pinPlace } from "../../config/chartPins";
import { versions } from "../../model/versions";
import type { StackExport } from "../../synth/synthesize";

/**
 * An older image of a component that keeps state (Grafana's database, Loki's, Mimir's and
 * VictoriaMetrics' data) is said by `--against`, as a warning: nothing in Kubernetes or Helm
 * refuses it, and the newer version already wrote what the older one meets.
 */

/** `exp` with every image of `repository` at `tag` (a release's `{repository, tag}` or a workload's string). */
function withTag(exp: StackExport, repository: string, tag: string): StackExport {
  const copy = structuredClone(exp);
  const visit = (v: any): void => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (!v || typeof v !== "object") return;
    for (const [k, child] of Object.entries(v)) {
      if (k === "image" && typeof child === "string" && child.includes(`/${repository}:`))
        v[k] = `${child.split(":")[0]}:${tag}`;
      else if (
        k === "image" &&
        child &&
        typeof child === "object" &&
        (child as any).repository === repository
      )
        (child as any).tag = tag;
      else visit(child);
    }
  };
  copy.deployment.resources.forEach((r) => visit(r.inputs));
  return copy;
}

describe("change check: an image downgrade of a stateful component (--against)", function () {
  this.timeout(180000);
  const grafana = versions.images.grafana.tag;
  const mimir = versions.images.mimir.tag;

  it("Grafana and Mimir older than what ran: one warning each, naming the pin's key at its line, both tags and why", async () => {
    const next = (await synth("production")).export;
    const previous = withTag(withTag(next, "grafana/grafana", "99.0.0"), "grafana/mimir", "99.1.0");
    const lines = imageDowngradeVerdicts(previous, next).map((v) => v.line);
    assert.deepEqual(lines, [
      `WARNING grafana image downgraded 99.0.0 -> ${grafana}: images.grafana.tag (${pinPlace("grafana")}) sets ${grafana} where 99.0.0 ran. Grafana migrates its database (SQLite on its claim) to the newer schema on start, and an older Grafana may fail on it or lose what the newer one wrote; back up grafana.db first. Keep 99.0.0 or later unless Grafana's release notes say going back to ${grafana} is safe`,
      `WARNING mimir image downgraded 99.1.0 -> ${mimir}: images.mimir.tag (${pinPlace("mimir")}) sets ${mimir} where 99.1.0 ran. Mimir's blocks in the object store and its write-ahead log on the claims were written by the newer version, which an older one may not read. Keep 99.1.0 or later unless Mimir's release notes say going back to ${mimir} is safe`,
    ]);
    assert.ok(imageDowngradeVerdicts(previous, next).every((v) => v.refused === false));
  });

  it("Loki (a release's values) and VictoriaMetrics (its custom resource's {repository, tag}) are compared too", async () => {
    const prod = (await synth("production")).export;
    const [loki] = imageDowngradeVerdicts(withTag(prod, "grafana/loki", "9.0.0"), prod);
    assert.ok(
      loki.line.startsWith(`WARNING loki image downgraded 9.0.0 -> ${versions.images.loki.tag}: `),
      loki.line,
    );
    const pi = (await synth("pi")).export;
    const vm = versions.images.victoriaMetrics.tag;
    const [single] = imageDowngradeVerdicts(withTag(pi, "victoriametrics/victoria-metrics", "v9.0.0"), pi);
    assert.ok(
      single.line.startsWith(`WARNING victoriaMetrics image downgraded v9.0.0 -> ${vm}: `),
      single.line,
    );
  });

  it("a chartValues override the stack file writes is the key named", async () => {
    const previous = (await synth("production")).export;
    const next = withTag(previous, "grafana/grafana", "11.6.0");
    const at = (key: string) =>
      key === "chartValues.grafana.image.tag" ? "Pulumi.production.yaml:63" : undefined;
    const [v] = imageDowngradeVerdicts(previous, next, at);
    assert.match(
      v.line,
      new RegExp(
        `^WARNING grafana image downgraded ${grafana.replace(/\./g, "\\.")} -> 11\\.6\\.0: chartValues\\.grafana\\.image\\.tag \\(Pulumi\\.production\\.yaml:63\\) sets 11\\.6\\.0 where`,
      ),
    );
  });

  it("an image named through a registry mirror (imageMirrors, from the export's stack-info) is its pin's, compared with the one named upstream before", async () => {
    const previous = withTag((await synth("production")).export, "grafana/grafana", "99.0.0");
    const mirrors = {
      "docker.io": "registry.home.lan/dockerhub",
      "quay.io": "registry.home.lan/quay",
      "ghcr.io": "registry.home.lan/ghcr",
      "registry.k8s.io": "registry.home.lan:5000",
    };
    const next = (await synth("production", { imageMirrors: mirrors })).export;
    assert.deepEqual(
      imageDowngradeVerdicts(previous, next).map((v) => v.line.split(":")[0]),
      [`WARNING grafana image downgraded 99.0.0 -> ${grafana}`],
    );
  });

  it("silent for the same tag, a newer one, a stateless component's older one, or a tag that is no release", async () => {
    const exp = (await synth("production")).export;
    assert.deepEqual(imageDowngradeVerdicts(exp, exp), []);
    assert.deepEqual(imageDowngradeVerdicts(exp, withTag(exp, "grafana/grafana", "99.0.0")), []);
    assert.deepEqual(imageDowngradeVerdicts(withTag(exp, "grafana/alloy", "v9.0.0"), exp), []);
    assert.deepEqual(imageDowngradeVerdicts(withTag(exp, "grafana/grafana", "main"), exp), []);
  });

  it("the change check prints it above the objects and still passes", async () => {
    const { write, check } = againstChecks("image-downgrade");
    const previous = write(withTag((await synth("production")).export, "grafana/grafana", "99.0.0"), "newer");
    const c = await check("production", {}, previous);
    assert.ok(
      c.text.split("\n").some((l) => l.startsWith(`WARNING grafana image downgraded 99.0.0 -> ${grafana}: `)),
      c.text,
    );
    assert.equal(c.refused, 0, c.text);
    assert.equal(c.code, 0);
  });
});

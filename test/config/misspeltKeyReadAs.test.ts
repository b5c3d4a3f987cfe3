import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../../config/errors";
import { loadStackConfig } from "../../config/load";
import { BASE, P, refusal, STORE } from "../support/stackText";
import { ROOT, tmpDir } from "../support/helpers";
import { withRuntimeConfig } from "../support/runtimeConfig";

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

  it("a rule still judges the value under the meant key, in the misspelt key's one message", () => {
    const text = TAKEOVER.replace(/(\n\s+)kubePrometheusStack: \S+/, "$1kubePrometheusStak: monitoring/kps");
    const e = refusal(text, "takeover");
    // Said at the key as written, the line the file has: the rename and the rule's refusal of the
    // key it is read as are one mistake, not two lines at one place.
    assert.equal(e.problems.filter((p) => p.includes("kubePrometheusStak")).length, 1, e.message);
    assert.equal(
      e.problems[0],
      `${P("takeover.releases.kubePrometheusStak")}: unknown key; did you mean "kubePrometheusStack"? (read as kubePrometheusStack, which is refused: expected the release name the program uses, "monitoring/kube-prometheus-stack" (a rename would replace the release), got "monitoring/kps")`,
    );
  });

  it("a misspelt key the rules refuse as the key it is read as is one message", () => {
    const text = TAKEOVER.replace(/(\n\s+)buckets:\n/, "$1buckets:$1  mimirr: {}\n");
    const e = refusal(text, "takeover");
    const mimirr = e.problems.filter((p) => p.includes("mimirr"));
    assert.equal(mimirr.length, 1, e.message);
    assert.match(
      mimirr[0],
      /^homelab-observability:takeover\.buckets\.mimirr: unknown key; did you mean "mimir"\? \(read as mimir, which is refused: Mimir has no object storage in this stack \(/,
    );
  });

  it("an unknown key close to no known one is not said to be at a default", () => {
    const text = TAKEOVER.replace(/(\n\s+)(loki: monitoring\/loki)/, "$1zzzzqq: monitoring/x$1$2");
    const e = refusal(text, "takeover");
    assert.match(e.problems[0], /takeover\.releases\.zzzzqq: unknown key/);
    assert.doesNotMatch(e.message, /at its default/, e.message);
  });

  /** A stack whose Grafana Ingress block holds `lines` (each indented under `ingress:`). */
  const ingress = (...lines: string[]) =>
    `${BASE}${STORE}  ${P("grafana")}:\n    ingress:\n      controllerNamespace: ingress-nginx\n${lines.map((l) => `      ${l}\n`).join("")}`;
  const HOST_FORM = `a host name (a DNS-1123 subdomain: lowercase letters, digits, '-' and '.') like "grafana.example.net"`;

  it("a misspelt key whose value the key meant refuses: one line says the rename and what the value must be", () => {
    const e = refusal(ingress("className: nginx", "hosts: [grafana.example.net]"));
    // Renamed alone, the next run refused the list under `host`.
    assert.deepEqual(e.problems, [
      `${P("grafana.ingress.hosts")}: unknown key; did you mean "host"? (grafana.ingress.host is required and missing: rename this key, and mend its value: expected ${HOST_FORM}, got a list)`,
    ]);
    // Its value is not read as the key meant: the host's example stands in, the Ingress still judged.
    assert.ok(
      e.notes.includes(
        `(the rules between keys (which keys need which) ran with ${P("grafana.ingress.host")} read as "grafana.example.net", the value given being invalid)`,
      ),
      e.message,
    );
    assert.doesNotMatch(e.message, /read .*hosts as/, e.message);
  });

  it("a misspelt optional key whose value the key meant refuses says the value's form too", () => {
    const e = refusal(ingress("host: grafana.example.net", "classNme: [nginx]"));
    assert.equal(e.problems.length, 1, e.message);
    assert.match(
      e.problems[0],
      /grafana\.ingress\.classNme: unknown key; did you mean "className"\? \(rename this key, and mend its value: expected a Kubernetes object name \([^()]*\), got a list\)$/,
    );
  });

  it("a misspelt key whose value fits the key meant gets only the rename", () => {
    const e = refusal(ingress("hots: grafana.example.net"));
    assert.deepEqual(e.problems, [
      `${P("grafana.ingress.hots")}: unknown key; did you mean "host"? (grafana.ingress.host is required and missing: rename this key)`,
    ]);
    assert.ok(
      e.notes.includes(
        `(the rules between keys (which keys need which) read ${P("grafana.ingress.hots")} as ${P("grafana.ingress.host")}, the key it is closest to)`,
      ),
      e.message,
    );
  });

  it("a misspelt top-level key whose key meant has a default: its value is judged as that key's, with or without a stack file", async () => {
    // Pulumi.yaml's default for profile is in the config the message judges, but no key a rename would clash with.
    const said = `${P("profle")}: unknown key; did you mean "profile"? (rename this key, and mend its value: expected one of standard | lightweight, got string "lightweigt"; did you mean "lightweight"?)`;
    assert.deepEqual(refusal(`${BASE}${STORE}  ${P("profle")}: lightweigt\n`).problems, [said]);
    // Under the Pulumi runtime with no stack file (config/load.ts), the same one message.
    const dir = tmpDir("profle-load");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const config = {
      [P("kubeContext")]: "admin@example",
      [P("phase")]: "kps-removed",
      [P("objectStore")]: JSON.stringify({ type: "minio", endpoint: "http://minio.storage.svc:9000" }),
      [P("profle")]: "lightweigt",
    };
    await withRuntimeConfig("lab", config, () =>
      assert.throws(
        () => loadStackConfig(dir),
        (e: unknown) => {
          assert.ok(e instanceof ConfigError, String(e));
          // Its secrets are absent here, which the runtime refuses too: only the misspelt key's line is this test's.
          assert.deepEqual(
            e.problems.filter((p) => p.startsWith(P("profle"))),
            [said],
            e.message,
          );
          return true;
        },
      ),
    );
  });

  // Dropped, a misspelt top-level key left its key meant at the default, and a rule between keys
  // refused another key under that default: a second message, whose fix was the wrong one.
  it("a misspelt top-level key is read as the key it means: the rules judge the profile meant", () => {
    const vm = `  ${P("victoriametrics")}:\n    retention: 14d\n`;
    for (const [given, value] of [
      ["profle", "lightweight"],
      ["Profile", "lightweight"],
      ["metricBackend", "victoriametrics"],
    ]) {
      const e = refusal(`${BASE}${STORE}  ${P(given)}: ${value}\n${vm}`);
      const meant = given === "metricBackend" ? "metricsBackend" : "profile";
      assert.deepEqual(e.problems, [`${P(given)}: unknown key; did you mean "${meant}"?`], e.message);
      assert.ok(
        e.notes.includes(
          `(the rules between keys (which keys need which) read ${P(given)} as ${P(meant)}, the key it is closest to)`,
        ),
        e.message,
      );
    }
  });

  it("a misspelt top-level key whose key meant the file sets is not read as it", () => {
    const e = refusal(`${BASE}${STORE}  ${P("profile")}: standard\n  ${P("profle")}: lightweight\n`);
    assert.deepEqual(e.problems, [
      `${P("profle")}: unknown key; did you mean "profile"? (${P("profile")} is already set: move what this key holds into it, then remove this key)`,
    ]);
    assert.doesNotMatch(e.message, /read \S*profle as/, e.message);
  });

  it("a refusal inside a misspelt map's value is said at the key as written, in the same run", () => {
    const e = refusal(
      `${BASE}${STORE}  ${P("grafana")}:\n    ingres:\n      controllerNamespace: ingress-nginx\n      host: [grafana.example.net]\n`,
    );
    assert.deepEqual(e.problems, [
      `${P("grafana.ingres")}: unknown key; did you mean "ingress"?`,
      `${P("grafana.ingres.host")} (read as ingress.host): expected ${HOST_FORM}, got a list`,
    ]);
    assert.ok(e.places[1] && e.places[1].line === e.places[0]!.line + 2, e.message);
  });

  it("a key required under the key meant is said as read under it, not as a key of the misspelt map", () => {
    const e = refusal(`${BASE}${STORE}  ${P("grafana")}:\n    ingres:\n      host: grafana.example.net\n`);
    assert.deepEqual(e.problems, [
      `${P("grafana.ingres")}: unknown key; did you mean "ingress"?`,
      `${P("grafana.ingres.controllerNamespace")} (read as ingress.controllerNamespace): required, expected a DNS label (DNS-1123: at most 63 characters, lowercase letters, digits and '-', starting and ending with a letter or digit), got nothing`,
    ]);
    // Placed at the misspelt key, the nearest the file holds.
    assert.equal(e.places[1]?.line, e.places[0]?.line, e.message);
  });
});

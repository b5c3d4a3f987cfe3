/**
 * Audit hMi: while Prometheus and Mimir both run (dual-write, backend-primary), an override of
 * kube-prometheus-stack's `prometheus.prometheusSpec.remoteWrite` list replaces the program's
 * entry to Mimir (Helm replaces lists): it used to pass (exit 0) while Mimir got no samples. The
 * rendered check `mimir-remote-write` refuses it, naming the override with its file:line, what Prometheus
 * must write to and what it found, and where one's own targets go
 * (`additionalRemoteWrite`, which the chart appends and which passes).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { PROJECT } from "../../model/names";
import { checkRemoteWrite } from "../../checks/remoteWrite";
import { mimirEndpoints } from "../../model/endpoints";
import { versions } from "../../model/versions";
import { ROOT, synthCli, tmpDir } from "../support/helpers";

const ELSEWHERE = { url: "http://elsewhere.example.net:9090/api/v1/write" };

function project(prometheusSpec: Record<string, unknown>): string {
  const dir = tmpDir("remote-write");
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  const doc = parse(fs.readFileSync(path.join(ROOT, "Pulumi.production.yaml"), "utf8"));
  doc.config[`${PROJECT}:chartValues`] = { "kube-prometheus-stack": { prometheus: { prometheusSpec } } };
  fs.writeFileSync(path.join(dir, "Pulumi.mim.yaml"), stringify(doc));
  return dir;
}

describe("check mimir-remote-write: Prometheus keeps writing to Mimir while both run (audit hMi)", function () {
  this.timeout(600000);

  it("an override of prometheusSpec.remoteWrite at dual-write is refused at its line, one message", async () => {
    const dir = project({ remoteWrite: [ELSEWHERE] });
    const r = await synthCli("--stack", "mim", "--dir", dir, "--out", path.join(dir, "out"), "--quiet");
    const out = r.stdout + r.stderr;
    assert.equal(r.status, 1, out);
    const lines = out.split("\n").filter((l) => l.includes("[mimir-remote-write]"));
    assert.equal(lines.length, 1, out);
    assert.match(
      lines[0],
      /must remote-write to http:\/\/mimir\.monitoring\.svc\.cluster\.local:8080\/api\/v1\/push/,
    );
    assert.match(
      lines[0],
      /found remote_write to "http:\/\/elsewhere\.example\.net:9090\/api\/v1\/write" only/,
    );
    assert.match(lines[0], /prometheus\.prometheusSpec\.additionalRemoteWrite/);
    assert.match(
      out,
      /override chartValues\.kube-prometheus-stack\.prometheus\.prometheusSpec\.remoteWrite \([^)]*Pulumi\.mim\.yaml:\d+\)/,
    );
    assert.match(r.stdout.trimEnd().split("\n").pop()!, /^mim: FAIL \(exit 1\): 1 rendered-object problem$/);
    assert.doesNotMatch(out, /\n\s+at .*\.ts:\d+/);
  });

  it("one's own target under additionalRemoteWrite passes", async () => {
    const dir = project({ additionalRemoteWrite: [ELSEWHERE] });
    const r = await synthCli("--stack", "mim", "--dir", dir, "--out", path.join(dir, "out"), "--quiet");
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  it("a misspelt queue setting of one's own target is named with the field meant", async () => {
    const dir = project({
      additionalRemoteWrite: [{ ...ELSEWHERE, queueConfig: { maxShard: 20 } }],
    });
    const r = await synthCli("--stack", "mim", "--dir", dir, "--out", path.join(dir, "out"), "--quiet");
    const out = r.stdout + r.stderr;
    assert.equal(r.status, 1, out);
    assert.match(
      out,
      /\/spec\/remoteWrite\/1\/queueConfig must NOT have additional properties \(maxShard: unknown, the API server drops it; did you mean maxShards\?\)/,
    );
    assert.match(
      out,
      /override chartValues\.kube-prometheus-stack\.prometheus\.prometheusSpec\.additionalRemoteWrite \([^)]*Pulumi\.mim\.yaml:\d+\)/,
    );
  });

  it("scaled out, the entry must reach mimir-write's push endpoint", () => {
    const placed = (obj: any) => ({ obj, urn: "urn:x", source: "release kube-prometheus-stack" });
    const write = placed({
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "mimir-write", namespace: "monitoring" },
    });
    const prometheus = (url: string) =>
      placed({
        apiVersion: "monitoring.coreos.com/v1",
        kind: "Prometheus",
        metadata: { name: "kps-prometheus", namespace: "monitoring" },
        spec: { remoteWrite: [{ url }] },
      });
    const ok = checkRemoteWrite([write, prometheus(mimirEndpoints("monitoring", true).push)]);
    assert.deepEqual(ok, { judged: 1, findings: [] });
    const bad = checkRemoteWrite([write, prometheus(mimirEndpoints("monitoring", false).push)]);
    assert.equal(bad.findings.length, 1);
    assert.match(bad.findings[0].message, /must remote-write to http:\/\/mimir-write\./);
  });
});

/*
 * Round forty-four: on a VictoriaMetrics stack the chart's VMAgent writes to vmsingle through its
 * first `remoteWrite` entry, and an override's first `vmagent.spec.remoteWrite` entry is merged over
 * it, its url winning (victoria-metrics-k8s-stack 0.80.0 templates/_helpers.tpl vm.agent.remote.write).
 * It used to pass (pi: exit 0) while vmsingle, which the stack's dashboards and rules read, got nothing.
 */
describe("check vm-remote-write: the VMAgent keeps writing to the stack's VictoriaMetrics", function () {
  this.timeout(600000);
  const placed = (obj: any) => ({ obj, urn: "urn:x", source: "release vm" });
  // As the chart renders its CRs: named after its fullname, labelled with the chart.
  const { chart, version } = versions.charts.victoriaMetricsStack;
  const metadata = {
    name: "vm",
    namespace: "monitoring",
    labels: { "helm.sh/chart": `${chart}-${version}` },
  };
  const storage = (kind: string, spec: Record<string, unknown> = {}) =>
    placed({ apiVersion: "operator.victoriametrics.com/v1beta1", kind, metadata, spec });
  const agent = (...urls: string[]) =>
    placed({
      apiVersion: "operator.victoriametrics.com/v1beta1",
      kind: "VMAgent",
      metadata,
      spec: { remoteWrite: urls.map((url) => ({ url })) },
    });

  it("an entry to vmsingle (the chart writes its host with the root dot) passes; one elsewhere only is refused", () => {
    const own = "http://vmsingle-vm.monitoring.svc.cluster.local.:8428/api/v1/write";
    assert.deepEqual(checkRemoteWrite([storage("VMSingle"), agent(ELSEWHERE.url, own)]), {
      judged: 1,
      findings: [],
    });
    const bad = checkRemoteWrite([storage("VMSingle"), agent(ELSEWHERE.url)]);
    assert.equal(bad.findings.length, 1);
    assert.equal(bad.findings[0].check, "vm-remote-write");
    assert.match(
      bad.findings[0].message,
      /must remote-write to http:\/\/vmsingle-vm\.monitoring\.svc\.cluster\.local:8428\/api\/v1\/write; found remote_write to "http:\/\/elsewhere\.example\.net:9090\/api\/v1\/write" only \(values\.vmagent\.spec\.remoteWrite: /,
    );
    assert.match(bad.findings[0].message, /under vmagent\.additionalRemoteWrites/);
    // Without the storage (vmsingle switched off, writing elsewhere on purpose) nothing is judged.
    assert.deepEqual(checkRemoteWrite([agent(ELSEWHERE.url)]), { judged: 0, findings: [] });
  });

  it("a VMAgent of one's own (another chart's extraObjects) writing elsewhere on purpose is not judged", () => {
    const mine = {
      obj: {
        apiVersion: "operator.victoriametrics.com/v1beta1",
        kind: "VMAgent",
        metadata: { name: "edge", namespace: "monitoring" },
        spec: { remoteWrite: [ELSEWHERE] },
      },
      urn: "urn:x",
      source: "release grafana",
    };
    assert.deepEqual(checkRemoteWrite([storage("VMSingle"), agent(ELSEWHERE.url), mine]).judged, 1);
    assert.deepEqual(checkRemoteWrite([storage("VMSingle"), mine]), { judged: 0, findings: [] });
    // Nor is the chart's VMAgent judged against a VMSingle of one's own: it writes to the chart's storage.
    const ownStorage = placed({
      apiVersion: "operator.victoriametrics.com/v1beta1",
      kind: "VMSingle",
      metadata: { name: "archive", namespace: "monitoring" },
    });
    assert.deepEqual(checkRemoteWrite([ownStorage, agent(ELSEWHERE.url)]), { judged: 0, findings: [] });
  });

  it("every form of the storage's write address a VMAgent may be given passes; another port, path or tenant is refused", () => {
    // The VMAgent runs in the storage's namespace, so the short Service name resolves; vmsingle takes
    // remote writes at /api/v1/write and /prometheus/api/v1/write, vminsert at /insert/<tenant>/prometheus
    // and .../prometheus/api/v1/write, tenant 0 also written 0:0 (VictoriaMetrics app/vminsert).
    const single = [
      "http://vmsingle-vm:8428/api/v1/write",
      "http://vmsingle-vm.monitoring:8428/api/v1/write",
      "http://vmsingle-vm.monitoring.svc:8428/prometheus/api/v1/write",
      "http://vmsingle-vm.monitoring.svc.cluster.local:8428/api/v1/write?extra_label=site=home",
    ];
    for (const url of single)
      assert.deepEqual(checkRemoteWrite([storage("VMSingle"), agent(url)]).findings, [], url);
    const cluster = [
      "http://vminsert-vm:8480/insert/0/prometheus/api/v1/write",
      "http://vminsert-vm.monitoring.svc:8480/insert/0/prometheus",
      "http://vminsert-vm.monitoring.svc.cluster.local.:8480/insert/0:0/prometheus/",
    ];
    for (const url of cluster)
      assert.deepEqual(checkRemoteWrite([storage("VMCluster"), agent(url)]).findings, [], url);
    const wrong = [
      "http://vmsingle-vm:8429/api/v1/write",
      "http://vmsingle-vm:8428/api/v1/import",
      "http://vmsingle-vm/api/v1/write",
      "http://vmsingle-vm.other:8428/api/v1/write",
      "http://vmagent-vm:8428/api/v1/write",
      "https://vmsingle-vm:8428/api/v1/write",
    ];
    for (const url of wrong)
      assert.equal(checkRemoteWrite([storage("VMSingle"), agent(url)]).findings.length, 1, url);
    const wrongTenant = "http://vminsert-vm:8480/insert/1/prometheus/api/v1/write";
    assert.equal(checkRemoteWrite([storage("VMCluster"), agent(wrongTenant)]).findings.length, 1);
  });

  it("the storage's Service port is the custom resource's (vmsingle.spec.port), as the chart's own entry writes it", () => {
    // The operator's Service exposes spec.port, and the chart writes its entry with it
    // (victoria-metrics-common vm.host): the VMAgent then reaches vmsingle on that port.
    const moved = storage("VMSingle", { port: "9428" });
    const own = "http://vmsingle-vm.monitoring.svc.cluster.local.:9428/api/v1/write";
    assert.deepEqual(checkRemoteWrite([moved, agent(own)]), { judged: 1, findings: [] });
    const bad = checkRemoteWrite([moved, agent("http://vmsingle-vm:8428/api/v1/write")]);
    assert.match(
      bad.findings[0].message,
      /must remote-write to http:\/\/vmsingle-vm\.monitoring\.svc\.cluster\.local:9428\/api\/v1\/write;/,
    );
    const cluster = storage("VMCluster", { vminsert: { port: "8490" } });
    assert.deepEqual(
      checkRemoteWrite([cluster, agent("http://vminsert-vm:8490/insert/0/prometheus/api/v1/write")]).findings,
      [],
    );
  });

  it("beside a VMCluster, the entry must reach vminsert", () => {
    const bad = checkRemoteWrite([storage("VMCluster"), agent(ELSEWHERE.url)]);
    assert.match(
      bad.findings[0].message,
      /must remote-write to http:\/\/vminsert-vm\.monitoring\.svc\.cluster\.local:8480\/insert\/0\//,
    );
  });

  it("a storage serving TLS or a path prefix: the chart's VMAgent follows it; what the program points at the old address is refused at the storage", () => {
    // victoria-metrics-common 0.3.0 (in victoria-metrics-k8s-stack 0.80.0) templates/_service.tpl:61-88 (vm.url): https when the storage's
    // extraArgs.tls is "true", its http.pathPrefix before the path; VictoriaMetrics v1.144.0
    // lib/httpserver/httpserver.go:122-143 (TLS only) and :340-356 ("missing -http.pathPrefix").
    const tls = storage("VMSingle", { port: "8428", extraArgs: { tls: "true" } });
    const https = "https://vmsingle-vm.monitoring.svc.cluster.local.:8428/api/v1/write";
    assert.deepEqual(checkRemoteWrite([tls, agent(https)]), { judged: 1, findings: [] });
    const grafana = {
      obj: {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "grafana", namespace: "monitoring" },
        data: { "datasources.yaml": "url: http://vmsingle-vm.monitoring.svc.cluster.local:8428\n" },
      },
      urn: "urn:g",
      source: "release grafana",
    };
    const { findings } = checkRemoteWrite([tls, agent(https), grafana]);
    assert.equal(findings.length, 1);
    assert.equal(findings[0].where, "VMSingle monitoring/vm (release vm)");
    assert.match(
      findings[0].message,
      /^vmsingle serves HTTPS only \(values\.vmsingle\.spec\.extraArgs\.tls "true"\), and the chart follows it in the URLs it writes for its own VMAgent and vmalert, but ConfigMap monitoring\/grafana \(release grafana\) reaches vmsingle at http:\/\/vmsingle-vm\.monitoring\.svc\.cluster\.local:8428/,
    );
    assert.doesNotMatch(findings[0].message, /merges its first entry/);
    const prefix = storage("VMSingle", { port: "8428", extraArgs: { "http.pathPrefix": "/vm/" } });
    const prefixed = "http://vmsingle-vm.monitoring.svc.cluster.local.:8428/vm/api/v1/write";
    assert.deepEqual(checkRemoteWrite([prefix, agent(prefixed)]).findings, []);
    const p = checkRemoteWrite([prefix, agent(prefixed), grafana]).findings;
    assert.equal(p.length, 1);
    assert.match(
      p[0].message,
      /^vmsingle serves under the path prefix \/vm\/ \(values\.vmsingle\.spec\.extraArgs\["http\.pathPrefix"\] "\/vm\/"\)/,
    );
    assert.match(p[0].message, /missing -http\.pathPrefix/);
    // A VMAgent writing to the old address is its own mistake, against the address the storage serves.
    const old = checkRemoteWrite([prefix, agent("http://vmsingle-vm:8428/api/v1/write")]).findings;
    assert.match(
      old[0].message,
      /must remote-write to http:\/\/vmsingle-vm\.monitoring\.svc\.cluster\.local:8428\/vm\/api\/v1\/write;/,
    );
  });

  it('a flag spelt so the chart does not follow it (a prefix without its leading /, tls "1"): its own URLs are said broken, no merge blamed', () => {
    // victoria-metrics-common 0.3.0 (in victoria-metrics-k8s-stack 0.80.0) templates/_service.tpl:81-87:
    // https only for tls "true", the prefix written right after the port as given; VictoriaMetrics
    // v1.144.0 reads tls with strconv.ParseBool (lib/flagutil/array.go:253-259) and adds the prefix's
    // leading / itself (lib/httpserver/httpserver.go:735-746).
    const bare = storage("VMSingle", { port: "8428", extraArgs: { "http.pathPrefix": "vm" } });
    const written = "http://vmsingle-vm.monitoring.svc.cluster.local.:8428vm/api/v1/write";
    const b = checkRemoteWrite([bare, agent(written)]).findings;
    assert.equal(b.length, 1, JSON.stringify(b));
    assert.equal(b[0].where, "VMSingle monitoring/vm (release vm)");
    assert.match(
      b[0].message,
      /^vmsingle serves under the path prefix \/vm\/ \(values\.vmsingle\.spec\.extraArgs\["http\.pathPrefix"\] "vm"\), and the chart does not follow it as written/,
    );
    assert.match(
      b[0].message,
      /VMAgent monitoring\/vm \(release vm\) writes to "http:\/\/vmsingle-vm\.monitoring\.svc\.cluster\.local\.:8428vm\/api\/v1\/write"/,
    );
    assert.doesNotMatch(b[0].message, /follows it|merges its first entry/);
    const one = storage("VMSingle", { port: "8428", extraArgs: { tls: "1" } });
    const plain = "http://vmsingle-vm.monitoring.svc.cluster.local.:8428/api/v1/write";
    const t = checkRemoteWrite([one, agent(plain)]).findings;
    assert.equal(t.length, 1, JSON.stringify(t));
    assert.match(
      t[0].message,
      /^vmsingle serves HTTPS only \(values\.vmsingle\.spec\.extraArgs\.tls "1"\), and the chart does not follow it as written/,
    );
    assert.doesNotMatch(t[0].message, /follows it|merges its first entry/);
  });

  it("pi: vmsingle.spec.extraArgs.tls is refused once, at its line, saying what reaches vmsingle the old way", async () => {
    const dir = tmpDir("vm-remote-write");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const doc = parse(fs.readFileSync(path.join(ROOT, "Pulumi.pi.yaml"), "utf8"));
    doc.config[`${PROJECT}:chartValues`] = {
      "victoria-metrics-k8s-stack": { vmsingle: { spec: { extraArgs: { tls: "true" } } } },
    };
    fs.writeFileSync(path.join(dir, "Pulumi.vmt.yaml"), stringify(doc));
    const r = await synthCli("--stack", "vmt", "--dir", dir, "--out", path.join(dir, "out"), "--quiet");
    const out = r.stdout + r.stderr;
    assert.equal(r.status, 1, out);
    assert.equal(out.split("\n").filter((l) => l.startsWith("  [")).length, 1, out);
    assert.match(
      out,
      /\n {2}\[vm-remote-write\] VMSingle monitoring\/vm \(release vm\): vmsingle serves HTTPS only/,
    );
    assert.match(out, /reaches vmsingle at http:\/\/vmsingle-vm\.monitoring\.svc\.cluster\.local:8428/);
    assert.doesNotMatch(out, /merges its first entry|must remote-write/);
    assert.match(
      out,
      /\n {6}from the stack's chart values override chartValues\.victoria-metrics-k8s-stack\.vmsingle\.spec\.extraArgs\.tls \([^)]*Pulumi\.vmt\.yaml:\d+\)/,
    );
  });

  it("pi: an override of vmagent.spec.remoteWrite is refused at its line, one message", async () => {
    const dir = tmpDir("vm-remote-write");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const doc = parse(fs.readFileSync(path.join(ROOT, "Pulumi.pi.yaml"), "utf8"));
    doc.config[`${PROJECT}:chartValues`] = {
      "victoria-metrics-k8s-stack": { vmagent: { spec: { remoteWrite: [ELSEWHERE] } } },
    };
    fs.writeFileSync(path.join(dir, "Pulumi.vmw.yaml"), stringify(doc));
    const r = await synthCli("--stack", "vmw", "--dir", dir, "--out", path.join(dir, "out"), "--quiet");
    const out = r.stdout + r.stderr;
    assert.equal(r.status, 1, out);
    assert.equal(out.split("\n").filter((l) => l.startsWith("  [")).length, 1, out);
    assert.match(out, /\n {2}\[vm-remote-write\] VMAgent monitoring\/vm \(release vm\): /);
    assert.match(
      out,
      /\n {6}from the stack's chart values override chartValues\.victoria-metrics-k8s-stack\.vmagent\.spec\.remoteWrite \([^)]*Pulumi\.vmw\.yaml:\d+\)/,
    );
    assert.match(r.stdout.trimEnd().split("\n").pop()!, /^vmw: FAIL \(exit 1\): 1 rendered-object problem$/);
  });
});

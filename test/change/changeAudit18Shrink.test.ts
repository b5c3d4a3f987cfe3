import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { formatChange, planChange, refusalCount, type StackState } from "../../change/change";
import { claimSpec } from "../../builders/core/claim";
import { PROMETHEUS_PVC } from "../../model/storage";
import type { RenderedObject, StackObject } from "../../synth/render/types";
import type { ExportResource, StackExport } from "../../synth/synthesize";
import { ROOT, synth, synthCli, tmpDir } from "../support/helpers";
import { stackState } from "../support/changeStates";

/*
 * An object the program writes itself (no Helm release) is patched in place by the provider where
 * its table marks nothing force-new, and the API server's rules for updates still apply there
 * (change/apiRules.ts): the Prometheus claim kept after kube-prometheus-stack is removed cannot
 * shrink, nor change its other spec fields; an immutable ConfigMap or Secret stays so.
 */

const URN = "urn:pulumi:s::homelab-observability::";
const PVC = "kubernetes:core/v1:PersistentVolumeClaim";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));
/** Where the stack file of these tests sets each key (config/locate.ts, through synth/report.ts). */
const lines: Record<string, string> = {
  "prometheus.volumeSize": "Pulumi.s.yaml:48",
  "storageClasses.default": "Pulumi.s.yaml:38",
};
const at = (key: string) => lines[key];

/** The Prometheus claim as components/metrics/prometheusVolume.ts writes it. */
const claim = (size: string, cls = "local-path", more: Record<string, unknown> = {}): ExportResource => ({
  urn: `${URN}homelab:metrics:PrometheusVolume$${PVC}::prometheus-volume`,
  custom: true,
  type: PVC,
  retainOnDelete: true,
  inputs: {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name: PROMETHEUS_PVC, namespace: "monitoring" },
    spec: { ...claimSpec(cls, size), ...more },
  },
  outputs: {},
});

/** A raw ConfigMap or Secret (the program writes both), immutable or not. */
const keyed = (kind: "ConfigMap" | "Secret", data: Record<string, string>, immutable?: boolean) => ({
  urn: `${URN}kubernetes:core/v1:${kind}::stack-info`,
  custom: true,
  type: `kubernetes:core/v1:${kind}`,
  inputs: {
    metadata: { name: "stack-info", namespace: "monitoring" },
    data,
    ...(immutable === undefined ? {} : { immutable }),
  },
  outputs: {},
});

/** kube-prometheus-stack with its Prometheus's claim template (the chart renders the Prometheus resource). */
const kps = (size: string, cls = "local-path") => {
  const template = { metadata: { name: "prometheus-db" }, spec: claimSpec(cls, size) };
  const rel: ExportResource = {
    urn: `${URN}${RELEASE}::kube-prometheus-stack`,
    custom: true,
    type: RELEASE,
    inputs: {
      name: "kube-prometheus-stack",
      namespace: "monitoring",
      chart: "kube-prometheus-stack",
      version: "1.0.0",
      values: { prometheus: { prometheusSpec: { storageSpec: { volumeClaimTemplate: template } } } },
    },
    outputs: {},
  };
  const object: RenderedObject = {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "Prometheus",
    metadata: { name: "kps-prometheus", namespace: "monitoring" },
    spec: { storage: { volumeClaimTemplate: template } },
  };
  const placed: StackObject = {
    object,
    resourceUrn: rel.urn,
    release: {
      name: "kube-prometheus-stack",
      namespace: "monitoring",
      chart: "kube-prometheus-stack",
      version: "1.0.0",
      source: "",
    },
  };
  return { rel, placed };
};

/** Loki's StatefulSet, its claim template's class from the release's values (storageClasses.default). */
const loki = (cls: string) => {
  const rel: ExportResource = {
    urn: `${URN}${RELEASE}::loki`,
    custom: true,
    type: RELEASE,
    inputs: {
      name: "loki",
      namespace: "monitoring",
      chart: "loki",
      version: "1.0.0",
      values: { write: { persistence: { size: "10Gi", storageClass: cls } } },
    },
    outputs: {},
  };
  const object: RenderedObject = {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "loki-write", namespace: "monitoring" },
    spec: {
      selector: { matchLabels: { app: "loki" } },
      template: { spec: { containers: [{ name: "loki", image: "a" }] } },
      volumeClaimTemplates: [{ metadata: { name: "data" }, spec: claimSpec(cls, "10Gi") }],
    },
  };
  const release = { name: "loki", namespace: "monitoring", chart: "loki", version: "1.0.0", source: "" };
  return { rel, placed: { object, resourceUrn: rel.urn, release } as StackObject };
};

const refusedOf = (before: StackState, after: StackState, place = at) =>
  planChange(before, after, place).refused.flatMap((e) =>
    e.refused.map((r) => ({ subject: e.subject, ...r })),
  );

describe("a raw object the program writes, updated in place: the API server's rules (audit 18)", () => {
  it("the Prometheus claim shrinking is refused once: the claim, both sizes, prometheus.volumeSize at its line and what to set", () => {
    const got = refusedOf(stackState([claim("900Gi")]), stackState([claim("70Gi")]));
    assert.equal(got.length, 1, JSON.stringify(got));
    assert.equal(got[0].field, "spec.resources.requests.storage");
    assert.equal(
      got[0].reason,
      `PersistentVolumeClaim monitoring/${PROMETHEUS_PVC}: storage shrinks from 900Gi to 70Gi; the API server refuses it: "spec.resources.requests.storage: Forbidden: field can not be less than previous value" (kubernetes pkg/apis/core/validation ValidatePersistentVolumeClaimUpdate); caused by prometheus.volumeSize (Pulumi.s.yaml:48) changed from 900Gi to 70Gi: a claim cannot shrink: set prometheus.volumeSize back to 900Gi, or move the data to a new claim: docs/how-to/check-a-change.md#a-refused-claim`,
    );
  });

  it("the Prometheus claim growing is no refusal (a class with allowVolumeExpansion grows it in place)", () => {
    const report = planChange(stackState([claim("70Gi")]), stackState([claim("900Gi")]), at);
    assert.equal(report.entries.length, 1);
    assert.equal(report.entries[0].action, "update");
    assert.equal(refusalCount(report), 0, formatChange(report));
  });

  it("another frozen field of a claim's spec (volumeMode) is refused in place", () => {
    const got = refusedOf(
      stackState([claim("70Gi", "local-path", { volumeMode: "Block" })]),
      stackState([claim("70Gi", "local-path")]),
    );
    assert.deepEqual(
      got.map((r) => r.field),
      ["spec.volumeMode"],
    );
    assert.match(got[0].reason, /ValidatePersistentVolumeClaimUpdate/);
  });

  it("an immutable ConfigMap made mutable, and an immutable Secret, are refused in place", () => {
    const cm = refusedOf(
      stackState([keyed("ConfigMap", { a: "1" }, true)]),
      stackState([keyed("ConfigMap", { a: "1" })]),
    );
    assert.deepEqual(
      cm.map((r) => r.field),
      ["immutable"],
    );
    assert.match(
      cm[0].reason,
      /^ConfigMap monitoring\/stack-info: an immutable ConfigMap cannot become mutable again$/,
    );
    const secret = refusedOf(
      stackState([keyed("Secret", { a: "MQ==" }, true)]),
      stackState([keyed("Secret", { a: "MQ==" }, false)]),
    );
    assert.deepEqual(
      secret.map((r) => r.field),
      ["immutable"],
    );
  });

  it("the claim's class (a replacement) names storageClasses.metrics, falling back to storageClasses.default at its line, and what to set", () => {
    const got = refusedOf(stackState([claim("70Gi", "fast-ssd")]), stackState([claim("70Gi", "local-path")]));
    assert.equal(got.length, 1, JSON.stringify(got));
    assert.match(
      got[0].reason,
      /; caused by storageClasses\.metrics \(not set: it takes storageClasses\.default, Pulumi\.s\.yaml:38\) changed from fast-ssd to local-path: set storageClasses\.metrics to fast-ssd, or move the data to a new claim/,
    );
    // Set in the file: that key, at its line, set back.
    const own = refusedOf(
      stackState([claim("70Gi", "fast-ssd")]),
      stackState([claim("70Gi", "local-path")]),
      (k) => (k === "storageClasses.metrics" ? "Pulumi.s.yaml:39" : at(k)),
    );
    assert.match(
      own[0].reason,
      /; caused by storageClasses\.metrics \(Pulumi\.s\.yaml:39\) changed from fast-ssd to local-path: set storageClasses\.metrics back to fast-ssd,/,
    );
  });

  it("while kube-prometheus-stack runs, the claim and the Prometheus resource refused for one shrink: one message naming both", () => {
    const [b, a] = [kps("900Gi"), kps("70Gi")];
    const report = planChange(
      stackState([claim("900Gi"), b.rel], [b.placed]),
      stackState([claim("70Gi"), a.rel], [a.placed]),
      at,
    );
    assert.equal(refusalCount(report), 1, formatChange(report));
    const [r] = report.refused[0].refused;
    assert.equal(report.refused[0].subject, "PersistentVolumeClaim::prometheus-volume");
    assert.match(
      r.reason,
      new RegExp(`^PersistentVolumeClaim monitoring/${PROMETHEUS_PVC}: storage shrinks from 900Gi to 70Gi`),
    );
    assert.match(
      r.reason,
      /; the same change is refused at Prometheus monitoring\/kps-prometheus spec\.storage\.volumeClaimTemplate: the operator puts this claim template .*size 900Gi -> 70Gi.*; caused by prometheus\.volumeSize \(Pulumi\.s\.yaml:48\) changed from 900Gi to 70Gi: a claim cannot shrink: set prometheus\.volumeSize back to 900Gi,/,
    );
    assert.equal(r.reason.match(/caused by/g)?.length, 1, r.reason);
  });

  it("storageClasses.default changed, storageClasses.metrics unset: one refusal for the metrics claims and Loki's, at the edited line, with the way out that mends every place", () => {
    const state = (cls: string) => {
      const [k, l] = [kps("70Gi", cls), loki(cls)];
      return stackState([claim("70Gi", cls), k.rel, l.rel], [k.placed, l.placed]);
    };
    const report = planChange(state("fast-ssd"), state("local-path"), at);
    const reasons = report.refused.flatMap((e) => e.refused.map((r) => r.reason));
    assert.equal(refusalCount(report), 1, formatChange(report));
    assert.match(
      reasons[0],
      /the same change is refused at .*StatefulSet monitoring\/loki-write spec\.volumeClaimTemplates/,
    );
    assert.match(
      reasons[0],
      /; caused by storageClasses\.default \(Pulumi\.s\.yaml:38, which storageClasses\.metrics, not set, takes too\) changed from fast-ssd to local-path: set storageClasses\.default back to fast-ssd, or move the data to a new claim: docs\/how-to\/check-a-change\.md#a-refused-claim$/,
    );
    assert.equal(reasons[0].match(/caused by/g)?.length, 1, reasons[0]);
  });

  it("storageClasses.default changed beside prometheus.volumeSize shrinking: the refusal of both says the class edit as the merged one does, with the same way out", () => {
    const state = (cls: string, size: string) => {
      const [k, l] = [kps(size, cls), loki(cls)];
      return stackState([claim(size, cls), k.rel, l.rel], [k.placed, l.placed]);
    };
    const report = planChange(state("fast-ssd", "70Gi"), state("local-path", "50Gi"), at);
    const reasons = report.refused.flatMap((e) => e.refused.map((r) => r.reason));
    const text = formatChange(report);
    // One refusal for the class edit alone (Loki's template, the claim), one for the Prometheus
    // template both edits change: each says storageClasses.default's way out, never the other
    // "set storageClasses.metrics" that, followed, leaves the first refused.
    assert.ok(reasons.length >= 2, text);
    const edited =
      "storageClasses.default (Pulumi.s.yaml:38, which storageClasses.metrics, not set, takes too) changed from fast-ssd to local-path: set storageClasses.default back to fast-ssd";
    const both = reasons.filter((r) =>
      r.includes("prometheus.volumeSize (Pulumi.s.yaml:48) changed from 70Gi to 50Gi"),
    );
    assert.ok(both.length >= 1, text);
    for (const r of reasons) {
      assert.ok(!r.includes("set storageClasses.metrics to"), r);
      if (/storageClass/.test(r.slice(r.indexOf("caused by")))) assert.ok(r.includes(edited), r);
    }
  });

  it("while kube-prometheus-stack runs, the claim's class change: one message naming the claim and the Prometheus resource", () => {
    const [b, a] = [kps("70Gi", "fast-ssd"), kps("70Gi")];
    const report = planChange(
      stackState([claim("70Gi", "fast-ssd"), b.rel], [b.placed]),
      stackState([claim("70Gi"), a.rel], [a.placed]),
      at,
    );
    const reasons = report.refused.flatMap((e) => e.refused.map((r) => r.reason));
    assert.equal(reasons.length, 1, formatChange(report));
    assert.match(reasons[0], /the same change is refused at Prometheus monitoring\/kps-prometheus/);
    assert.match(reasons[0], /caused by storageClasses\.metrics \(not set: it takes storageClasses\.default/);
  });
});

describe("the raw claim's keys (change/claimCause.ts PROMETHEUS_CLAIM_KEYS)", () => {
  it("the program writes one claim itself, Prometheus's: a claim names its keys by kind alone", () => {
    const writers: string[] = [];
    const walk = (dir: string): void => {
      for (const f of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, f.name);
        if (f.isDirectory()) walk(p);
        else if (
          f.name.endsWith(".ts") &&
          /k8s\.core\.v1\.PersistentVolumeClaim\(/.test(fs.readFileSync(p, "utf8"))
        )
          writers.push(path.relative(ROOT, p));
      }
    };
    for (const d of ["components", "apply"]) walk(path.join(ROOT, d));
    assert.deepEqual(writers, [path.join("components", "metrics", "prometheusVolume.ts")]);
  });
});

describe("synth --against: the kept Prometheus claim shrunk (audit 18)", function () {
  this.timeout(120000);
  it("exits 1 with one refusal naming the claim, both sizes, the key and what to set", async () => {
    const dir = tmpDir("shrink");
    const previous: StackExport = clone((await synth("staging")).export);
    const r = previous.deployment.resources.find((x) => x.urn.endsWith(`${PVC}::prometheus-volume`));
    assert.ok(r, "staging keeps the Prometheus claim (prometheus.keepVolume)");
    const now = r.inputs.spec.resources.requests.storage;
    r.inputs.spec.resources.requests.storage = "900Gi";
    const file = path.join(dir, "previous.json");
    fs.writeFileSync(file, JSON.stringify(previous));
    const out = await synthCli("--stack", "staging", "--out", dir, "--quiet", "--against", file);
    assert.equal(out.status, 1, out.stderr + out.stdout);
    assert.match(out.stdout, /0 create, 1 update, 0 replace, 0 delete; 1 refused/);
    assert.match(
      out.stdout,
      new RegExp(
        `REFUSED PersistentVolumeClaim::prometheus-volume spec\\.resources\\.requests\\.storage: PersistentVolumeClaim monitoring/${PROMETHEUS_PVC}: storage shrinks from 900Gi to ${now}.*caused by prometheus\\.volumeSize changed from 900Gi to ${now}: a claim cannot shrink: set prometheus\\.volumeSize back to 900Gi`,
      ),
    );
  });
});

import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import {
  alertmanagerHandoverVerdict,
  alertmanagerRoutesVerdict,
  alertmanagerSpecBackVerdict,
  alertmanagerSpecVerdict,
} from "../../change/alertState";
import { onBackend, stackCopy, synth } from "../support/helpers";

const exportAt = async (phase: string, over: Record<string, unknown> = {}) =>
  (await synth("staging", { phase, ...over })).export;

/**
 * docs/how-to/move-between-phases.md "Alert state": the hand-over at backend-primary starts a new
 * Alertmanager whose silences are not carried over; the operator exports them before the update and
 * imports them after. The change check printed nothing of it: the objects' list shows only the old
 * Alertmanager's deletion and the new release, so a silence ended without a word.
 */
describe("change check: an Alertmanager hand-over between phases (--against)", function () {
  this.timeout(480000);

  it("dual-write -> backend-primary on Mimir: a warning naming both Alertmanagers and the silences to carry over", async () => {
    const v = alertmanagerHandoverVerdict(await exportAt("dual-write"), await exportAt("backend-primary"));
    assert.ok(v);
    assert.equal(v.refused, false);
    assert.match(
      v.line,
      /^WARNING Alertmanager handed over: phase dual-write -> backend-primary moves alerting from kube-prometheus-stack's Alertmanager to the standalone Alertmanager \(release alertmanager\), which starts without the other's silences: export them before pulumi up .*amtool silence query -o json.*amtool silence import.*move-between-phases\.md/,
    );
  });

  it("back to dual-write: the same, the other way", async () => {
    const v = alertmanagerHandoverVerdict(await exportAt("backend-primary"), await exportAt("dual-write"));
    assert.match(
      v?.line ?? "",
      /moves alerting from the standalone Alertmanager \(release alertmanager\) to kube-prometheus-stack's Alertmanager,/,
    );
  });

  it("on VictoriaMetrics: names its Alertmanager", async () => {
    const vm = onBackend("victoriametrics");
    const v = alertmanagerHandoverVerdict(
      await exportAt("dual-write", vm),
      await exportAt("backend-primary", vm),
    );
    assert.match(v?.line ?? "", /to VictoriaMetrics' Alertmanager \(VMAlertmanager\),/);
  });

  it("no hand-over, nothing said: loki-fixed -> dual-write, backend-primary -> kps-removed, staying", async () => {
    assert.equal(
      alertmanagerHandoverVerdict(await exportAt("loki-fixed"), await exportAt("dual-write")),
      undefined,
    );
    assert.equal(
      alertmanagerHandoverVerdict(await exportAt("backend-primary"), await exportAt("kps-removed")),
      undefined,
    );
    assert.equal(
      alertmanagerHandoverVerdict(await exportAt("dual-write"), await exportAt("dual-write")),
      undefined,
    );
  });

  it("synth --against prints it above the objects, and the move passes", async () => {
    const { dir, file, against } = stackCopy("alertmanager-handover", "staging");
    const previous = path.join(dir, "before.json");
    fs.writeFileSync(previous, JSON.stringify(await exportAt("dual-write")));
    const text = fs.readFileSync(file, "utf8");
    assert.match(text, /phase: kps-removed\n/);
    fs.writeFileSync(file, text.replace(/phase: kps-removed\n/, "phase: backend-primary\n"));
    const r = await against(previous);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /\nWARNING Alertmanager handed over: phase dual-write -> backend-primary /);
  });

  /**
   * A chartValues override of kube-prometheus-stack's Alertmanager (a route's group_wait, a
   * receiver) stopped applying at the hand-over with nothing said: the standalone Alertmanager
   * routed with the program's configuration alone, and the change check printed only the silences.
   */
  const kpsGroupWait = {
    chartValues: { "kube-prometheus-stack": { alertmanager: { config: { route: { group_wait: "45s" } } } } },
  };

  it("an override of the old Alertmanager's routes: a warning naming the path and both chartValues keys, both ways", async () => {
    const dual = await exportAt("dual-write", kpsGroupWait);
    const primary = await exportAt("backend-primary", kpsGroupWait);
    const v = alertmanagerRoutesVerdict(dual, primary);
    assert.equal(v?.refused, false);
    assert.match(
      v?.line ?? "",
      /^WARNING Alertmanager routes change with the hand-over: kube-prometheus-stack's Alertmanager and the standalone Alertmanager \(release alertmanager\) are given different configurations at route\.group_wait, where an override under chartValues\.kube-prometheus-stack\.alertmanager\.config or chartValues\.alertmanager\.config writes what the other lacks; .* set under chartValues\.alertmanager\.config what chartValues\.kube-prometheus-stack\.alertmanager\.config sets there/,
    );
    assert.doesNotMatch(v?.line ?? "", /45s/);
    assert.match(
      alertmanagerRoutesVerdict(primary, dual)?.line ?? "",
      /standalone Alertmanager \(release alertmanager\) and kube-prometheus-stack's Alertmanager .* at route\.group_wait/,
    );
  });

  it("no override: no routes warning, on Mimir and on VictoriaMetrics (whose Secrets mount elsewhere)", async () => {
    assert.equal(
      alertmanagerRoutesVerdict(await exportAt("dual-write"), await exportAt("backend-primary")),
      undefined,
    );
    const vm = onBackend("victoriametrics");
    assert.equal(
      alertmanagerRoutesVerdict(await exportAt("dual-write", vm), await exportAt("backend-primary", vm)),
      undefined,
    );
  });

  /**
   * The override moved in the update that hands over, as move-between-phases.md says (set the same
   * under the new one's key): the Alertmanager that routes now and the one that routes after have
   * the same group_wait, yet the next export alone, kube-prometheus-stack's release without the
   * override beside the standalone one with it, differed and warned that routes change.
   */
  const standaloneGroupWait = (wait: string) => ({
    chartValues: { alertmanager: { config: { route: { group_wait: wait } } } },
  });

  it("the override moved to the new Alertmanager's key in the hand-over: no routes warning, both ways; moved with another value: warned", async () => {
    const dual = await exportAt("dual-write", kpsGroupWait);
    assert.equal(
      alertmanagerRoutesVerdict(dual, await exportAt("backend-primary", standaloneGroupWait("45s"))),
      undefined,
    );
    const primary = await exportAt("backend-primary", standaloneGroupWait("45s"));
    assert.equal(alertmanagerRoutesVerdict(primary, await exportAt("dual-write", kpsGroupWait)), undefined);
    assert.match(
      alertmanagerRoutesVerdict(dual, await exportAt("backend-primary", standaloneGroupWait("1m")))?.line ??
        "",
      /^WARNING Alertmanager routes change with the hand-over: .* at route\.group_wait,/,
    );
  });

  it("the override dropped from the old Alertmanager's key in the hand-over, set nowhere: warned", async () => {
    const dual = await exportAt("dual-write", kpsGroupWait);
    assert.match(
      alertmanagerRoutesVerdict(dual, await exportAt("backend-primary"))?.line ?? "",
      /^WARNING Alertmanager routes change with the hand-over: .* at route\.group_wait,/,
    );
  });

  it("on VictoriaMetrics: moved to victoria-metrics-k8s-stack's key, none; dropped, warned", async () => {
    const vm = onBackend("victoriametrics");
    const dual = await exportAt("dual-write", { ...vm, ...kpsGroupWait });
    const moved = {
      chartValues: {
        "victoria-metrics-k8s-stack": { alertmanager: { config: { route: { group_wait: "45s" } } } },
      },
    };
    assert.equal(
      alertmanagerRoutesVerdict(dual, await exportAt("backend-primary", { ...vm, ...moved })),
      undefined,
    );
    assert.match(
      alertmanagerRoutesVerdict(dual, await exportAt("backend-primary", vm))?.line ?? "",
      /^WARNING Alertmanager routes change with the hand-over: kube-prometheus-stack's Alertmanager and .* at route\.group_wait, where an override under chartValues\.kube-prometheus-stack\.alertmanager\.config or chartValues\.victoria-metrics-k8s-stack\.alertmanager\.config /,
    );
  });

  it("synth --against prints the routes warning under the silences, and the move passes", async () => {
    const { dir, file, against } = stackCopy("alertmanager-routes", "staging");
    const previous = path.join(dir, "before.json");
    fs.writeFileSync(previous, JSON.stringify(await exportAt("dual-write", kpsGroupWait)));
    const text = fs.readFileSync(file, "utf8").replace(/phase: kps-removed\n/, "phase: backend-primary\n");
    const override =
      "  homelab-observability:chartValues:\n    kube-prometheus-stack:\n      alertmanager:\n        config:\n          route:\n            group_wait: 45s\n";
    fs.writeFileSync(file, text + override);
    const r = await against(previous);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /\nWARNING Alertmanager handed over: [^\n]*\nWARNING Alertmanager routes change with the hand-over: [^\n]* at route\.group_wait,/,
    );
  });

  /**
   * kube-prometheus-stack's `alertmanager.alertmanagerSpec` overrides (retention, externalUrl, an
   * AlertmanagerConfig selector) stopped applying at the hand-over with nothing said: its release
   * stays with the Alertmanager off, and the standalone one ran on the chart's defaults.
   */
  const kpsSpec = (spec: Record<string, unknown>) => ({
    chartValues: { "kube-prometheus-stack": { alertmanager: { alertmanagerSpec: spec } } },
  });
  const dropped = {
    retention: "240h",
    externalUrl: "https://alerts.example.org",
    alertmanagerConfigSelector: { matchLabels: { alertmanager: "main" } },
  };
  const spec = "chartValues.kube-prometheus-stack.alertmanager.alertmanagerSpec";

  it("spec overrides of kube-prometheus-stack's Alertmanager: one warning naming each path and what to set instead, no value", async () => {
    const v = alertmanagerSpecVerdict(
      await exportAt("dual-write", kpsSpec(dropped)),
      await exportAt("backend-primary", kpsSpec(dropped)),
    );
    assert.equal(v?.refused, false);
    const line = v?.line ?? "";
    assert.match(line, /^WARNING Alertmanager overrides stop applying with the hand-over: /);
    assert.ok(
      line.includes(
        `${spec}.retention (not set in the stack file): set chartValues.alertmanager.extraArgs["data.retention"]`,
      ),
      line,
    );
    assert.ok(
      line.includes(`${spec}.externalUrl (not set in the stack file): set chartValues.alertmanager.baseURL`),
      line,
    );
    assert.ok(
      line.includes(
        `${spec}.alertmanagerConfigSelector.matchLabels.alertmanager (not set in the stack file): no equivalent: the chart runs no operator and reads no AlertmanagerConfig`,
      ),
      line,
    );
    assert.doesNotMatch(line, /240h|example\.org|main/);
  });

  it("spec overrides carried over: moved to the alertmanager chart's keys, or what the program gives both alike: nothing said", async () => {
    const moved = {
      chartValues: {
        alertmanager: { extraArgs: { "data.retention": "240h" }, baseURL: "https://alerts.example.org" },
      },
    };
    const previous = await exportAt(
      "dual-write",
      kpsSpec({ retention: dropped.retention, externalUrl: dropped.externalUrl }),
    );
    assert.equal(alertmanagerSpecVerdict(previous, await exportAt("backend-primary", moved)), undefined);
    // The program gives both the same priority class and Secrets: an override writing them again drops nothing.
    const same = kpsSpec({
      priorityClassName: "homelab-stateful",
      secrets: ["alertmanager-pushover", "alertmanager-heartbeat"],
    });
    assert.equal(
      alertmanagerSpecVerdict(await exportAt("dual-write", same), await exportAt("backend-primary", same)),
      undefined,
    );
    // Moved with another value: said.
    const other = { chartValues: { alertmanager: { extraArgs: { "data.retention": "120h" } } } };
    assert.match(
      alertmanagerSpecVerdict(previous, await exportAt("backend-primary", other))?.line ?? "",
      /alertmanagerSpec\.retention .*: set chartValues\.alertmanager\.extraArgs\["data\.retention"\]/,
    );
  });

  /**
   * An override that writes what the standalone Alertmanager runs with anyway (its chart's default,
   * or the binary's flag default where the chart passes no flag) drops nothing: it was warned, with
   * a remedy that changes nothing. `hostUsers: false` is the one the chart's own `hostUsers` cannot
   * give (it renders only `true`): its remedy is `extraPodConfigs.hostUsers`.
   */
  it("spec overrides holding the standalone Alertmanager's own defaults: nothing said; hostUsers false: extraPodConfigs", async () => {
    const defaults = kpsSpec({
      replicas: 1,
      minReadySeconds: 0,
      retention: "120h",
      logLevel: "info",
      logFormat: "logfmt",
      podAntiAffinity: "",
      podAntiAffinityTopologyKey: "kubernetes.io/hostname",
      storage: { volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"] } } },
      hostUsers: true,
    });
    assert.equal(
      alertmanagerSpecVerdict(
        await exportAt("dual-write", defaults),
        await exportAt("backend-primary", defaults),
      )?.line,
      undefined,
    );
    const userNs = kpsSpec({ hostUsers: false });
    assert.ok(
      (
        alertmanagerSpecVerdict(
          await exportAt("dual-write", userNs),
          await exportAt("backend-primary", userNs),
        )?.line ?? ""
      ).includes(
        `${spec}.hostUsers (not set in the stack file): set chartValues.alertmanager.extraPodConfigs.hostUsers`,
      ),
    );
    const given = { chartValues: { alertmanager: { extraPodConfigs: { hostUsers: false } } } };
    assert.equal(
      alertmanagerSpecVerdict(await exportAt("dual-write", userNs), await exportAt("backend-primary", given)),
      undefined,
    );
  });

  /**
   * Two settings the charts spell apart: prometheus-operator passes `--web.route-prefix` `/` for an
   * empty routePrefix, where the alertmanager chart passes no flag and Alertmanager takes the path
   * of `--web.external-url` (`baseURL`), both then written `"/" + Trim(prefix, "/")`; and
   * kube-prometheus-stack passes `storageClassName` to the claim as it is, where the alertmanager
   * chart writes `""` (no class) for its `persistence.storageClass: "-"` and no class at all for `""`.
   */
  it("routePrefix and storageClassName compared as each Alertmanager runs them, not as the charts spell them", async () => {
    const at = async (spec: Record<string, unknown>, standalone: Record<string, unknown> = {}) =>
      alertmanagerSpecVerdict(
        await exportAt("dual-write", kpsSpec(spec)),
        await exportAt("backend-primary", {
          ...kpsSpec(spec),
          chartValues: { ...kpsSpec(spec).chartValues, alertmanager: standalone },
        }),
      )?.line;
    // Served at / on both sides: nothing to carry over.
    for (const routePrefix of ["/", "", "//"])
      assert.equal(await at({ routePrefix }), undefined, routePrefix);
    assert.equal(
      await at({ routePrefix: "/alerts/" }, { extraArgs: { "web.route-prefix": "alerts" } }),
      undefined,
    );
    assert.equal(
      await at({ routePrefix: "/alerts" }, { baseURL: "https://x.example.org/alerts/" }),
      undefined,
    );
    // The standalone one's base URL moves its prefix away from /: said.
    assert.match(
      (await at({ routePrefix: "/" }, { baseURL: "https://x.example.org/am" })) ?? "",
      /alertmanagerSpec\.routePrefix .*: set chartValues\.alertmanager\.extraArgs\["web\.route-prefix"\]/,
    );
    const noClass = { storage: { volumeClaimTemplate: { spec: { storageClassName: "" } } } };
    assert.equal(await at(noClass, { persistence: { storageClass: "-" } }), undefined);
    // The chart writes no class for "": the claim would take the cluster's default class.
    assert.match(
      (await at(noClass, { persistence: { storageClass: "" } })) ?? "",
      /storageClassName .*: set chartValues\.alertmanager\.persistence\.storageClass/,
    );
    const fast = { storage: { volumeClaimTemplate: { spec: { storageClassName: "fast" } } } };
    assert.equal(await at(fast, { persistence: { storageClass: "fast" } }), undefined);
  });

  it("no spec override, or no hand-over to the standalone one: nothing said", async () => {
    assert.equal(
      alertmanagerSpecVerdict(await exportAt("dual-write"), await exportAt("backend-primary")),
      undefined,
    );
    assert.equal(
      alertmanagerSpecVerdict(
        await exportAt("loki-fixed", kpsSpec(dropped)),
        await exportAt("dual-write", kpsSpec(dropped)),
      ),
      undefined,
    );
  });

  it("synth --against names each dropped key at its line in the stack file, and the move passes", async () => {
    const { dir, file, against } = stackCopy("alertmanager-spec", "staging");
    const previous = path.join(dir, "before.json");
    fs.writeFileSync(previous, JSON.stringify(await exportAt("dual-write", kpsSpec({ retention: "240h" }))));
    const text = fs.readFileSync(file, "utf8").replace(/phase: kps-removed\n/, "phase: backend-primary\n");
    const override =
      "  homelab-observability:chartValues:\n    kube-prometheus-stack:\n      alertmanager:\n        alertmanagerSpec:\n          retention: 240h\n";
    fs.writeFileSync(file, text + override);
    const line = (text + override).split("\n").findIndex((l) => l.includes("retention: 240h")) + 1;
    const r = await against(previous);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      new RegExp(
        `\nWARNING Alertmanager overrides stop applying with the hand-over: [^\n]*${spec.replace(/\./g, "\\.")}\\.retention \\([^)]*Pulumi\\.staging\\.yaml:${line}\\): set chartValues\\.alertmanager\\.extraArgs\\["data\\.retention"\\]`,
      ),
    );
  });

  /**
   * The hand-over to VictoriaMetrics' Alertmanager checked no spec override at all: an init
   * container or the pod's user set under kube-prometheus-stack's alertmanagerSpec stopped applying
   * without a word (the VMAlertmanager has both, vmextra_types.go:1238, 1279 at v0.66.0).
   */
  it("on VictoriaMetrics: spec overrides dropped are named with the VMAlertmanager's key; moved there, nothing said", async () => {
    const vm = onBackend("victoriametrics");
    const init = {
      initContainers: [{ name: "wait", image: "busybox:1.36" }],
      securityContext: { runAsUser: 2000 },
    };
    const v = alertmanagerSpecVerdict(
      await exportAt("dual-write", { ...vm, ...kpsSpec(init) }),
      await exportAt("backend-primary", { ...vm, ...kpsSpec(init) }),
    );
    const line = v?.line ?? "";
    assert.equal(v?.refused, false);
    assert.match(
      line,
      /^WARNING Alertmanager overrides stop applying with the hand-over: from this update VictoriaMetrics' Alertmanager \(VMAlertmanager\) routes alerts/,
    );
    assert.ok(
      line.includes(
        `${spec}.securityContext.runAsUser (not set in the stack file): set chartValues.victoria-metrics-k8s-stack.alertmanager.spec.securityContext.runAsUser`,
      ),
      line,
    );
    assert.ok(
      line.includes(
        `${spec}.initContainers (not set in the stack file): set chartValues.victoria-metrics-k8s-stack.alertmanager.spec.initContainers;`,
      ),
      line,
    );
    assert.doesNotMatch(line, /2000|busybox/);
    const moved = {
      chartValues: {
        ...kpsSpec(init).chartValues,
        "victoria-metrics-k8s-stack": { alertmanager: { spec: init } },
      },
    };
    assert.equal(
      alertmanagerSpecVerdict(
        await exportAt("dual-write", { ...vm, ...kpsSpec(init) }),
        await exportAt("backend-primary", { ...vm, ...moved }),
      ),
      undefined,
    );
  });

  /**
   * The hand-over to the VMAlertmanager compared routePrefix, replicas and the claim as raw values:
   * a kube-prometheus-stack `routePrefix: /` or `replicas: 1` was warned though the VMAlertmanager
   * runs the same (the VictoriaMetrics operator v0.66.0 passes `--web.route-prefix=/` for an empty
   * one, statefulset.go:198-202; victoria-metrics-k8s-stack 0.80.0 writes `replicaCount: 1`), and a
   * storageClassName was said to have no VMAlertmanager key though `spec.storage` holds the claim.
   */
  it("on VictoriaMetrics: routePrefix, replicas and the claim compared as the VMAlertmanager runs them", async () => {
    const vm = onBackend("victoriametrics");
    const at = async (kps: Record<string, unknown>, vmSpec: Record<string, unknown> = {}) =>
      alertmanagerSpecVerdict(
        await exportAt("dual-write", { ...vm, ...kpsSpec(kps) }),
        await exportAt("backend-primary", {
          ...vm,
          chartValues: {
            ...kpsSpec(kps).chartValues,
            "victoria-metrics-k8s-stack": { alertmanager: { spec: vmSpec } },
          },
        }),
      )?.line;
    for (const routePrefix of ["/", "", "//"])
      assert.equal(await at({ routePrefix }), undefined, routePrefix);
    assert.equal(await at({ routePrefix: "/alerts/" }, { routePrefix: "alerts" }), undefined);
    assert.match(
      (await at({ routePrefix: "/alerts" })) ?? "",
      /alertmanagerSpec\.routePrefix .*: set chartValues\.victoria-metrics-k8s-stack\.alertmanager\.spec\.routePrefix$/,
    );
    assert.equal(await at({ replicas: 1 }), undefined);
    // The VMAlertmanager's defaults where the operator passes no flag: Alertmanager's own.
    assert.equal(await at({ logLevel: "info", logFormat: "logfmt", minReadySeconds: 0 }), undefined);
    const claim = (storageClassName: string) => ({
      storage: { volumeClaimTemplate: { spec: { storageClassName } } },
    });
    // The program gives both the stack's class (local-path): the same class carries over.
    assert.equal(await at(claim("local-path")), undefined);
    assert.equal(await at(claim(""), claim("")), undefined);
    assert.match(
      (await at(claim(""))) ?? "",
      /storageClassName \(not set in the stack file\): set chartValues\.victoria-metrics-k8s-stack\.alertmanager\.spec\.storage\.volumeClaimTemplate\.spec\.storageClassName$/,
    );
  });

  /**
   * The way back: the spec warning judged only the hand-over away from kube-prometheus-stack's
   * Alertmanager; moving back to dual-write dropped the standalone chart's or the VMAlertmanager's
   * overrides without a word.
   */
  it("back to dual-write: overrides of the standalone chart or of the VMAlertmanager's spec are named as stopping, the configuration left to the routes warning", async () => {
    const standalone = {
      chartValues: {
        alertmanager: { extraArgs: { "data.retention": "240h" }, config: { route: { group_wait: "45s" } } },
      },
    };
    const v = alertmanagerSpecBackVerdict(
      await exportAt("backend-primary", standalone),
      await exportAt("dual-write", standalone),
    );
    assert.equal(v?.refused, false);
    assert.match(
      v?.line ?? "",
      /^WARNING Alertmanager overrides stop applying with the hand-over back: from this update kube-prometheus-stack's Alertmanager routes alerts again, and it reads none of chartValues\.alertmanager\.extraArgs\["data\.retention"\] \(not set in the stack file\)\. .* set what it needs under chartValues\.kube-prometheus-stack\.alertmanager\.alertmanagerSpec$/,
    );
    assert.doesNotMatch(v?.line ?? "", /240h|group_wait/);
    const vm = onBackend("victoriametrics");
    const init = {
      chartValues: {
        "victoria-metrics-k8s-stack": { alertmanager: { spec: { initContainers: [{ name: "wait" }] } } },
      },
    };
    assert.match(
      alertmanagerSpecBackVerdict(
        await exportAt("backend-primary", { ...vm, ...init }),
        await exportAt("dual-write", vm),
      )?.line ?? "",
      /reads none of chartValues\.victoria-metrics-k8s-stack\.alertmanager\.spec\.initContainers \(not set in the stack file\)\./,
    );
    assert.equal(
      alertmanagerSpecBackVerdict(await exportAt("backend-primary"), await exportAt("dual-write")),
      undefined,
    );
  });

  /**
   * The way back warned of an override kube-prometheus-stack's Alertmanager is given too: the way
   * there is quiet where the stack sets both charts' keys alike (one the table maps as it is), and
   * the way back named `chartValues.alertmanager.resources` while `alertmanagerSpec.resources` held
   * the same value, telling the user to set what was set.
   */
  it("back to dual-write: an override kube-prometheus-stack's alertmanagerSpec holds alike, at the key the table maps to it, is not named", async () => {
    const resources = { limits: { memory: "96Mi" } };
    const both = {
      chartValues: {
        alertmanager: { resources, extraArgs: { "data.retention": "240h" } },
        "kube-prometheus-stack": { alertmanager: { alertmanagerSpec: { resources, retention: "240h" } } },
      },
    };
    const [there, back] = [await exportAt("backend-primary", both), await exportAt("dual-write", both)];
    assert.equal(alertmanagerSpecVerdict(back, there), undefined);
    assert.equal(alertmanagerSpecBackVerdict(there, back), undefined);
    const other = structuredClone(both);
    other.chartValues["kube-prometheus-stack"].alertmanager.alertmanagerSpec.resources = {
      limits: { memory: "128Mi" },
    };
    const line = alertmanagerSpecBackVerdict(there, await exportAt("dual-write", other))?.line ?? "";
    assert.match(line, /reads none of chartValues\.alertmanager\.resources\.limits\.memory \(/);
    assert.doesNotMatch(line, /data\.retention/);
  });
});

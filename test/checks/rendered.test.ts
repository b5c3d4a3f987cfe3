/**
 * Checks on what the cluster would receive, over every stack file, every phase x metrics backend
 * of the staging and production topologies, and every adjacent phase transition both ways. Each
 * configuration is synthesized and rendered (real Helm, pinned charts) once per process and shared
 * by all tests; the checks themselves are pure (checks/, each with its failing cases in a unit test
 * of its own beside this file: rbacChecks, objectChecks, egressChecks and the rest of test/checks/).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { checkChange } from "../../change/check";
import { PHASES, type Phase } from "../../config/resolve";
import type { ExportResource } from "../../synth/synthesize";
import {
  checkTransitionDuplicates,
  checkTransitionHostPorts,
  formatFindings,
  placedFrom,
  type Placed,
  type StackCheckReport,
} from "../../checks";
import { checkStackCached } from "../../checks/cache";
import { checkedStackConfig } from "../../config/stackCheck";
import { CACHE_DIR } from "../support/fixtureCache";
import { ROOT, synth, tmpDir } from "../support/helpers";
import { changeAgainst } from "../../change/against";
import { isParked } from "../../builders/security/podSecurity";
import {
  renderStack,
  assertRendered,
  BACKENDS,
  rendered as renderedStack,
  stackFileVariants,
  TOPOLOGIES,
  variant,
  workloadVariants,
  VM_CLUSTER_VARIANT,
  MIMIR_READ_WRITE_VARIANT,
  type Variant,
} from "../support/rendered";

interface Checked {
  objects: Placed[];
  resources: ExportResource[];
  report: StackCheckReport;
}

const checked = new Map<string, Promise<Checked>>();
const CHECK_CACHE = process.env.HOMELAB_TEST_CACHE === "off" ? false : path.join(CACHE_DIR, "checks");

/**
 * A matrix variant at its stack file's own phase and backend is that stack file: the same synthesis
 * (staging kps-removed mimir, production dual-write mimir: equal exports, compared), made under
 * another key only because its overrides spell it out. Read as the stack file, it shares the stack
 * file test's synthesis, render and check verdict: two whole checks fewer in a cold run (0.25-0.5 s of
 * CPU each, measured); no other file checks these two variants whole.
 */
const own = new Map<string, { phase: string; metricsBackend: string }>();
function asStackFile(v: Variant): Variant {
  if (!v.phase || !v.backend) return v;
  // The matrix's overrides alone (not a workload variant's, which adds its own to these).
  if (JSON.stringify(v.over) !== JSON.stringify(variant(v.stack, v.phase, v.backend).over)) return v;
  if (!own.has(v.stack))
    own.set(v.stack, checkedStackConfig(ROOT, v.stack, {}, { allowAbsentSecrets: true }).cfg);
  const cfg = own.get(v.stack)!;
  return cfg.phase === v.phase && cfg.metricsBackend === v.backend
    ? { title: v.stack, stack: v.stack, over: {} }
    : v;
}

/** A variant synthesized and rendered once per process (test/support/rendered.ts), checked once. */
function rendered(asked: Variant): Promise<Checked> {
  const v = asStackFile(asked);
  if (!checked.has(v.title))
    checked.set(
      v.title,
      renderedStack(v).then((r) => {
        assertRendered(r);
        const objects = placedFrom(r.objects);
        const resources = r.synth.export.deployment.resources;
        // The program's own verdict cache (checks/cache.ts, as `npm run synth` uses it), kept with the
        // test fixtures: a verdict is reused only for the same objects checked by the same check
        // modules and reference data; any change to either checks again.
        return {
          objects,
          resources,
          report: checkStackCached(objects, resources, { cacheDir: CHECK_CACHE, inputsId: r.inputsId }),
        };
      }),
    );
  return checked.get(v.title)!;
}

const summary: string[] = [];

function expectClean(r: Checked) {
  assert.equal(r.report.findings.length, 0, `\n${formatFindings(r.report.findings)}`);
  // Every panel and rule reads names some emitter's source names (upstream/metrics/data/): the
  // builders leave out what the stack cannot feed, so nothing is left unjudged.
  assert.deepEqual(r.report.metricsUnverified, [], "names the emitted-metrics data does not know");
  // Addresses outside the stack: the cluster DNS and the object store the stack config names.
  for (const a of r.report.external)
    assert.match(`${a.service}.${a.namespace}`, /^(kube-dns\.kube-system|minio\.storage)$/, a.text);
}

describe("rendered stack", function () {
  this.timeout(300000);

  for (const v of stackFileVariants()) {
    const stack = v.title;
    it(`${stack} stack file: valid, unique, resolvable, expanded, no host-port clash, ordered`, async () => {
      const r = await rendered(v);
      const rep = r.report;
      summary.push(
        `${stack}: ${rep.objects} objects, ${rep.builtinValidated} built-in + ${rep.customValidated} custom validated, ${rep.addressesResolved} addresses resolved, ${rep.variablesChecked} \${VAR} checked, ${rep.podsJudged} pods at their Pod Security level, ${rep.connectionsAllowed} connections allowed by NetworkPolicies (${rep.egressAllowed} by egress rules), ${rep.namedPortsResolved} named ports found`,
      );
      expectClean(r);
      assert.ok(rep.addressesResolved > 0 && rep.builtinValidated > 0 && rep.customValidated > 0);
    });
  }

  for (const v of [...workloadVariants(), VM_CLUSTER_VARIANT, MIMIR_READ_WRITE_VARIANT])
    it(`${v.title}: every check passes`, async () => {
      const r = await rendered(v);
      const rep = r.report;
      summary.push(
        `${v.title}: ${rep.objects} objects, ${rep.builtinValidated}+${rep.customValidated} validated`,
      );
      expectClean(r);
    });

  for (const topology of TOPOLOGIES)
    for (const backend of BACKENDS)
      describe(`${topology} topology, ${backend}`, () => {
        for (const phase of PHASES)
          it(`${phase}: every check passes`, async () => {
            const r = await rendered(variant(topology, phase, backend));
            const rep = r.report;
            summary.push(
              `${topology}/${backend}/${phase}: ${rep.objects} objects, ${rep.builtinValidated}+${rep.customValidated} validated, ${rep.addressesResolved} addresses, ${rep.variablesChecked} vars, ${rep.podsJudged} pods, ${rep.connectionsAllowed} connections allowed (${rep.egressAllowed} egress), ${rep.namedPortsResolved} named ports`,
            );
            expectClean(r);
          });
        for (let i = 0; i < PHASES.length - 1; i++)
          for (const [from, to] of [
            [PHASES[i], PHASES[i + 1]],
            [PHASES[i + 1], PHASES[i]],
          ] as [Phase, Phase][])
            it(`${from} -> ${to}: no host port or object claimed twice while old and new coexist`, async () => {
              const a = await rendered(variant(topology, from, backend));
              const b = await rendered(variant(topology, to, backend));
              const f = [...checkTransitionHostPorts(a, b), ...checkTransitionDuplicates(a, b)];
              assert.equal(f.length, 0, `\n${formatFindings(f)}`);
            });
      });

  describe("node-exporter hand-over from the earlier plan (KPS's own node-exporter)", () => {
    /**
     * Stacks deployed before this plan run KPS with its node-exporter and no standalone release.
     * That state, rebuilt from today's export: KPS's values switch its node-exporter back on and
     * the standalone release is not there yet.
     */
    async function earlierPlan(phase: Phase, backend: string) {
      const result = await synth("production", { phase, metricsBackend: backend });
      const exp = JSON.parse(JSON.stringify(result.export));
      const rs: ExportResource[] = exp.deployment.resources;
      const kps = rs.find((r) => r.inputs?.chart === "kube-prometheus-stack")!;
      kps.inputs.values.nodeExporter = { enabled: true };
      exp.deployment.resources = rs.filter((r) => r.inputs?.chart !== "prometheus-node-exporter");
      const { objects } = await renderStack(exp, { secretKeys: result.secretDataKeys });
      return { objects: placedFrom(objects), resources: exp.deployment.resources as ExportResource[] };
    }
    for (const phase of ["loki-fixed", "dual-write", "backend-primary"] as Phase[])
      it(`${phase}: the standalone node-exporter waits for the KPS update that drops KPS's own`, async () => {
        const before = await earlierPlan(phase, "mimir");
        const after = await rendered(variant("production", phase, "mimir"));
        assert.ok(
          before.objects.some((p) => p.obj.kind === "DaemonSet" && /node-exporter/.test(p.obj.metadata.name)),
          "the earlier plan runs KPS's node-exporter",
        );
        assert.deepEqual(checkTransitionHostPorts(before, after), []);
        // Without the wait, both DaemonSets would claim 9100 during the update: the check sees it.
        const racing = {
          ...after,
          resources: after.resources.map((r) =>
            r.inputs?.chart === "prometheus-node-exporter" ? { ...r, dependencies: [] } : r,
          ),
        };
        const f = checkTransitionHostPorts(before, racing);
        assert.equal(f.length, 1, formatFindings(f));
        assert.match(
          f[0].message,
          /host port TCP\/9100 is claimed by DaemonSet monitoring\/kube-prometheus-stack-prometheus-node-exporter/,
        );
      });
  });

  describe("node agents move to their own namespace without a clash or a lost position", () => {
    const agentsAt = (stack: string, step: string): Variant => ({
      title: `${stack} agents ${step}`,
      stack,
      over: { agents: { step } },
    });
    const transition = async (stack: string, from: string, to: string) => {
      const a = await rendered(agentsAt(stack, from));
      const b = await rendered(agentsAt(stack, to));
      return [...checkTransitionHostPorts(a, b), ...checkTransitionDuplicates(a, b)];
    };
    for (const stack of ["staging", "pi"])
      it(`${stack}: stay -> handover -> moved claims no host port or object twice, and the hand-over passes every check`, async () => {
        const f = [
          ...(await transition(stack, "stay", "handover")),
          ...(await transition(stack, "handover", "moved")),
        ];
        assert.equal(f.length, 0, `\n${formatFindings(f)}`);
        const handover = await rendered(agentsAt(stack, "handover"));
        assert.equal(handover.report.findings.length, 0, `\n${formatFindings(handover.report.findings)}`);
      });
    it("each step passes the change check (synth --against): no Release changes name or namespace", async () => {
      const at = (step: string) => synth("staging", { agents: { step } });
      const [stay, handover, moved] = [await at("stay"), await at("handover"), await at("moved")];
      for (const [a, b] of [
        [stay, handover],
        [handover, moved],
      ])
        assert.deepEqual((await changeAgainst(a.export, b)).refused, []);
    });
    for (const stack of ["staging", "pi"])
      it(`${stack}: skipping the hand-over (stay -> moved) fails the change check (synth --against exits 1) naming the owner move and the host port`, async () => {
        const stay = await synth(stack, { agents: { step: "stay" } });
        const moved = await synth(stack, { agents: { step: "moved" } });
        const dir = tmpDir("agents-move");
        const previous = path.join(dir, `${stack}.json`);
        fs.writeFileSync(previous, JSON.stringify(stay.export));
        const { code, text } = await checkChange(ROOT, stack, moved, { against: previous });
        fs.rmSync(dir, { recursive: true, force: true });
        assert.equal(code, 1, text);
        // One mistake (the agents moved without their hand-over): one refusal, on the first new
        // Release, naming every place: the cluster-scoped objects that change owner (Helm's
        // ownership check) and, for node-exporter, the host ports the old DaemonSet still holds.
        const release = stack === "pi" ? "vector" : "alloy";
        const refused = text.split("\n").filter((l) => /REFUSED/.test(l));
        assert.equal(refused.length, 1, text);
        assert.match(refused[0], /: 2 releases change hands in one update: /);
        assert.match(
          refused[0],
          new RegExp(
            `release monitoring-agents/${release} installs while release monitoring/${release} .*ClusterRole ${release} and ClusterRoleBinding ${release} change owner from release monitoring/${release} to release monitoring-agents/${release} .*existingResourceConflict`,
          ),
        );
        // The new DaemonSet starts while the old one, deleted only at the end, holds the ports.
        assert.match(
          refused[0],
          /ClusterRole node-exporter and ClusterRoleBinding node-exporter change owner .*; and DaemonSet monitoring\/node-exporter still claims host ports TCP\/9100 and TCP\/8888 on the same nodes when DaemonSet monitoring-agents\/node-exporter starts/,
        );
        assert.match(refused[0], /meta\.helm\.sh\/release-name, hostPort TCP\/9100, TCP\/8888: /);
        // The way out names agents.step at its line of the stack file, the key the operator mends.
        const stackFile = `Pulumi.${stack}.yaml`;
        const line =
          fs.readFileSync(path.join(ROOT, stackFile), "utf8").split("\n").indexOf("    step: handover") + 1;
        assert.ok(line > 0);
        assert.ok(
          refused[0].endsWith(
            `(the agents' hand-over: set agents.step (${stackFile}:${line}) to handover for one update, then to moved)`,
          ),
          refused[0],
        );
        assert.match(text, /; 1 refused(?: \(\d+ update\(s\) of metadata alone[^)]*\))?$/m, text);
      });
    it("skipping the hand-over (stay -> moved) is caught: both node-exporters would claim host port 9100", async () => {
      const f = await transition("staging", "stay", "moved");
      assert.ok(
        f.some((x) =>
          /host port TCP\/9100 is claimed by DaemonSet monitoring\/node-exporter .* and by DaemonSet monitoring-agents\/node-exporter/.test(
            x.message,
          ),
        ),
        formatFindings(f),
      );
    });
    it("the new agents wait for the parked old ones, run nothing twice and keep positions, checkpoints and buffers on the same host paths", async () => {
      for (const [stack, chart] of [
        ["staging", "alloy"],
        ["staging", "prometheus-node-exporter"],
        ["pi", "vector"],
      ]) {
        const r = await rendered(agentsAt(stack, "handover"));
        const releases = r.resources.filter((x) => x.inputs?.chart === chart);
        const old = releases.find((x) => x.inputs.namespace === "monitoring")!;
        const now = releases.find((x) => x.inputs.namespace === "monitoring-agents")!;
        assert.ok(old && now, `${chart}: the old and the new release`);
        assert.ok(
          (now.dependencies ?? []).includes(old.urn),
          `${chart}: the new release waits for the parked one`,
        );
        const ds = (urn: string) =>
          r.objects.find((p) => p.urn === urn && p.obj.kind === "DaemonSet")!.obj.spec.template.spec;
        assert.ok(isParked(ds(old.urn)), `${chart}: the old DaemonSet runs on no node`);
        const hostPaths = (spec: any) =>
          (spec.volumes ?? [])
            .filter((v: any) => v.hostPath)
            .map((v: any) => v.hostPath.path)
            .sort();
        // Positions (Alloy's --storage.path), journal cursors, Vector's data_dir: the same host paths.
        assert.deepEqual(hostPaths(ds(now.urn)), hostPaths(ds(old.urn)), `${chart}: same host paths`);
        const args = (spec: any) => spec.containers[0].args;
        assert.deepEqual(args(ds(now.urn)), args(ds(old.urn)), `${chart}: same arguments (storage path)`);
      }
    });
  });

  after(() => {
    if (summary.length) console.log(`\n  rendered-stack counts:\n    ${summary.join("\n    ")}`);
  });
});

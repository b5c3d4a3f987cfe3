/**
 * Checks on what the cluster would receive, over every stack file, every phase x metrics backend
 * of the staging and production topologies, and every adjacent phase transition both ways. Each
 * configuration is synthesized and rendered (real Helm, pinned charts) once per process and shared
 * by all tests; the checks themselves are pure (scripts/lib/checks, unit tests with failing cases
 * in renderedChecks.test.ts).
 */
import { strict as assert } from "assert";
import { PHASES, type Phase } from "../components/config";
import { renderStack } from "../scripts/lib/render";
import type { ExportResource } from "../scripts/lib/synth";
import {
  checkStack,
  checkTransitionDuplicates,
  checkTransitionHostPorts,
  formatFindings,
  placedFrom,
  type Placed,
  type StackCheckReport,
} from "../scripts/lib/checks";
import { synth } from "./helpers";
import {
  assertRendered,
  BACKENDS,
  rendered as renderedStack,
  stackFileVariants,
  TOPOLOGIES,
  variant,
  workloadVariants,
  type Variant,
} from "./support/rendered";

interface Checked {
  objects: Placed[];
  resources: ExportResource[];
  report: StackCheckReport;
}

const checked = new Map<string, Promise<Checked>>();

/** A variant synthesized and rendered once per process (test/support/rendered.ts), checked once. */
function rendered(v: Variant): Promise<Checked> {
  if (!checked.has(v.title))
    checked.set(
      v.title,
      renderedStack(v).then((r) => {
        assertRendered(r);
        const objects = placedFrom(r.objects);
        const resources = r.synth.export.deployment.resources;
        return { objects, resources, report: checkStack(objects, resources) };
      }),
    );
  return checked.get(v.title)!;
}

const summary: string[] = [];

function expectClean(r: Checked) {
  assert.equal(r.report.findings.length, 0, `\n${formatFindings(r.report.findings)}`);
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
        `${stack}: ${rep.objects} objects, ${rep.builtinValidated} built-in + ${rep.customValidated} custom validated, ${rep.addressesResolved} addresses resolved, ${rep.variablesChecked} \${VAR} checked`,
      );
      expectClean(r);
      assert.ok(rep.addressesResolved > 0 && rep.builtinValidated > 0 && rep.customValidated > 0);
    });
  }

  for (const v of workloadVariants())
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
              `${topology}/${backend}/${phase}: ${rep.objects} objects, ${rep.builtinValidated}+${rep.customValidated} validated, ${rep.addressesResolved} addresses, ${rep.variablesChecked} vars`,
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

  after(() => {
    if (summary.length) console.log(`\n  rendered-stack counts:\n    ${summary.join("\n    ")}`);
  });
});

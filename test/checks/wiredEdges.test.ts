/**
 * Every edge the phase wires is admitted by the NetworkPolicies, in every phase x metrics backend of
 * both topologies (real Helm renders, test/support/rendered.ts). The edges expected come from the
 * phase table (model/phases.ts), not from the policies: the network check must have judged each one
 * allowed (an edge it never saw, because no address names it, fails here as well as one it refused).
 * Operator-made pods are modelled from the operators' contracts (upstream/operators/). The same
 * edges must be admitted by each client's egress rules too (rendered whether or not enforced).
 */
import { strict as assert } from "assert";
import { capabilities, type PhaseCapabilities } from "../../model/phases";
import { placedFrom } from "../../checks";
import { checkedStack } from "../support/checkedStack";
import { checkNetworkPolicies, type AdmittedEdge } from "../../checks/networkPolicies";
import { operatorObjects } from "../../checks/objects";
import {
  assertRendered,
  matrixVariants,
  MIMIR_READ_WRITE_VARIANT,
  rendered,
  VM_CLUSTER_VARIANT,
  type Variant,
} from "../support/rendered";

/** An edge the phase needs: client and target workloads (`Kind ns/name`) and, if fixed, the port. */
interface Wanted {
  why: string;
  client: RegExp;
  target: RegExp;
  port?: number;
  scrape?: boolean;
}

const GRAFANA = /^Deployment monitoring\/grafana$/;
const LOKI = /^(StatefulSet|Deployment) monitoring\/loki(-(read|write|backend|ruler))?$/;
const PROMETHEUS = /^StatefulSet monitoring\/prometheus-/;
const BACKEND_READ =
  /^(StatefulSet|Deployment) monitoring\/mimir(-read|-backend)?$|^(Deployment|StatefulSet) monitoring\/(vmsingle|vmselect)-/;
const BACKEND_WRITE = /^StatefulSet monitoring\/mimir(-write)?$|^Deployment monitoring\/(vmsingle|vminsert)-/;

/** The edges a phase's capabilities wire (the stack's own names, as the charts and operators make them). */
export function wantedEdges(caps: PhaseCapabilities): Wanted[] {
  const out: Wanted[] = [
    { why: "Grafana -> Loki", client: GRAFANA, target: /^Deployment monitoring\/loki-gateway$/ },
    {
      why: "log agents -> Loki",
      client: /^DaemonSet monitoring-agents\//,
      target: /^Deployment monitoring\/loki-gateway$/,
    },
  ];
  const am =
    caps.alertmanager === "kps"
      ? /^StatefulSet monitoring\/alertmanager-/
      : caps.alertmanager === "vm"
        ? /^StatefulSet monitoring\/vmalertmanager-/
        : /^StatefulSet monitoring\/alertmanager$/;
  out.push({ why: "Loki's ruler -> Alertmanager", client: LOKI, target: am, port: 9093 });
  if (caps.kps) out.push({ why: "Grafana -> Prometheus", client: GRAFANA, target: PROMETHEUS, port: 9090 });
  if (caps.ruleEvaluator === "prometheus")
    out.push({ why: "Prometheus -> Alertmanager", client: PROMETHEUS, target: am, port: 9093 });
  if (caps.ruleEvaluator === "vmalert") {
    out.push({
      why: "vmalert -> Alertmanager",
      client: /^Deployment monitoring\/vmalert-/,
      target: am,
      port: 9093,
    });
    out.push({
      why: "vmalert -> backend query",
      client: /^Deployment monitoring\/vmalert-/,
      target: BACKEND_READ,
    });
  }
  if (caps.ruleEvaluator === "mimir-ruler")
    out.push({
      why: "Mimir's ruler -> Alertmanager",
      client: /^StatefulSet monitoring\/mimir/,
      target: am,
      port: 9093,
    });
  if (caps.backend) out.push({ why: "Grafana -> backend", client: GRAFANA, target: BACKEND_READ });
  if (caps.prometheusRemoteWrite)
    out.push({ why: "Prometheus remote_write -> backend", client: PROMETHEUS, target: BACKEND_WRITE });
  if (caps.backend && !caps.prometheusRemoteWrite && caps.scraper !== "prometheus")
    out.push({
      why: `${caps.scraper} remote_write -> backend`,
      client: caps.scraper === "vmagent" ? /^Deployment monitoring\/vmagent-/ : /alloy/,
      target: BACKEND_WRITE,
    });
  out.push({
    why: `${caps.scraper} scrapes its targets`,
    client:
      caps.scraper === "prometheus"
        ? PROMETHEUS
        : caps.scraper === "vmagent"
          ? /^Deployment monitoring\/vmagent-/
          : /alloy/,
    target: /./,
    scrape: true,
  });
  return out;
}

/** The wanted edges none of the admitted ones (ingress or egress) stands for. */
function missingEdges(wanted: ReturnType<typeof wantedEdges>, admitted: AdmittedEdge[]) {
  return wanted.filter(
    (w) =>
      !admitted.some(
        (e) =>
          w.client.test(e.client) &&
          w.target.test(e.target) &&
          (w.port === undefined || e.port === w.port) &&
          (w.scrape === undefined || e.what.startsWith("scrape of")),
      ),
  );
}

/**
 * The network check's report on a variant's rendered objects, judged once per variant for this
 * file: the ingress and the egress describes read the same report (its `admitted` and
 * `egressAdmitted`), so judging it twice would only repeat the same pure computation.
 */
const reports = new Map<string, ReturnType<typeof checkNetworkPolicies>>();
async function networkReport(v: Variant): Promise<ReturnType<typeof checkNetworkPolicies>> {
  const r = await rendered(v);
  assertRendered(r);
  const key = JSON.stringify([v.stack, v.over]);
  let report = reports.get(key);
  if (!report) {
    const objects = placedFrom(r.objects);
    report = checkNetworkPolicies(objects, operatorObjects(objects));
    reports.set(key, report);
  }
  return report;
}

const fmt = (e: AdmittedEdge) =>
  `${e.client} -> ${e.target}:${e.port}${e.portName ? ` (${e.portName})` : ""}`;

describe("every edge a phase wires is admitted by the NetworkPolicies", function () {
  this.timeout(600_000);
  for (const v of [...matrixVariants(), VM_CLUSTER_VARIANT, MIMIR_READ_WRITE_VARIANT]) {
    it(`${v.title}`, async () => {
      const report = await networkReport(v);
      const caps = capabilities(v.phase!, v.backend!);
      const missing = missingEdges(wantedEdges(caps), report.admitted);
      assert.deepEqual(
        missing.map((w) => w.why),
        [],
        `refused or never judged; admitted:\n${[...new Set(report.admitted.filter((e) => !e.what.startsWith("scrape of")).map(fmt))].join("\n")}\nfindings:\n${report.findings.map((f) => `${f.where}: ${f.message}`).join("\n")}`,
      );
    });
  }
});

describe("every edge a phase wires is admitted by its client's egress rules too", function () {
  this.timeout(600_000);
  for (const v of [...matrixVariants(), VM_CLUSTER_VARIANT, MIMIR_READ_WRITE_VARIANT]) {
    it(`${v.title}`, async () => {
      const report = await networkReport(v);
      const caps = capabilities(v.phase!, v.backend!);
      const missing = missingEdges(wantedEdges(caps), report.egressAdmitted);
      const egress = report.findings.filter((f) => f.check === "network-egress");
      assert.deepEqual(
        [...missing.map((w) => w.why), ...egress.map((f) => `${f.where}: ${f.message}`)],
        [],
        `refused or never judged by egress; admitted:\n${[...new Set(report.egressAdmitted.filter((e) => !e.what.startsWith("scrape of")).map(fmt))].join("\n")}`,
      );
      // Every client reaches the cluster DNS and, where it stores data, the object store.
      assert.ok(
        report.egressAdmitted.some((e) => e.target === "Service storage/minio" && /loki/.test(e.client)),
        "Loki's egress never judged towards the object store",
      );
    });
  }
});

describe("network.egress: enforced puts Egress in every policy's types, and the stack still checks clean", function () {
  this.timeout(600_000);
  // Documentation addresses (RFC 5737 TEST-NET-1), never dialled: only rendered.
  const network = { egress: "enforced", apiServer: { cidrs: ["192.0.2.10/32"] }, nodes: ["192.0.2.0/24"] };
  for (const phase of ["dual-write", "kps-removed"] as const)
    it(`staging ${phase}`, async () => {
      const r = await rendered({
        title: `staging ${phase} enforced`,
        stack: "staging",
        over: { phase, network },
      });
      assertRendered(r);
      const objects = placedFrom(r.objects);
      // Every check, its verdict cached (test/support/checkedStack.ts).
      const report = checkedStack(r, objects);
      assert.deepEqual(report.findings, []);
      assert.equal(report.egressNotEnforced, 0);
      const policies = objects.filter((p) => p.obj.kind === "NetworkPolicy" && p.obj.spec?.egress);
      assert.ok(policies.length > 0);
      for (const p of policies)
        assert.deepEqual(p.obj.spec.policyTypes, ["Ingress", "Egress"], p.obj.metadata.name);
      const api = policies
        .flatMap((p) => p.obj.spec.egress)
        .filter((e: any) => e.to?.[0]?.ipBlock?.cidr === "192.0.2.10/32");
      assert.ok(api.length > 0, "no rule admits the configured API server");
    });
});

/**
 * The program's own dashboards and alerts read only what the stack emits: panels about a component
 * the stack does not run are left out, and names upstream deprecated are not read.
 */
import { strict as assert } from "assert";
import {
  backendDashboard,
  dashboardsFor,
  logAgentDashboard,
  lokiDashboard,
} from "../../builders/grafana/dashboards";
import { programRuleSets } from "../../builders/alerting/rules";
import { stackEmitters } from "../../plan/emitters";
import { capabilities, type Backend, type Phase } from "../../model/phases";

const exprs = (d: Record<string, any>): string[] =>
  d.panels.flatMap((p: any) => p.targets.map((t: any) => t.expr as string));
const titles = (d: Record<string, any>): string[] => d.panels.map((p: any) => p.title as string);
const emitters = (phase: Phase, backend: Backend, lokiCanary = false) =>
  stackEmitters({ caps: capabilities(phase, backend), backend, logAgent: "alloy", lokiCanary, minio: false });

describe("the program's dashboards and alerts read what the stack emits", () => {
  it("Vector's dashboard reads the buffer gauge by its current name and counts only the Loki sinks", () => {
    const all = exprs(logAgentDashboard("vector", ["always", "vector"]));
    assert.ok(!all.some((e) => /vector_buffer_byte_size/.test(e)), all.join("\n"));
    assert.ok(all.some((e) => /\bvector_buffer_size_bytes\b/.test(e)));
    const sent = logAgentDashboard("vector").panels.find((p: any) => p.title === "Events sent to Loki / s");
    assert.match(sent.targets[0].expr, /component_kind="sink",component_type="loki"/);
  });

  it("Mimir's dashboard shows rule-evaluation failures only while its ruler evaluates the rules", () => {
    assert.ok(
      !titles(backendDashboard("mimir", emitters("dual-write", "mimir"))).includes(
        "Rule evaluation failures / s",
      ),
    );
    assert.ok(
      titles(backendDashboard("mimir", emitters("backend-primary", "mimir"))).includes(
        "Rule evaluation failures / s",
      ),
    );
  });

  it("VictoriaMetrics' dashboard shows vmalert and vmagent only in the phases that run them", () => {
    const dual = titles(backendDashboard("victoriametrics", emitters("dual-write", "victoriametrics")));
    assert.ok(!dual.some((t) => /vmalert|vmagent/.test(t)), dual.join(", "));
    const last = titles(backendDashboard("victoriametrics", emitters("kps-removed", "victoriametrics")));
    assert.ok(last.some((t) => /vmalert/.test(t)) && last.some((t) => /vmagent/.test(t)));
  });

  it("Loki's canary panel is there only with the canary", () => {
    assert.ok(!titles(lokiDashboard(emitters("kps-removed", "mimir"))).some((t) => /Canary/.test(t)));
    assert.ok(titles(lokiDashboard(emitters("kps-removed", "mimir", true))).some((t) => /Canary/.test(t)));
  });

  it("the Alloy remote-write panel appears only where something remote-writes", () => {
    const first = dashboardsFor({
      backend: "mimir",
      logAgent: "alloy",
      backendUp: false,
      emitters: emitters("loki-fixed", "mimir"),
    });
    assert.ok(!titles(first["log-agent"]).includes("Remote write samples pending"));
  });

  it("Mimir's bucket alerts exist only where Mimir runs", () => {
    const names = (mimir: boolean) =>
      (
        programRuleSets({ namespace: "monitoring", canary: false, store: "minio", mimir })["object-store"] ??
        []
      )
        .flatMap((g) => g.rules)
        .map((r) => r.alert);
    assert.ok(!names(false).includes("MimirObjectStoreErrors"));
    assert.ok(names(true).includes("MimirObjectStoreErrors"));
  });
});

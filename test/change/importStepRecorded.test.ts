import { strict as assert } from "assert";
import { STACK_INFO_NAME } from "@homelab-observability/contract";
import { importStepSynthesis } from "../../change/takeover";
import { stackInfoData } from "../../change/phaseMove";
import { stackTakeover } from "../../change/runningConfig";
import { NETWORK_POLICIES_DEFERRED } from "../../builders/security/podSecurity";
import { SYNTH_MANIFEST_VERSION, type ExportResource, type StackExport } from "../../synth/synthesize";
import { ROOT, synth } from "../support/helpers";

/*
 * The change check reads an earlier export as the takeover's import step by the step the program
 * records in its stack-info ConfigMap (plan/foundation.ts), no longer by the annotation that step
 * puts on the namespace (what the step defers, not the step): an export recording the update step
 * is no import step whatever its namespace says, and one recording the import step is, in an
 * export this program synthesized. A `pulumi stack export` recording it holds the releases as the
 * import read them. Exports written before the record (CI compares HEAD^'s) are read as then.
 */
const NS_URN =
  "urn:pulumi:takeover::homelab-observability::homelab:core:Namespace$kubernetes:core/v1:Namespace::namespace";
const INFO_URN =
  "urn:pulumi:takeover::homelab-observability::homelab:core:StackInfo$kubernetes:core/v1:ConfigMap::stack-info";

/** An export of the namespace (with `annotations`) and the stack-info (with `data`), its manifest `version`. */
function exportOf(
  version: string,
  annotations: Record<string, string>,
  data: Record<string, string>,
): StackExport {
  const resources: ExportResource[] = [
    {
      urn: NS_URN,
      custom: true,
      type: "kubernetes:core/v1:Namespace",
      inputs: { metadata: { name: "monitoring", annotations } },
      outputs: {},
    },
    {
      urn: INFO_URN,
      custom: true,
      type: "kubernetes:core/v1:ConfigMap",
      inputs: { metadata: { name: STACK_INFO_NAME, namespace: "monitoring" }, data },
      outputs: {},
    },
  ];
  return { version: 3, deployment: { manifest: { time: "", magic: "", version }, resources } };
}

const SYNTH = SYNTH_MANIFEST_VERSION;
const deferred = { [NETWORK_POLICIES_DEFERRED]: "deferred until takeover.step update" };

describe("the takeover's import step as the stack-info records it (change/takeover.ts importStepSynthesis)", function () {
  this.timeout(180000);

  it("reads a synthesis whose stack-info records the import step as that step, whatever its namespace holds", () => {
    assert.equal(importStepSynthesis(exportOf(SYNTH, {}, { takeoverStep: "import" })), true);
  });

  it("reads one recording the update step as no import step, even where the namespace keeps the marker", () => {
    assert.equal(importStepSynthesis(exportOf(SYNTH, deferred, { takeoverStep: "update" })), false);
  });

  it("reads a pulumi stack export recording the import step as the state it is, not as a synthesis", () => {
    assert.equal(importStepSynthesis(exportOf("v3.190.0", {}, { takeoverStep: "import" })), false);
  });

  it("reads an export written before the record (an earlier commit's) by the namespace's marker, as then", () => {
    assert.equal(importStepSynthesis(exportOf(SYNTH, deferred, { phase: "loki-fixed" })), true);
    assert.equal(importStepSynthesis(exportOf(SYNTH, {}, { phase: "loki-fixed" })), false);
  });

  it("records each step in the takeover stack's stack-info, and nothing in a stack without a takeover", async () => {
    const block = stackTakeover(ROOT, "takeover");
    assert.equal(block.step, "import");
    const imported = await synth("takeover");
    const updated = await synth("takeover", { takeover: { ...block, step: "update" } });
    const plain = await synth("production");
    assert.equal(stackInfoData(imported.export)?.takeoverStep, "import");
    assert.equal(stackInfoData(updated.export)?.takeoverStep, "update");
    assert.equal(stackInfoData(plain.export)?.takeoverStep, undefined);
    assert.equal(importStepSynthesis(imported.export), true);
    assert.equal(importStepSynthesis(updated.export), false);
  });
});

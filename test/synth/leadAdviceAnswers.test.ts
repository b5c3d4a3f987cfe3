import { strict as assert } from "assert";
import { causeKey } from "@homelab-observability/contract";
import { evaluateResources } from "../../policy/evaluate";
import {
  attributeOverrides,
  formatMergedViolations,
  mergeProblems,
  type CheckFinding,
} from "../../synth/report";
import { release } from "../support/policyCases";

/*
 * A merged message whose override other rules refuse too says which rule the first line's own
 * advice answers alone (synth/report.ts alsoLines). A rule that reports the very condition the first
 * line's advice mends is answered by it: `chartValues.loki.loki.compactor.delete_request_store:
 * null` in Pulumi.staging.yaml, then the advice followed (`delete_request_store: s3`), synthesizes
 * with exit 0, engine-config's finding gone with the pack's. Saying that advice answers
 * loki-retention-needs-delete-store "alone, not engine-config" was untrue.
 */

const OVERRIDE = "loki.loki.compactor.delete_request_store";

/** The pack's and engine-config's reports on a loki release whose override nulled the delete store. */
async function judged(engineCause: string | undefined) {
  const rel = release("loki", {
    loki: {
      compactor: { retention_enabled: true, delete_request_store: null },
      schemaConfig: { configs: [{ object_store: "s3" }] },
    },
  });
  const violations = (await evaluateResources([rel])).filter(
    (v) => v.policy === "loki-retention-needs-delete-store",
  );
  assert.equal(violations.length, 1, JSON.stringify(violations));
  const engine: CheckFinding = {
    check: "engine-config",
    where: "StatefulSet monitoring/loki (release loki) container loki",
    message: "compactor.retention_enabled is true without compactor.delete_request_store",
    cause: engineCause ?? causeKey("loki-delete-store", rel.urn),
  };
  const merged = mergeProblems(violations, [engine], { resources: [rel], overrides: [OVERRIDE] });
  assert.equal(merged.findings.length, 0, "engine-config's finding is merged into the pack's message");
  return formatMergedViolations(attributeOverrides(merged.violations, [rel], [OVERRIDE]));
}

describe("the first line's own advice: which other places it answers", () => {
  it("engine-config's finding of the same missing delete store is answered by the advice that sets it: no 'alone, not engine-config'", async () => {
    const text = await judged(undefined);
    assert.match(
      text,
      /Set chartValues\.loki\.loki\.compactor\.delete_request_store to the schema's object_store/,
    );
    assert.match(text, /also seen at: \[engine-config\] StatefulSet monitoring\/loki/);
    assert.match(
      text,
      /from the stack's chart values override chartValues\.loki\.loki\.compactor\.delete_request_store: change or remove it in the stack file$/,
    );
    assert.doesNotMatch(text, /alone, not/);
  });

  it("a finding joined only through the override (a cause of its own) keeps the 'alone, not' clause", async () => {
    // Another mistake of the same override, not the delete store's condition: the advice that sets
    // the store does not answer it, and the clause still says so.
    const text = await judged(causeKey("some-other-kind", "StatefulSet monitoring/loki"));
    assert.match(
      text,
      /change or remove it in the stack file \(that clears every place above; the first line's own advice answers loki-retention-needs-delete-store alone, not engine-config\)$/,
    );
  });
});

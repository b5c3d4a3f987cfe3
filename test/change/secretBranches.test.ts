import { strict as assert } from "assert";
import { SECRET_SIG, SECRET_SIG_KEY } from "@homelab-observability/contract";
import { withUnrenderedSecrets } from "../../change/secretBranches";
import type { ChangeReport } from "../../change/change";
import { RELEASE_TYPE } from "../../model/names";
import { SYNTH_MANIFEST_VERSION, type StackExport } from "../../synth/synthesize";

/*
 * A previous export's release holding a secret as ciphertext only where its chart's values.yaml
 * holds a boolean: offline the placeholder text reads as true, so its objects' refusals are not
 * said (change/secretBranches.ts). A synthesis' secrets are the program's own, rendered alike on
 * both sides: its note would say "a pulumi stack export without --show-secrets" of no such export.
 */
const exportOf = (version: string): StackExport =>
  ({
    version: 3,
    deployment: {
      manifest: { version },
      resources: [
        {
          urn: "urn:pulumi:s::homelab-observability::kubernetes:helm.sh/v3:Release::grafana",
          type: RELEASE_TYPE,
          custom: true,
          inputs: {
            name: "grafana",
            namespace: "monitoring",
            chart: "grafana",
            version: "1.0.0",
            values: { persistence: { enabled: { [SECRET_SIG_KEY]: SECRET_SIG, ciphertext: "v1:AAAA" } } },
          },
        },
      ],
    },
  }) as unknown as StackExport;

const claim = {
  action: "update" as const,
  subject: "PersistentVolumeClaim monitoring/grafana",
  owner: "release monitoring/grafana",
  why: ["spec.storageClassName"],
  refused: [{ field: "spec.storageClassName", reason: "immutable" }],
};
const report: ChangeReport = { entries: [claim], refused: [claim] };
const keysAt = () => ({ values: {}, kinds: { persistence: { enabled: "boolean" as const } } });

describe("a previous release's ciphertext where its chart branches on a boolean (change/secretBranches.ts)", () => {
  it("leaves the objects of a deployment's export unjudged, with a note that names the path and no value", () => {
    const r = withUnrenderedSecrets(exportOf("v3.190.0"), report, keysAt);
    assert.equal(r.report.refused.length, 0);
    assert.equal(r.verdicts.length, 1);
    assert.match(
      r.verdicts[0].line,
      /holds its persistence\.enabled \(a boolean in the chart's values\.yaml\)/,
    );
    assert.doesNotMatch(r.verdicts[0].line, /v1:AAAA/);
  });

  it("judges a synthesis' objects as ever: its secrets render alike on both sides", () => {
    const r = withUnrenderedSecrets(exportOf(SYNTH_MANIFEST_VERSION), report, keysAt);
    assert.deepEqual(r, { report, verdicts: [] });
  });
});

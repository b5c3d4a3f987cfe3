import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../../config/errors";
import { PROJECT } from "../../config/resolve";
import { checkedStackConfig } from "../../config/stackCheck";
import { ROOT, tmpDir } from "./helpers";

/*
 * Pieces of stack files for the config tests that write one (the text as an operator writes it,
 * each key under the project's namespace), shared so each test shows only what it breaks.
 */

/** `key` under the project's namespace, as a stack file writes it. */
export const P = (k: string) => `${PROJECT}:${k}`;

/** The head of a stack file: the kube context and the last phase. */
export const BASE = `config:
  ${P("kubeContext")}: admin@example
  ${P("phase")}: kps-removed
`;

/** A MinIO object store. */
export const STORE = `  ${P("objectStore")}:
    type: minio
    endpoint: http://minio.storage.svc:9000
`;

/** Alerting with one Slack receiver, and neither Pushover nor the heartbeat. */
export const RECEIVER = `  ${P("alerting")}:
    pushover: false
    heartbeat: false
    receivers:
      - name: team-slack
        type: slack
        channel: "#alerts"
`;

/** One node pool whose `arch` is a slip of amd64. */
export const POOL_ARCH_SLIP = `  ${P("nodePools")}:
    - name: workers
      arch: amd46
      count: 1
      cpu: "4"
      memory: 16Gi
`;

/** A project folder with this project's Pulumi.yaml and a stack file `Pulumi.<stack>.yaml` of `text`. */
export function stackProject(text: string, stack = "s"): string {
  const dir = tmpDir("stack-file-run");
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), text);
  return dir;
}

/** The refusal of one run (config/stackCheck.ts) over a stack file `Pulumi.<stack>.yaml` of `text`. */
export function refusal(text: string, stack = "s"): ConfigError {
  const dir = stackProject(text, stack);
  try {
    checkedStackConfig(dir, stack, {}, { allowAbsentSecrets: true });
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e;
  }
  assert.fail("the stack file was accepted");
}

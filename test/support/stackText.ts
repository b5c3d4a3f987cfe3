import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../../config/errors";
import { PROJECT } from "../../config/resolve";
import { checkedStackConfig } from "../../config/stackCheck";
import { shellWord } from "../../model/running";
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

/** A stack file with the base, the object store and alerting whose `receivers:` list is `items` (YAML list items, six spaces in). */
export const receiversStack = (items: string) => `${BASE}${STORE}  ${P("alerting")}:
    pushover: false
    heartbeat: false
    receivers:
${items}`;

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

/**
 * The refusal of one run (config/stackCheck.ts) over a stack file `Pulumi.<stack>.yaml` of `text`,
 * its hints read as if the project were this checkout ({@link inCheckout}).
 */
export function refusal(text: string, stack = "s"): ConfigError {
  const dir = stackProject(text, stack);
  try {
    checkedStackConfig(dir, stack, {}, { allowAbsentSecrets: true });
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return inCheckout(e, dir);
  }
  assert.fail("the stack file was accepted");
}

/**
 * `e` with each `pulumi --cwd <dir>` its hints start with read as `pulumi`, after asserting that
 * every quoted `pulumi config` command names the project folder `dir`: a test's project is a folder of
 * its own, not this checkout, so each hint must carry the CLI's `--cwd` (config/paths.ts
 * pulumiCommand), which the tests that use this then leave out of the messages they spell out.
 */
export function inCheckout(e: ConfigError, dir: string): ConfigError {
  const flag = `pulumi --cwd ${shellWord(dir)} `;
  const read = (text: string) => {
    const bare = /`pulumi config (set|rm|get)\b/.exec(text.split(flag).join(""));
    assert.equal(bare, null, `a quoted pulumi config command without --cwd ${dir}: ${text}`);
    return text.split(flag).join("pulumi ");
  };
  return new ConfigError(e.problems.map(read), e.notes.map(read), e.places, e.firstFile);
}

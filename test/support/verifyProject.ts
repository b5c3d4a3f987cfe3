import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { ROOT, tmpDir } from "./helpers";

/**
 * A project folder for verify's tests: the real Pulumi.yaml and a stack file per entry of
 * `stacks`, each a working dual-write stack on VictoriaMetrics (context `admin@<stack>`) with the
 * entry's keys over it.
 */
export function verifyProject(
  stacks: Record<string, Record<string, unknown>>,
  prefix = "verify-project",
): string {
  const dir = tmpDir(prefix);
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  for (const [name, over] of Object.entries(stacks)) {
    const base: Record<string, unknown> = {
      phase: "dual-write",
      kubeContext: `admin@${name}`,
      metricsBackend: "victoriametrics",
      objectStore: { type: "filesystem" },
      secrets: { backend: "config" },
      nodePools: [{ name: "workers", arch: "amd64", count: 2, cpu: "4", memory: "16Gi" }],
      storageClasses: { default: "local-path" },
      loki: { mode: "SingleBinary", retention: "7d", canary: true },
      alerting: { pushover: false, heartbeat: true },
      ...over,
    };
    const cfg = Object.fromEntries(Object.entries(base).map(([k, v]) => [`homelab-observability:${k}`, v]));
    fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), stringify({ config: cfg }));
  }
  return dir;
}

import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { projectRoot } from "../config/paths";

/**
 * Puts in place what `npm run synth` needs before it loads anything else: Helm at `.tools/helm`
 * (unless `HOMELAB_HELM` names one) and the contract package linked into node_modules. When both
 * are there this costs two stats; only a missing one runs the script that provides it
 * (scripts/install-helm.sh, scripts/link-contract.sh, the same ones `npm test` runs first).
 *
 * Why not a `presynth` npm script: npm then starts a shell, two bash scripts and `helm version`
 * on every run, about 50 ms of a command meant to take about a second.
 *
 * Imported first, for its effect, by cli/synth.ts: the imports after it need the contract.
 */
export function ensureTools(root: string = projectRoot(__dirname)): void {
  const needs: string[] = [];
  if (!process.env.HOMELAB_HELM && !fs.existsSync(path.join(root, ".tools", "helm")))
    needs.push("install-helm.sh");
  if (!fs.existsSync(path.join(root, "node_modules", "@homelab-observability", "contract", "index.ts")))
    needs.push("link-contract.sh");
  for (const script of needs) {
    const r = spawnSync("bash", [path.join(root, "scripts", script)], { cwd: root, stdio: "inherit" });
    if (r.status !== 0) {
      console.error(`scripts/${script} failed (exit ${r.status ?? r.signal}); see its message above`);
      process.exit(2);
    }
  }
}

ensureTools();

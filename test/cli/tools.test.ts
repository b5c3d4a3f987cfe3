import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ensureTools } from "../../cli/tools";
import { tmpDir } from "../support/helpers";

/** cli/tools.ts: what `npm run synth` puts in place before it loads the program. */
describe("npm run synth's own set-up (cli/tools.ts, in place of a presynth script)", () => {
  /** A project folder whose two set-up scripts only record that they ran. */
  function project(): { root: string; ran: () => string[] } {
    const root = tmpDir("tools");
    fs.mkdirSync(path.join(root, "scripts"));
    const log = path.join(root, "ran.log");
    for (const s of ["install-helm.sh", "link-contract.sh"])
      fs.writeFileSync(path.join(root, "scripts", s), `echo ${s} >> ${JSON.stringify(log)}\n`);
    return {
      root,
      ran: () => (fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : []),
    };
  }

  it("runs the script for what is missing, Helm and the contract link", () => {
    const p = project();
    const saved = process.env.HOMELAB_HELM;
    delete process.env.HOMELAB_HELM;
    try {
      ensureTools(p.root);
    } finally {
      if (saved !== undefined) process.env.HOMELAB_HELM = saved;
    }
    assert.deepEqual(p.ran(), ["install-helm.sh", "link-contract.sh"]);
  });

  it("runs nothing when both are in place", () => {
    const p = project();
    fs.mkdirSync(path.join(p.root, ".tools"));
    fs.writeFileSync(path.join(p.root, ".tools", "helm"), "");
    const contract = path.join(p.root, "node_modules", "@homelab-observability", "contract");
    fs.mkdirSync(contract, { recursive: true });
    fs.writeFileSync(path.join(contract, "index.ts"), "");
    ensureTools(p.root);
    assert.deepEqual(p.ran(), []);
  });

  it("leaves Helm alone when HOMELAB_HELM names one", () => {
    const p = project();
    const saved = process.env.HOMELAB_HELM;
    process.env.HOMELAB_HELM = "/usr/bin/false";
    try {
      ensureTools(p.root);
    } finally {
      if (saved === undefined) delete process.env.HOMELAB_HELM;
      else process.env.HOMELAB_HELM = saved;
    }
    assert.deepEqual(p.ran(), ["link-contract.sh"]);
  });
});

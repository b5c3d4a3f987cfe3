import { strict as assert } from "assert";
import { spawn } from "child_process";
import { evaluateResources, failed } from "../../policy/evaluate";
import { synth, tsNode } from "../support/helpers";

describe("every project stack passes the pack", () => {
  for (const stack of ["staging", "production", "pi"]) {
    it(`${stack}: no mandatory violation`, async () => {
      const v = await evaluateResources((await synth(stack)).export.deployment.resources);
      assert.equal(failed(v), false, v.map((x) => x.message).join("\n"));
    });
  }
});

// The pack from policy/ through Pulumi's ts-node registration (type checking on, tens of seconds
// of CPU) is started once, by test/policy/packLive.test.ts, which asserts it prints its port.
describe("the pack as the Pulumi CLI loads it", () => {
  const entries: [string, string[]][] = [["through tsx, as the tests run", tsNode("policy/index.ts")]];
  for (const [title, args] of entries)
    it(`starts a policy pack server (${title}) and prints its port`, async function () {
      this.timeout(60000);
      const child = spawn(process.execPath, args, {
        stdio: ["ignore", "pipe", "pipe"],
      });
      const port = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d) => {
          out += d;
          const m = /^(\d+)\s*$/m.exec(out);
          if (m) resolve(m[1]);
        });
        child.on("exit", (code) => reject(new Error(`pack exited ${code}: ${out}`)));
      });
      child.kill();
      assert.ok(Number(port) > 0);
    });
});

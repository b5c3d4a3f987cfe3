import * as os from "os";
import * as path from "path";
import * as fs from "fs";
import { spawnSync } from "child_process";
import { performance } from "perf_hooks";
import { evaluateResources, type ExportedResource } from "../policy/evaluate";
import { projectRoot, stackNames } from "./lib/paths";
import { synthStack } from "./lib/run";
import { budgetOf } from "./lib/report";

/**
 * Not a test: prints wall times. Synthesis of each stack against merely loading the six SDK
 * modules (both in fresh processes, as a user runs them), and the policy pack over a generated
 * 10,000-resource export.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const root = projectRoot();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function wall(args: string[]): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return performance.now() - t;
}

async function main() {
  const sdk = [
    "@pulumi/pulumi",
    "@pulumi/kubernetes",
    "@pulumi/minio",
    "@pulumi/random",
    "@pulumi/policy",
    "@1password/pulumi-onepassword",
  ];
  const load = median(
    Array.from({ length: RUNS }, () =>
      wall(["-e", sdk.map((m) => `require(${JSON.stringify(m)})`).join(";")]),
    ),
  );
  console.log(`SDK modules load (fresh process, median of ${RUNS}): ${load.toFixed(0)} ms`);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "bench-"));
  const stacks = stackNames(root);
  for (const stack of stacks) {
    const t = median(
      Array.from({ length: RUNS }, () =>
        wall([
          "-r",
          path.join(root, "scripts/register.js"),
          path.join(root, "scripts/synth.ts"),
          "--stack",
          stack,
          "--out",
          out,
          "--quiet",
        ]),
      ),
    );
    console.log(
      `synth ${stack.padEnd(10)} (fresh process, median of ${RUNS}): ${t.toFixed(0)} ms  = ${(t / load).toFixed(2)}x SDK load`,
    );
  }

  // Memory requests per stack, the lightweight profile beside the standard ones.
  const figures: string[] = [];
  for (const stack of stacks) {
    const b = budgetOf((await synthStack(root, stack)).export.deployment.resources);
    if (b)
      figures.push(`${stack} ${Math.round(b.total.sums.memory / 2 ** 20)}Mi over ${b.total.nodes} nodes`);
  }
  console.log(`memory requests: ${figures.join(", ")}`);

  // Policy pack over 10,000 resources: the project's stacks repeated with distinct URNs.
  const base: ExportedResource[] = [];
  for (const stack of stacks)
    base.push(...(await synthStack(root, stack)).export.deployment.resources.filter((r) => r.custom));
  const big: ExportedResource[] = [];
  for (let i = 0; big.length < 10000; i++)
    for (const r of base) if (big.length < 10000) big.push({ ...r, urn: `${r.urn}-${i}` });
  const times: number[] = [];
  let violations = 0;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    violations = (await evaluateResources(big)).length;
    times.push(performance.now() - t);
  }
  console.log(
    `policy pack over ${big.length} resources (in process, median of ${RUNS}): ${median(times).toFixed(0)} ms (${violations} violations)`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

import { spawnSync } from "child_process";
import { performance } from "perf_hooks";

/**
 * The unit every fast-feedback target is measured in: the time a fresh `node` takes to load the six
 * SDK modules the program and the pack load. Machines differ and are noisy; a target stated as a
 * ratio to this reference, measured in the same run, holds on a machine half as fast (issue 51).
 */
export const SDK_MODULES = [
  "@pulumi/pulumi",
  "@pulumi/kubernetes",
  "@pulumi/minio",
  "@pulumi/random",
  "@pulumi/policy",
  "@1password/pulumi-onepassword",
] as const;

/**
 * The reference's environment: a plain node, without Node's compile cache or other options (the
 * test workers' NODE_OPTIONS, .mocharc.cjs), whatever the caller's environment says.
 */
export function referenceEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, NODE_COMPILE_CACHE: undefined, NODE_DISABLE_COMPILE_CACHE: "1", NODE_OPTIONS: undefined };
}

/** Wall time of one fresh `node` loading the six SDK modules from `cwd`'s node_modules. */
export function sdkLoadOnce(cwd: string, node = process.execPath): number {
  const t = performance.now();
  const r = spawnSync(node, ["-e", SDK_MODULES.map((m) => `require(${JSON.stringify(m)})`).join(";")], {
    cwd,
    encoding: "utf8",
    env: referenceEnv(process.env),
  });
  const ms = performance.now() - t;
  if (r.status !== 0)
    throw new Error(`loading the SDK modules in ${cwd} failed (exit ${r.status}): ${r.stderr}`);
  return ms;
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

import * as path from "path";
import { placedFrom, type Placed, type StackCheckOptions } from "../../checks";
import { checkStackCached } from "../../checks/cache";
import { CACHE_DIR } from "./fixtureCache";
import type { RenderedStack } from "./rendered";

/** The folder test/checks/rendered.test.ts keeps its verdicts in: the same variant's is shared. */
const CHECK_CACHE = process.env.HOMELAB_TEST_CACHE === "off" ? false : path.join(CACHE_DIR, "checks");

/**
 * Every rendered-object check (checks/index.ts checkStack) on a rendered variant, through the
 * program's own verdict cache (checks/cache.ts, as `npm run synth` uses it) under the key
 * test/checks/rendered.test.ts uses: a verdict is reused only for the same variant's objects
 * (`inputsId`) judged by the same check modules and reference data; a change to any of them
 * checks again. The whole check on one stack costs 0.3-1 s of CPU, most of it the checks a test
 * reading one finding or asserting none does not change. `opts` are checkStack's (the key holds them).
 */
export function checkedStack(
  r: RenderedStack,
  objects: Placed[] = placedFrom(r.objects),
  opts: StackCheckOptions = {},
) {
  return checkStackCached(objects, r.synth.export.deployment.resources, {
    ...opts,
    cacheDir: CHECK_CACHE,
    inputsId: r.inputsId,
  });
}

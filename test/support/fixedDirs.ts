import * as fs from "fs";
import * as path from "path";
import { ROOT } from "./helpers";

/**
 * An empty folder at the same path in every run (`.cache/tests/<name>` of the checkout, emptied
 * first), for a chart or render cache a test points HOMELAB_CHART_CACHE or HOMELAB_RENDER_CACHE
 * at. The fixture cache keys a synthesis on the HOMELAB_* environment (test/support/fixtureCache.ts
 * envHash), so a new tmpDir each run made every warm run synthesize those stacks again: five
 * syntheses in test/cli/synthStacks.test.ts, two in test/cli/synthOverrideMistake.test.ts. Each
 * name is one test file's (the files run in parallel workers; one file's tests run one at a time).
 */
export function fixedEmptyDir(name: string): string {
  const dir = path.join(ROOT, ".cache", "tests", name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

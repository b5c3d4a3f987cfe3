/**
 * Required by .mocharc.cjs right after tsx (and test/support/lexerReady.ts), before any test loads
 * an SDK module: the workers run the program with the offline CLIs' start-up shortcut
 * (cli/sdkStartup.ts), as `npm run synth` does.
 * Under tsx every `Error.stack` is mapped through source maps, and the SDK formats one per promise
 * (`debuggablePromise`) that nothing reads without PULUMI_DEBUG_PROMISE_LEAKS: with the shortcut a
 * file that synthesizes stacks uncached (test/checks/wiredEdges.test.ts, HOMELAB_TEST_CACHE=off)
 * took 6.3-6.6 s of CPU instead of 10.5-11.1 s. The shortcut changes no behaviour (its own tests:
 * test/cli/sdkStartup.test.ts); `pulumi up`'s path without it is test/project/entrypoint.test.ts's.
 * HOMELAB_SDK_SHORTCUT=0 turns it off here too.
 */
import { installSdkShortcut } from "../../cli/sdkStartup";
import { projectRoot } from "../../config/paths";

installSdkShortcut(projectRoot(__dirname));

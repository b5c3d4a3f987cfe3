// First, before any SDK module: the version-guarded SDK start-up shortcut (the synthesis of the
// promised scrape jobs loads the SDK).
import "./startup";
import { runVerify } from "./verifyRun";

// Exit codes: 0 nothing failed, 1 a check failed, 2 bad arguments or config (cli/verifyRun.ts).
runVerify(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`verify: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(2);
  },
);

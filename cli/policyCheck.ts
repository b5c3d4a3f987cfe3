// First, before any SDK module: the version-guarded SDK start-up shortcut.
import "./startup";
import { runPolicyCheck } from "./policyCheckRun";

// The process wrapper of `npm run policy:check`; the command is runPolicyCheck
// (cli/policyCheckRun.ts), which tests call in their own process. Its status is the exit status.
void runPolicyCheck(process.argv.slice(2), process).then((code) => process.exit(code));

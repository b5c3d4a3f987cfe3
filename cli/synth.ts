// First, before any SDK module: the version-guarded SDK start-up shortcut.
import "./startup";
// First, for its effect: Helm and the contract link in place (see cli/tools.ts).
import "./tools";
import { runSynth } from "./synthRun";

// The process wrapper of `npm run synth`; the command is runSynth (cli/synthRun.ts), which tests
// call in their own process. It never throws: its status is the exit status.
void runSynth(process.argv.slice(2), process).then((code) => process.exit(code));

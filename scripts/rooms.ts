/**
 * The project's top-level rooms (docs/explanation/architecture.md, "Layout"): every folder of the
 * program, the pack, the preview and the scripts, and the program's entry `index.ts` (room
 * `index`). Here, not in test/support/layout.ts, because scripts/ may import no test support: the
 * import matrix there and the environment-variable table's reads (referenceDocs.ts envReads) both
 * read this one list, so a new room is one line.
 */
export const ROOMS = [
  "contract",
  "upstream",
  "model",
  "config",
  "builders",
  "components",
  "plan",
  "apply",
  "index",
  "policy",
  "synth",
  "checks",
  "change",
  "verify",
  "cli",
  "scripts",
] as const;
export type Room = (typeof ROOMS)[number];

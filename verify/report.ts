import type { Report } from "./types";
import { describe } from "./agreeCheck";

/**
 * The report as a table for people: one line per check, detail wrapped under it; under
 * `backend-agrees`, one line per query compared, worst first, with where it comes from.
 */
export function formatReport(r: Report): string {
  const width = Math.max(...r.checks.map((c) => c.id.length));
  const lines = [`verify ${r.stack} (phase ${r.phase})`, ""];
  for (const c of r.checks) {
    lines.push(`  ${c.status.toUpperCase().padEnd(4)}  ${c.id.padEnd(width)}  ${c.detail}`);
    for (const q of c.queries ?? [])
      lines.push(`        ${q.verdict.toUpperCase().padEnd(10)}  ${describe(q)}  [${q.sources.join("; ")}]`);
  }
  // How many failed, and which, is the run's closing line (cli/verifyRun.ts): said once, there.
  return lines.join("\n") + "\n\n";
}

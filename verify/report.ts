import type { Report } from "./types";

/** The report as a table for people: one line per check, detail wrapped under it. */
export function formatReport(r: Report): string {
  const width = Math.max(...r.checks.map((c) => c.id.length));
  const lines = [`verify ${r.stack} (phase ${r.phase})`, ""];
  for (const c of r.checks)
    lines.push(`  ${c.status.toUpperCase().padEnd(4)}  ${c.id.padEnd(width)}  ${c.detail}`);
  const failed = r.checks.filter((c) => c.status === "fail").map((c) => c.id);
  lines.push(
    "",
    failed.length ? `${failed.length} check(s) failed: ${failed.join(", ")}` : "no check failed",
  );
  return lines.join("\n") + "\n";
}

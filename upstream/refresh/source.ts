/**
 * What every refresher of the reference data shares: the upstream version it reads and the files
 * it writes. A refresher reads a checkout of the component's repository (a plain directory: a
 * `git worktree`, or a `git archive` extracted) and returns the data files' whole text; the CLI
 * (upstream/refresh/cli.ts) writes them.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";

/**
 * Where a refresh command's main writes: the process's streams (its process wrapper passes
 * `process`), or a test's buffers, so a test runs the command in its own process without a node's
 * start-up. The shape of cli/io.ts's CliIo, written out here: upstream/ imports nothing of cli/.
 */
export interface RefreshIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** The upstream version a checkout holds. */
export interface Source {
  /** The release tag (`v3.6.3`, `mimir-3.0.0`, `v1.12.0`). */
  tag: string;
  /** The commit the tag points at, when known. */
  commit?: string;
}

/** The data a refresher built: files (name -> text) for upstream/<area>/data/<folder>/. */
export interface Refreshed {
  area: "engines" | "alloy" | "garage" | "operators" | "exporters";
  folder: string;
  files: Record<string, string>;
}

/**
 * The tag and commit of a git checkout's HEAD (`git describe --tags --exact-match`), or undefined
 * when the directory is no git checkout or HEAD carries no tag.
 */
export function gitSource(checkout: string): Source | undefined {
  const git = (...args: string[]) =>
    execFileSync("git", ["-C", checkout, ...args], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  try {
    // Only the checkout's own repository: not one that happens to enclose the directory.
    if (fs.realpathSync(git("rev-parse", "--show-toplevel")) !== fs.realpathSync(checkout)) return undefined;
    return { tag: git("describe", "--tags", "--exact-match", "HEAD"), commit: git("rev-parse", "HEAD") };
  } catch {
    return undefined;
  }
}

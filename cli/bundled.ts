import * as path from "path";

/**
 * The commands a user waits on, each built as one file (scripts/build.ts): `npm run synth` and
 * `npm run policy:check` run these files (package.json), and the tests that spawn a command run the
 * same ones (test/support/helpers.ts compiledCli).
 */
export const BUNDLED = ["cli/synth.ts", "cli/policyCheck.ts"] as const;

/**
 * Where the one file of a {@link BUNDLED} command goes, relative to the project root: `dist/bin/`,
 * a folder no source maps to, so tsc's one-to-one output into `dist/` (`npm run test:published`
 * runs `tsc -b`) never writes over it.
 */
export function bundleOf(file: string): string | undefined {
  return (BUNDLED as readonly string[]).includes(file)
    ? path.posix.join("dist", "bin", `${path.posix.basename(file, ".ts")}.js`)
    : undefined;
}

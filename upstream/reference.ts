import * as fs from "fs";
import * as path from "path";

/**
 * The components' reference facts (Loki's configuration keys, Mimir's configuration fields, Alloy's
 * components) live in the repository as data beside the code that reads them,
 * `upstream/<area>/data/<component>-<version>/`, each folder's README naming its upstream source
 * (repository, tag, commit, path) and `npm run refresh-reference` rebuilding it from a checkout of
 * that source (upstream/refresh/). They are read, never restated in code.
 *
 * Every reference data file is read through {@link readReferenceFile}, which records it in
 * {@link referenceFilesRead}: what the checks actually loaded, for a cache keyed on it.
 */

/** Every reference data file read so far in this process (absolute paths). */
export const referenceFilesRead = new Set<string>();

/** Raised when a check needs reference data that is not there. */
export class MissingReferenceError extends Error {}

/**
 * The checkout's root: the nearest folder above `from` holding Pulumi.yaml. The data is not
 * compiled, so the code in dist/ finds it in the sources, not beside itself.
 */
export function projectRoot(from: string = __dirname): string {
  let dir = from;
  while (!fs.existsSync(path.join(dir, "Pulumi.yaml"))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no Pulumi.yaml above ${from}: cannot find the project's reference data`);
    dir = up;
  }
  return dir;
}

/** The in-repository folder of one component's reference data: `upstream/<area>/data/<folder>`. */
export function referenceDataDir(
  area: "engines" | "alloy" | "garage" | "operators" | "exporters",
  folder: string,
): string {
  return path.join(projectRoot(), "upstream", area, "data", folder);
}

/**
 * Reads one reference data file (absolute path) and records it in {@link referenceFilesRead};
 * a missing file is a {@link MissingReferenceError} naming it and how to rebuild it.
 */
export function readReferenceFile(file: string): string;
export function readReferenceFile(file: string, encoding: null): Buffer;
export function readReferenceFile(file: string, encoding: "utf8" | null = "utf8"): string | Buffer {
  const abs = path.resolve(file);
  // Recorded found or missing: a verdict given without the file must not be reused once it appears.
  referenceFilesRead.add(abs);
  let data: string | Buffer;
  try {
    data = encoding ? fs.readFileSync(abs, encoding) : fs.readFileSync(abs);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    throw new MissingReferenceError(
      `reference data ${path.relative(projectRoot(), abs)} not found (looked in ${abs}); rebuild it with npm run refresh-reference -- <component> <path-to-upstream-checkout> (see its folder's README)`,
    );
  }
  return data;
}

/**
 * Where upstream test corpora live that stay outside the repository (Alloy's parser test files,
 * read only by tests): `HOMELAB_REFERENCE_DIR`, else `../shared/reference` beside the checkout;
 * undefined when neither exists.
 */
export function externalReferenceDir(from: string = __dirname): string | undefined {
  if (process.env.HOMELAB_REFERENCE_DIR) {
    const dir = path.resolve(process.env.HOMELAB_REFERENCE_DIR);
    if (!fs.existsSync(dir))
      throw new Error(
        `HOMELAB_REFERENCE_DIR: expected a directory holding the components' test corpora, found nothing at ${dir}`,
      );
    return dir;
  }
  const shared = path.resolve(projectRoot(from), "..", "shared", "reference");
  return fs.existsSync(shared) ? shared : undefined;
}

/** A reference data file's tab-separated rows, its blank and `#` lines left out. */
export function tsvRows(text: string): string[][] {
  return text
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => l.split("\t"));
}

/**
 * The index of each of `names` in a data file's `header` row; a column it lacks is an error naming
 * the file (`where`) and the columns it has.
 */
export function columnsOf(
  header: readonly string[] | undefined,
  names: readonly string[],
  where: string,
): number[] {
  return names.map((name) => {
    const i = header?.indexOf(name) ?? -1;
    if (i < 0) throw new Error(`${where}: expected a column ${name}, found ${(header ?? []).join(", ")}`);
    return i;
  });
}

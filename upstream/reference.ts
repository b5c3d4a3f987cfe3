import * as fs from "fs";
import * as path from "path";

/**
 * Where the components' own reference data lives: `HOMELAB_REFERENCE_DIR`, else `../shared/reference`
 * beside the checkout. The data (Alloy's parser corpus and component reference, Loki's and Mimir's
 * configuration references) is taken from each component's repository at the pinned version; each
 * folder's README names its source. It is read, never restated in code.
 */
export function referenceDir(from: string = __dirname): string | undefined {
  if (process.env.HOMELAB_REFERENCE_DIR) {
    const dir = path.resolve(process.env.HOMELAB_REFERENCE_DIR);
    if (!fs.existsSync(dir))
      throw new MissingReferenceError(
        `HOMELAB_REFERENCE_DIR: expected a directory holding the components' reference data, found nothing at ${dir}`,
      );
    return dir;
  }
  let dir = from;
  while (!fs.existsSync(path.join(dir, "Pulumi.yaml"))) {
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  const shared = path.resolve(dir, "..", "shared", "reference");
  return fs.existsSync(shared) ? shared : undefined;
}

/** Raised when a check needs reference data that is not there. */
export class MissingReferenceError extends Error {}

/**
 * Every reference file or folder asked for through {@link referencePath} in this process, found or
 * not (absolute paths): what a verdict read, so that the check cache keys it on their contents.
 */
export const referenceFilesRead = new Set<string>();

/** The path of one reference folder or file, or a clear error naming how to provide it. */
export function referencePath(...parts: string[]): string {
  const dir = referenceDir();
  const want = path.join(dir ?? "../shared/reference", ...parts);
  referenceFilesRead.add(path.resolve(want));
  if (!dir || !fs.existsSync(want))
    throw new MissingReferenceError(
      `reference data ${path.join(...parts)} not found (looked in ${want}); set HOMELAB_REFERENCE_DIR to the folder holding it (../shared/reference beside the checkout)`,
    );
  return want;
}

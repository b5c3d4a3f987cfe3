/**
 * What the Alloy and engine checks read besides the objects, for the check cache's key
 * (checks/cache.ts): kept apart from the checks so that a cached verdict loads none of them.
 */
import * as crypto from "crypto";
import * as path from "path";
import { versions } from "../model/versions";
import { alloyReferenceFile } from "../upstream/alloy/components";
import { ENGINE_REFERENCE_FILES, type Engine } from "../upstream/engines/references";
import { MissingReferenceError, readReferenceFile, referenceDataDir } from "../upstream/reference";

/** The digest of one reference data file, or "absent" (the checks then say they did not run). */
function digest(file: string): string {
  try {
    return crypto.createHash("sha256").update(readReferenceFile(file, null)).digest("hex");
  } catch (e) {
    if (!(e instanceof MissingReferenceError)) throw e;
    return "absent";
  }
}

/** What the Alloy checks read besides the objects, for the check cache's key: the reference data and the pinned Alloy. */
export function alloyCheckInputs(): string {
  return `alloy ${versions.images.alloy.tag} reference ${digest(alloyReferenceFile())}`;
}

/** What the engine checks read besides the objects, for the check cache's key: the references and the pinned images. */
export function engineCheckInputs(): string {
  return (Object.keys(ENGINE_REFERENCE_FILES) as Engine[])
    .map((engine) => {
      const file = path.join(referenceDataDir("engines", ""), ENGINE_REFERENCE_FILES[engine]);
      return `${engine} ${versions.images[engine].tag} reference ${digest(file)}`;
    })
    .join("; ");
}

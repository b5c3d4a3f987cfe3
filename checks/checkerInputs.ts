/**
 * What the Alloy and engine checks read besides the objects, for the check cache's key
 * (checks/cache.ts): kept apart from the checks so that a cached verdict loads none of them.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import { versions } from "../model/versions";
import { ALLOY_REFERENCE } from "../upstream/alloy/components";
import { ENGINE_REFERENCE_FILES, type Engine } from "../upstream/engines/references";
import { referenceDir } from "../upstream/reference";
import { vectorReferenceFile, vectorVersionOf } from "../upstream/vector/components";

/** What the Alloy checks read besides the objects, for the check cache's key: the reference data and the pinned Alloy. */
export function alloyCheckInputs(): string {
  const dir = referenceDir();
  const file = dir && `${dir}/${ALLOY_REFERENCE}/components.json`;
  const data =
    file && fs.existsSync(file)
      ? crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex")
      : "absent";
  return `alloy ${versions.images.alloy.tag} reference ${data}`;
}

/** What the engine checks read besides the objects, for the check cache's key: the references and the pinned images. */
export function engineCheckInputs(): string {
  const dir = referenceDir();
  return (Object.keys(ENGINE_REFERENCE_FILES) as Engine[])
    .map((engine) => {
      const file = dir && `${dir}/${ENGINE_REFERENCE_FILES[engine]}`;
      const data =
        file && fs.existsSync(file)
          ? crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex")
          : "absent";
      return `${engine} ${versions.images[engine].tag} reference ${data}`;
    })
    .join("; ");
}

/** What the Vector check reads besides the objects, for the check cache's key: its reference data and the pinned Vector. */
export function vectorCheckInputs(): string {
  const file = vectorReferenceFile(vectorVersionOf(versions.images.vector.tag));
  const data = fs.existsSync(file)
    ? crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex")
    : "absent";
  return `vector ${versions.images.vector.tag} reference ${data}`;
}

/**
 * A stack export file as an input (`pulumi stack export`, or `<stack>.json` of `npm run synth`):
 * read and its form checked once, for every command that reads one (`policy:check` judges it,
 * `synth --against` compares with it), so the same file is taken or refused by both, in the same
 * words. Each command leads the refusal with its own name and flag and says what it does then.
 * The rendered objects synth writes beside an export are checked here too (renderedFormProblem).
 */
import * as fs from "fs";
import * as path from "path";
import { FileReadError, readUtf8 } from "../config/readFile";
import { notJsonMessage } from "../config/jsonText";
import type { StackExport } from "./synthesize";

/** The format version of the exports read here (apitype.DeploymentSchemaVersionCurrent). */
export const EXPORT_VERSION = 3;

/** What to do about a file that is no stack export: where one comes from (no placeholder in a command). */
export const EXPORT_SOURCES =
  "give the file `pulumi stack export` writes, or a stack's .json file that `npm run synth` writes into its --out folder";

/**
 * A stack export file read, or why it is refused:
 * - `unreadable`, `not JSON`: `message` names the file (config/readFile.ts, config/jsonText.ts);
 * - `not an export`: no `deployment` object; `found` is what the file holds (a command may
 *   skip such a file found in a folder), `message` says both, `fix` where an export comes from;
 * - `bad form`: an export the pack or the change check would misread or trip over (another format
 *   version, a resource without a string `urn` or `type`); `message` names the key, the expected
 *   form and what was found, `fix` what to do when there is something to do.
 */
export type ExportFileRead =
  | { export: StackExport }
  | { refused: "unreadable" | "not JSON"; message: string }
  | { refused: "not an export"; message: string; found: string; fix: string }
  | { refused: "bad form"; message: string; fix?: string };

/** {@link ExportFileRead} of `file`: its text read as every user file is, then its form checked. */
export function readStackExport(file: string): ExportFileRead {
  let text: string;
  try {
    // A byte-order mark (Windows PowerShell's `Out-File -Encoding utf8` writes one) is taken off.
    text = readUtf8(file);
  } catch (e) {
    if (e instanceof FileReadError) return { refused: "unreadable", message: e.message };
    throw e;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // Placed and said in words: V8's message quotes the text, and an export made with
    // --show-secrets holds the stack's secrets in plain text.
    return { refused: "not JSON", message: notJsonMessage(file, text, "a stack export (JSON)") };
  }
  const form = exportForm(doc);
  // A file synth writes beside an export in its --out folder is said as what it is, with the
  // export beside it, as policy:check skips it (cli/exportFiles.ts sideFileReason).
  const side = sideFileOf(file);
  // Named only where it is: a side file copied alone has no export beside it to give.
  if ("refused" in form && form.refused === "not an export" && side)
    return {
      ...form,
      fix: fs.existsSync(side.exportFile)
        ? `it holds ${sideFileWhat(side)}: give that export instead`
        : `it holds ${sideFileWhat(side)}, which is not there; ${EXPORT_SOURCES}`,
    };
  return form;
}

/**
 * A file `npm run synth` writes beside an export (`<stack>.rendered.json`, `<stack>.adopted.json`),
 * from its name: which kind and the export it belongs to; undefined for any other file.
 */
export function sideFileOf(file: string): { kind: "rendered" | "adopted"; exportFile: string } | undefined {
  const m = /^(.*)\.(rendered|adopted)\.json$/.exec(path.basename(file));
  if (!m) return undefined;
  return { kind: m[2] as "rendered" | "adopted", exportFile: path.join(path.dirname(file), `${m[1]}.json`) };
}

/** What a {@link sideFileOf} file holds, and beside which export synth writes it. */
export function sideFileWhat(side: { kind: "rendered" | "adopted"; exportFile: string }): string {
  return side.kind === "adopted"
    ? `the imports and reads npm run synth records beside ${side.exportFile}`
    : `the rendered objects npm run synth writes beside ${side.exportFile}`;
}

/** {@link ExportFileRead} of a parsed JSON document. */
export function exportForm(doc: unknown): ExportFileRead {
  const deployment = (doc as { deployment?: unknown } | null)?.deployment;
  const isObject = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === "object" && !Array.isArray(v);
  // An empty stack's export has no `resources` key: Pulumi's apitype.DeploymentV3 writes
  // `Resources []ResourceV3 json:"resources,omitempty"`, so a missing list is no resource at all.
  if (isObject(deployment) && !("resources" in deployment))
    return exportForm({ ...(doc as object), deployment: { ...deployment, resources: [] } });
  const resources = isObject(deployment) ? deployment.resources : undefined;
  // The key is there and holds no list: what it holds is the mistake, not the keys around it.
  if (resources !== undefined && !Array.isArray(resources))
    return {
      refused: "bad form",
      message: `deployment.resources: expected the list of the stack's resources, found ${foundAsJson(resources)}`,
    };
  if (!Array.isArray(resources)) {
    const found = foundAsJson(doc);
    return {
      refused: "not an export",
      found,
      message: `not a \`pulumi stack export\` file (expected deployment.resources[], found ${found})`,
      fix: EXPORT_SOURCES,
    };
  }
  // Another format version may keep its resources elsewhere or in other fields: read as version 3,
  // it could pass with what the pack cannot see, or compare as a change that is none. An export
  // without one (a hand-made file) is read as version 3.
  const version = (doc as { version?: unknown }).version;
  if (version !== undefined && version !== EXPORT_VERSION)
    return {
      refused: "bad form",
      message: `version: expected ${EXPORT_VERSION} (the format \`pulumi stack export\` of the Pulumi CLI v3 and \`npm run synth\` write), found ${JSON.stringify(version)}`,
      fix: "export the stack again with the Pulumi CLI v3",
    };
  // Every reader finds a resource by its URN and type: a broken one is said with where and what
  // stands there, rather than an unexpected error naming none of that.
  const foundAsResource = (r: unknown) => foundWithout(r, ["urn", "type"]);
  // Every broken entry in the one message: fixing the first only to be told of the next is a run
  // per entry. At most BROKEN_SHOWN are listed; the count says how many more.
  const broken = resources.flatMap((r, i) => {
    const found = foundAsResource(r);
    return found === undefined ? [] : [{ at: i, found }];
  });
  if (broken.length === 1)
    return {
      refused: "bad form",
      message: `deployment.resources[${broken[0].at}]: expected a resource (an object with a string "urn" and "type"), found ${broken[0].found}`,
    };
  if (broken.length > 1) {
    const shown = broken.slice(0, BROKEN_SHOWN).map((b) => `[${b.at}] ${b.found}`);
    const more = broken.length - shown.length;
    return {
      refused: "bad form",
      message: `deployment.resources: ${broken.length} entries are not resources (expected an object with a string "urn" and "type"), found ${shown.join("; ")}${more > 0 ? `; and ${more} more` : ""}`,
    };
  }
  return { export: doc as StackExport };
}

/** How many broken resources an export's refusal lists by index before it counts the rest. */
const BROKEN_SHOWN = 5;

/**
 * What stands where an object with a string at each of `fields` (a dotted path: `metadata.name`)
 * should, for a message: its kind, or the first field it lacks (no value shown); undefined for such
 * an object.
 */
function foundWithout(r: unknown, fields: string[]): string | undefined {
  if (r === null) return "null";
  if (Array.isArray(r)) return "a list";
  if (typeof r !== "object") return `a ${typeof r}`;
  const at = (f: string) =>
    f.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown> | null | undefined)?.[k], r);
  const bad = fields.find((f) => typeof at(f) !== "string");
  if (bad === undefined) return undefined;
  return at(bad) === undefined ? `an object without "${bad}"` : `an object whose "${bad}" is not a string`;
}

/**
 * What a JSON document that is not of the form expected holds, for a message: a Kubernetes
 * object's kind (as `kubectl get -o json` prints), else its top-level keys (names only, never a
 * value: a value may be a secret).
 */
export function foundAsJson(doc: unknown): string {
  if (doc === null || typeof doc !== "object") return doc === null ? "null" : `a ${typeof doc}`;
  if (Array.isArray(doc)) return "a list";
  const o = doc as Record<string, unknown>;
  if (typeof o.kind === "string" && typeof o.apiVersion === "string")
    return `a Kubernetes ${JSON.stringify(o.kind)} of ${JSON.stringify(o.apiVersion)}, as \`kubectl get -o json\` prints`;
  const keys = Object.keys(o);
  if (keys.length === 0) return "an empty object";
  const shown = keys.slice(0, 5).map((k) => JSON.stringify(k));
  return `an object with the keys ${shown.join(", ")}${keys.length > 5 ? ", …" : ""}`;
}

/**
 * Why a parsed `<stack>.rendered.json` is not of the form `npm run synth` writes
 * (synth/render/types.ts RenderedFile), as `<where>: expected <form>, found <what>` (`where` left
 * out for the file as a whole), or undefined when it is. Checked as far as the pack reads it: each
 * release by its URN, and each object it rendered by its kind and name. A file of another form read
 * as one would add no object, and a violation among the objects would pass unseen.
 */
export function renderedFormProblem(doc: unknown): string | undefined {
  const releases = (doc as { releases?: unknown } | null)?.releases;
  if (doc === null || typeof doc !== "object" || Array.isArray(doc) || releases === undefined)
    return `expected an object whose "releases" is the list of releases rendered, found ${foundAsJson(doc)}`;
  // The document has the key: what it holds is the mistake, not the keys around it.
  if (!Array.isArray(releases))
    return `releases: expected the list of releases rendered, found ${foundAsJson(releases)}`;
  for (const [i, r] of releases.entries()) {
    const release = `releases[${i}]: expected a release rendered (an object with a string "resourceUrn" and an "objects" list)`;
    const found = foundWithout(r, ["resourceUrn"]);
    if (found) return `${release}, found ${found}`;
    const { objects, error } = r as { objects?: unknown; error?: unknown };
    // A release Helm could not render carries its message and no objects: synth said it.
    if (typeof error === "string") continue;
    if (!Array.isArray(objects))
      return `${release}, found an object ${objects === undefined ? "without" : "whose"} "objects"${objects === undefined ? "" : " is not a list"}`;
    for (const [j, o] of objects.entries()) {
      const bad = foundWithout(o, ["apiVersion", "kind", "metadata.name"]);
      if (bad)
        return `releases[${i}].objects[${j}]: expected a Kubernetes object (a string "apiVersion", "kind" and "metadata.name"), found ${bad}`;
    }
  }
  return undefined;
}

import * as fs from "fs";
import * as path from "path";
import type { ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from "yaml";
import { keyLocator, parseSegments, shownPath, type Segment } from "@homelab-observability/contract";
import { stackFacts } from "./budget";
import { helmOf, toRes } from "./resources";
import { parseQuantity } from "./quantity";

/*
 * The place in the stack file of a stack key a message names, under `pulumi preview --policy-pack
 * policy`. synth and policy:check place such a key themselves (synth/report.ts placeStackKeys,
 * around the pack), but under the engine nothing stands around the pack: its message goes to the
 * CLI as written, and the engine tells a policy pack neither the project's folder nor its stack
 * file (pulumi sdk/go/common/resource/plugin/analyzer_plugin.go NewPolicyAnalyzer: a Node.js pack
 * runs with the pack's folder as its working directory and root, and gets the stack and project
 * names only). So the pack looks where this checkout keeps it: the folder holding the pack (the
 * README's `--policy-pack policy` from the project folder), when its Pulumi.yaml names the
 * project the URNs name and `Pulumi.<stack>.yaml` there holds the key with the very value the pack
 * judged (the stack-info ConfigMap's record of it): a stack configured from elsewhere
 * (`--config-file`, an ESC environment, another checkout) gets no line rather than a wrong one,
 * and a published pack, with no project folder around it, none.
 */

/** A stack key as a message names it in backquotes: synth/report.ts placeStackKeys' form. */
const STACK_KEY = /`([A-Za-z][A-Za-z0-9_]*(?:\[\d+\]|\.[A-Za-z0-9_]+)+)`/g;

/** The program's own walk (config/locate.ts places config problems with it): one reading of the file. */
const { keyEntry, firstKeyEntry, walkKeyPath } = keyLocator<Node>({ isMap, isPair, isScalar, isSeq });

/** A YAML file's document, or undefined when it is missing or does not parse cleanly. */
function readYaml(file: string): { root: unknown; counter: LineCounter } | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter });
  return doc.errors.length > 0 ? undefined : { root: doc.contents, counter };
}

/** A value with its maps' keys sorted, as JSON: two values alike whatever their key order. */
function canonical(v: unknown): string {
  const sort = (x: unknown): unknown =>
    Array.isArray(x)
      ? x.map(sort)
      : x && typeof x === "object"
        ? Object.fromEntries(
            Object.keys(x)
              .sort()
              .map((k) => [k, sort((x as Record<string, unknown>)[k])]),
          )
        : x;
  return JSON.stringify(sort(v)) ?? "undefined";
}

/** The value at `segs` of a plain value, or undefined. */
function valueAt(v: unknown, segs: Segment[]): unknown {
  let cur = v;
  for (const s of segs) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[s];
  }
  return cur;
}

/**
 * Where `Pulumi.<stack>.yaml` of `projectDir` writes each stack key, as `file:line` with the file
 * named by `shown` (its path from the project folder), for a key whose value there is the one
 * `judged` gives; undefined when the folder is no project `project`'s or has no such stack file.
 */
export function stackFilePlaces(
  projectDir: string,
  stack: string,
  project: string,
  shown: (file: string) => string,
): ((key: string, judged: (segs: Segment[], written: unknown) => unknown) => string | undefined) | undefined {
  const proj = readYaml(path.join(projectDir, "Pulumi.yaml"));
  if (!proj || valueOf(keyEntry(proj.root, ["name"])?.value) !== project) return undefined;
  // Pulumi.yaml's stackConfigDir, where the CLI looks for stack files (pkg/workspace DetectProjectStackPath).
  const dir = valueOf(keyEntry(proj.root, ["stackConfigDir"])?.value);
  const file = path.join(typeof dir === "string" ? dir : "", `Pulumi.${stack}.yaml`);
  const stackFile = readYaml(path.join(projectDir, file));
  const config = stackFile && keyEntry(stackFile.root, ["config"])?.value;
  if (!stackFile || !config) return undefined;
  return (key, judged) => {
    const segs = parseSegments(key);
    const [top, ...rest] = segs;
    const first = firstKeyEntry(config, [`${project}:${String(top)}`, String(top)]);
    const found = first && walkKeyPath(first, rest);
    const start = found?.key.range?.[0];
    if (!found?.exact || start === undefined) return undefined;
    // The line is where the value the pack judged is written, or no line at all.
    const written = (found.value as { toJSON?: () => unknown } | undefined)?.toJSON?.() ?? null;
    const seen = judged(segs, written);
    // A size the pack judged as a number (a pool's memory in bytes, its cores) is the file's
    // quantity when that quantity is the number: "8Gi" is 8589934592.
    const same =
      canonical(written) === canonical(seen) ||
      (typeof seen === "number" && typeof written === "string" && parseQuantity(written) === seen);
    if (seen === undefined || !same) return undefined;
    return `${shown(path.join(projectDir, file))}:${stackFile.counter.linePos(start).line}`;
  };
}

/** A scalar node's value. */
function valueOf(node: Node | undefined): unknown {
  return node && isScalar(node) ? node.value : undefined;
}

/** `message` with each stack key it names followed by its place (`` `nodePools[0].taints` (Pulumi.lab.yaml:23) ``). */
export function placedMessage(message: string, at: (key: string) => string | undefined): string {
  return message.replace(STACK_KEY, (whole, key: string) => {
    const where = at(key);
    return where ? `${whole} (${where})` : whole;
  });
}

/**
 * `policies` as the engine runs them: each stack policy's messages with the stack keys they name
 * placed in the stack file of the project folder `projectDir` (see above). The stack and project
 * are those of the resources' URNs (`urn:pulumi:<stack>::<project>::…`), the judged values those
 * the stack-info ConfigMap records (`nodePools`). Only the engine's entry point (policy/index.ts)
 * wraps them: synth and policy:check place the keys themselves.
 */
export function withStackKeyPlaces(
  policies: (ResourceValidationPolicy | StackValidationPolicy)[],
  projectDir: string,
): (ResourceValidationPolicy | StackValidationPolicy)[] {
  return policies.map((policy) => {
    if (!("validateStack" in policy)) return policy;
    const validate = policy.validateStack;
    return {
      ...policy,
      validateStack: (args, report) => {
        let at: ((key: string) => string | undefined) | undefined | null = null;
        const place = (key: string) => {
          if (at === null) at = placerFor(args.resources, projectDir);
          return at?.(key);
        };
        const placing: ReportViolation = (message, urn, ...rest: unknown[]) =>
          (report as (...a: unknown[]) => void)(placedMessage(message, place), urn, ...rest);
        return validate(args, placing);
      },
    };
  });
}

/**
 * The places for one run over `resources` (as policies see them), each file named by `shown`
 * (default: from the project folder, where `pulumi preview` runs), or undefined when the stack
 * file cannot be known. policy:check takes its `nodePools` keys from here too: an export judged after
 * its stack file changed (a pool moved up) gets no line rather than another pool's.
 */
export function placerFor(
  resources: { type: string; urn: string; name: string; props: Record<string, any> }[],
  projectDir: string,
  shown: (file: string) => string = (f) => shownPath(f, path.resolve(projectDir)),
): ((key: string) => string | undefined) | undefined {
  const m = /^urn:pulumi:([A-Za-z0-9_.-]+)::([^:]+)::/.exec(resources[0]?.urn ?? "");
  if (!m) return undefined;
  const places = stackFilePlaces(projectDir, m[1], m[2], shown);
  if (!places) return undefined;
  const res = resources.map(toRes);
  const facts = stackFacts(res);
  // The file writes a pool's `memory`, which the record keeps as `memoryBytes`.
  const recorded = { nodePools: facts.pools?.map((p) => ({ ...p, memory: p.memoryBytes })) };
  // A chartValues override is judged in the values of the releases of its chart: one of them
  // holds the value the pack judged (the node agents' two releases both do during their handover).
  const valuesOf = (chart: string) =>
    res.flatMap((r) => {
      const helm = helmOf(r);
      return helm && helm.chart === chart ? [helm.values] : [];
    });
  return (key) =>
    places(key, (segs, written) => {
      if (segs[0] !== "chartValues") return valueAt(recorded, segs);
      const seen = valuesOf(String(segs[1])).map((v) => valueAt(v, segs.slice(2)));
      // A null override deletes the chart's key (Helm's merge), so the values hold none; a secret
      // one is ciphertext in the file, which no judged value can be compared with.
      if (written === null && seen.includes(undefined)) return null;
      if (isSecure(written)) return written;
      return seen.find((v) => canonical(v) === canonical(written)) ?? seen[0];
    });
}

/** A `secure:` value of a stack file (a secret's ciphertext), as the file's YAML reads. */
const isSecure = (v: unknown): boolean =>
  v !== null && typeof v === "object" && Object.keys(v).length === 1 && "secure" in v;

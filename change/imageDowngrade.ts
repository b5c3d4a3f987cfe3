/**
 * The `--against` warning of an update that runs an older image of a component that keeps state
 * across updates: Grafana (its database, SQLite on its claim), Loki, Mimir and VictoriaMetrics
 * (the blocks, chunks, indexes and parts they wrote to their claims and the object store). Each
 * migrates or rewrites what it keeps on start, in the newer version's format; the older one may
 * not read it. Nothing in Kubernetes, Helm or the engine refuses an older tag.
 *
 * A warning, not a refusal: what each upstream says of downgrades was not verified against its
 * documentation at the pinned versions. Grafana's upgrade guide (grafana.com/docs/grafana/v6.2/
 * installation/upgrading, the one read) says the database schema is migrated on start and that
 * this "can cause issues if you later want to downgrade", and to back grafana.db up to roll back:
 * it names a risk, not a refusal. Loki's, Mimir's and VictoriaMetrics' statements on downgrades
 * were not found; a refusal would block rollbacks their release notes may allow.
 *
 * Compared: the release tag (`v1.2.3`, a variant suffix such as `-cluster` aside) of each image of
 * a pin below, in the previous export and the new one, wherever the export names it (a release's
 * values, a raw workload's spec). A tag that is no release number is not compared.
 */
import type { ExportResource, StackExport } from "../synth/synthesize";
import { stackKeyAt, type OverridePlace } from "../config/locate";
import { exportImageMirrors, overrideKey } from "../synth/report";
import { imageRefsIn, pinOf } from "../checks/imageDigests";
import { pinPlace } from "../config/chartPins";
import { parseImage } from "@homelab-observability/contract";
import { versions } from "../model/versions";
import { RELEASE_TYPE } from "../model/names";
import { plainValue } from "./describe";

/** The pins of components that keep state: the component, and what an older version of it would meet. */
const STATEFUL: Partial<Record<keyof typeof versions.images, { name: string; meets: string }>> = {
  grafana: {
    name: "Grafana",
    meets:
      "Grafana migrates its database (SQLite on its claim) to the newer schema on start, and an older Grafana may fail on it or lose what the newer one wrote; back up grafana.db first",
  },
  loki: {
    name: "Loki",
    meets:
      "Loki's index and chunks in the object store and its write-ahead log on the claims were written by the newer version, which an older one may not read",
  },
  mimir: {
    name: "Mimir",
    meets:
      "Mimir's blocks in the object store and its write-ahead log on the claims were written by the newer version, which an older one may not read",
  },
  victoriaMetrics: {
    name: "VictoriaMetrics",
    meets:
      "VictoriaMetrics' data parts and indexes on its claim were written by the newer version, which an older one may not read",
  },
  vmstorage: {
    name: "VictoriaMetrics",
    meets:
      "vmstorage's data parts and indexes on its claims were written by the newer version, which an older one may not read",
  },
};

/** `[major, minor, patch]` of a release tag (`v1.144.0-cluster`), or undefined for another tag. */
function release(tag: string): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z.-]+)?$/.exec(tag);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/** Whether release `a` is older than `b`. */
function older(a: [number, number, number], b: [number, number, number]): boolean {
  const i = a.findIndex((x, j) => x !== b[j]);
  return i >= 0 && a[i] < b[i];
}

/** One image of a stateful pin in an export: its tag and the field that sets it. */
interface StatefulImage {
  pin: keyof typeof versions.images;
  tag: string;
  /** The `chartValues` key that holds its tag (a release's values), else undefined (a raw workload). */
  key?: string;
}

/** The images of the stateful pins an export runs, by pin (the first place of each). */
function statefulImages(exp: StackExport): Map<string, StatefulImage> {
  const out = new Map<string, StatefulImage>();
  // The export's registry mirrors (its stack-info ConfigMap): a pin named through one is that pin.
  const mirrors = exportImageMirrors(exp.deployment.resources);
  const add = (r: ExportResource) => {
    const release = r.type === RELEASE_TYPE;
    const values = release ? plainValue(r.inputs?.values) : undefined;
    const found = release ? imageRefsIn(values ?? {}, "") : imageRefsIn(plainValue(r.inputs) ?? {}, "");
    for (const f of found) {
      const pin = pinOf(f.ref, mirrors)?.[0] as keyof typeof versions.images | undefined;
      if (!pin || !STATEFUL[pin] || out.has(pin)) continue;
      const chart = String(r.inputs?.chart ?? "");
      out.set(pin, {
        pin,
        tag: parseImage(f.ref).tag,
        ...(release && chart ? { key: overrideKey(chart, f.tagPath, values, "chartValues") } : {}),
      });
    }
  };
  exp.deployment.resources.forEach(add);
  return out;
}

/** A warning line for the stack-wide change, as the tenant verdicts' warnings. */
export interface ImageDowngradeVerdict {
  line: string;
  refused: false;
}

/**
 * One warning per stateful pin whose release tag in `next` is older than in `previous`, naming the
 * key that sets the new tag (the stack file's `chartValues` override where it writes one, else the
 * pin in model/versions.ts, with their lines), both tags and what the older version meets.
 */
export function imageDowngradeVerdicts(
  previous: StackExport,
  next: StackExport,
  at?: OverridePlace,
): ImageDowngradeVerdict[] {
  const [was, now] = [statefulImages(previous), statefulImages(next)];
  const out: ImageDowngradeVerdict[] = [];
  // In model/versions.ts order, whatever the order of the export's resources.
  for (const pin of Object.keys(versions.images)) {
    const [before, is] = [was.get(pin), now.get(pin)];
    if (!is) continue;
    const [from, to] = [before && release(before.tag), release(is.tag)];
    if (!before || !from || !to || !older(to, from)) continue;
    const key = is.key && at?.(is.key) ? stackKeyAt(is.key, at) : `images.${pin}.tag (${pinPlace(pin)})`;
    const { name, meets } = STATEFUL[pin as keyof typeof versions.images]!;
    out.push({
      line: `WARNING ${pin} image downgraded ${before.tag} -> ${is.tag}: ${key} sets ${is.tag} where ${before.tag} ran. ${meets}. Keep ${before.tag} or later unless ${name}'s release notes say going back to ${is.tag} is safe`,
      refused: false,
    });
  }
  return out;
}

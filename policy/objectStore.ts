import type { StackValidationPolicy } from "@pulumi/policy";
import { isSecretEnvelope } from "@homelab-observability/contract";
import type { Level } from "./lib/config";
import { label, toRes, type Res } from "./lib/resources";

/**
 * Least privilege on the object store, judged from the grants the stack declares: no bucket is
 * granted to two keys (then one component could read another's objects), no grant reaches every
 * bucket, and no Garage key owns a bucket (owner changes a bucket's settings and grants; Loki and
 * Mimir need read and write). What it reads:
 * - Garage: the program's grants (`pulumi-nodejs:dynamic/garage:Grant`: bucket, keyName,
 *   permissions), components/objectstore/garage.ts;
 * - MinIO: each user's policy (`minio:index/iamPolicy:IamPolicy`, its `policy` JSON: the buckets of
 *   its `arn:aws:s3:::<bucket>` resources), builders/objectstore/bucketPolicy.ts.
 * The values a live preview sees are the ones checked: names and bucket lists are plain inputs.
 */
export const GARAGE_GRANT_TYPE = "pulumi-nodejs:dynamic/garage:Grant";
export const MINIO_POLICY_TYPE = "minio:index/iamPolicy:IamPolicy";

/** A key's access to one bucket, with where the stack says so. */
interface Access {
  key: string;
  bucket: string;
  res: Res;
}

/** The secret envelope Pulumi puts around a value (a preview may hand one): its plain value, if any. */
function plain(v: unknown): unknown {
  return isSecretEnvelope(v) ? (v as { value?: unknown }).value : v;
}

/** A plain text value, or "" for anything else (an unknown value in a preview). */
function text(v: unknown): string {
  const p = plain(v);
  return typeof p === "string" ? p : "";
}

/** Each key's buckets and what is wrong with a single grant (a wildcard, an owner). */
export function objectStoreGrants(resources: Res[]): { access: Access[]; problems: string[] } {
  const access: Access[] = [];
  const problems: string[] = [];
  for (const r of resources) {
    if (r.type === GARAGE_GRANT_TYPE) {
      const p = r.props;
      const perms = (plain(p.permissions) ?? {}) as Record<string, unknown>;
      const key = text(p.keyName);
      const bucket = text(p.bucket);
      if (perms.owner === true)
        problems.push(
          `${label(r)}: grants key "${key}" owner on bucket "${bucket}"; Loki and Mimir need read and write only`,
        );
      if (perms.read === true || perms.write === true || perms.owner === true)
        access.push({ key, bucket, res: r });
    } else if (r.type === MINIO_POLICY_TYPE) {
      const policy = plain(r.props.policy);
      if (typeof policy !== "string") continue;
      let doc: { Statement?: { Effect?: string; Resource?: string | string[] }[] };
      try {
        doc = JSON.parse(policy);
      } catch {
        continue;
      }
      const key = text(r.props.name) || r.name;
      for (const st of doc.Statement ?? []) {
        if (st.Effect !== "Allow") continue;
        for (const arn of ([] as string[]).concat(st.Resource ?? [])) {
          const m = /^arn:aws:s3:::([^/]*)/.exec(arn);
          const bucket = m ? m[1] : arn;
          if (bucket === "*" || bucket.includes("*") || arn === "*") {
            problems.push(
              `${label(r)}: policy "${key}" allows ${arn}: every bucket of the store, other components' included`,
            );
            continue;
          }
          if (!access.some((a) => a.key === key && a.bucket === bucket && a.res === r))
            access.push({ key, bucket, res: r });
        }
      }
    }
  }
  return { access, problems };
}

/** Every least-privilege problem of the stack's object-store grants. */
export function leastPrivilegeProblems(resources: Res[]): string[] {
  const { access, problems } = objectStoreGrants(resources);
  const byBucket = new Map<string, Access[]>();
  for (const a of access) byBucket.set(a.bucket, [...(byBucket.get(a.bucket) ?? []), a]);
  for (const [bucket, grants] of byBucket) {
    const keys = [...new Set(grants.map((g) => g.key))];
    if (keys.length > 1)
      problems.push(
        `bucket "${bucket}" is granted to ${keys.length} keys (${keys.map((k) => `"${k}"`).join(", ")}: ${grants.map((g) => label(g.res)).join(", ")}); each component's key must reach its own buckets only`,
      );
  }
  return problems;
}

export function objectStoreLeastPrivilege(level: Level = "mandatory"): StackValidationPolicy {
  return {
    name: "object-store-least-privilege",
    description:
      "No object-store key can read another component's bucket: no bucket granted to two keys, no wildcard bucket, no Garage owner grant.",
    enforcementLevel: level,
    validateStack: (args, report) => {
      for (const p of leastPrivilegeProblems(args.resources.map(toRes))) report(p);
    },
  };
}

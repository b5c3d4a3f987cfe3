import * as pulumi from "@pulumi/pulumi";
import { listObjectsUrl, parseListObjectsV2, signS3 } from "../../builders/objectstore/s3Signature";
import { answeredRegion, garageNoLayoutHint } from "../../builders/objectstore/garageAnswers";

/**
 * Garage's buckets, access keys and grants as Pulumi resources: a dynamic provider over Garage's
 * admin API v2 (Deuxfleurs/garage v2.0.0, the document in upstream/garage/data/). No maintained
 * Pulumi provider for Garage exists (docs/explanation/object-stores.md says why this one).
 *
 * The provider keeps Pulumi's contract: `read` asks Garage (a bucket, key or grant changed or
 * removed outside the stack shows as drift, or as gone); `diff` names what replaces (a bucket's
 * alias, a grant's bucket or key) and what only updates; deleting a bucket that still holds
 * objects is refused unless the stack asks for it; `import` takes a bucket by its name and a key
 * by its access key ID. The admin token is an input (a Pulumi secret, so encrypted in state) and
 * appears in no message.
 *
 * Every body sent and read is one of the admin API's schemas: the tests validate each against the
 * document.
 *
 * Each operation makes the fewest admin calls that keep this contract, because Garage checks the
 * admin token with Argon2 on every call (src/api/admin/api_server.rs `verify_authorization`):
 * about 15 ms of server CPU each where the tests run, more on a Raspberry Pi. What a change answers
 * is used rather than asked again (CreateBucket, AllowBucketKey and DenyBucketKey answer the bucket
 * as it is after the change), and deleting a key or a grant lets Garage's 404 say "already gone"
 * instead of looking first. test/objectstore/garageAdminApi.test.ts holds the calls of each
 * operation.
 *
 * The module needs nothing but `fetch` at run time: Pulumi serializes the provider into
 * the state and runs it from there.
 */

/** Where and how the program reaches Garage's admin API. */
export interface GarageAdmin {
  /** The admin API's URL as seen from where Pulumi runs (`objectStore.adminEndpoint`). */
  endpoint: string;
  /** The admin token (a bearer token Garage checks against `admin.admin_token`). */
  token: string;
}

/** A Garage admin API error, with the status and Garage's own message; never the token. */
export class GarageApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One admin API v2 call: `GET|POST /v2/<Operation>?<query>` with a JSON body, bearer token.
 * Garage answers errors as `{"code", "message", "region", "path"}` (src/api/admin/error.rs).
 */
export async function garageCall<T>(
  admin: GarageAdmin,
  method: "GET" | "POST",
  operation: string,
  query: Record<string, string> = {},
  body?: unknown,
): Promise<T> {
  const u = new URL(`${admin.endpoint.replace(/\/+$/, "")}/v2/${operation}`);
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
  let res: Response;
  try {
    res = await fetch(u, {
      method,
      headers: {
        authorization: `Bearer ${admin.token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (e) {
    throw new Error(
      `Garage admin API at ${admin.endpoint} (objectStore.adminEndpoint) did not answer ${operation}: ${(e as Error).message}`,
    );
  }
  const text = await res.text();
  if (!res.ok) {
    let code = "";
    let message = text.slice(0, 300);
    try {
      const j = JSON.parse(text) as { code?: string; message?: string };
      code = j.code ?? "";
      message = j.message ?? message;
    } catch {
      // not JSON: the text itself
    }
    const hint =
      res.status === 401 || res.status === 403
        ? " (the admin token was refused: check garageAdminToken or the 1Password item)"
        : garageNoLayoutHint(res.status, text);
    throw new GarageApiError(
      res.status,
      code,
      `Garage ${operation}: ${res.status} ${code} ${message}${hint}`,
    );
  }
  return (text === "" ? undefined : JSON.parse(text)) as T;
}

/** GetBucketInfo's answer (the fields read). */
export interface BucketInfo {
  id: string;
  globalAliases: string[];
  objects: number;
  bytes: number;
  unfinishedUploads: number;
  keys: { accessKeyId: string; name: string; permissions: Permissions }[];
}
/** A key's permissions on one bucket (ApiBucketKeyPerm). */
export interface Permissions {
  read?: boolean;
  write?: boolean;
  owner?: boolean;
}

const PERMISSIONS = ["read", "write", "owner"] as const;

/** Whether Garage answered that the bucket or key asked for is not there (NoSuchBucket, NoSuchAccessKey). */
const notFound = (e: unknown): boolean => e instanceof GarageApiError && e.status === 404;

/** The bucket whose global alias is `alias`, or undefined when Garage has none. */
export async function bucketByAlias(admin: GarageAdmin, alias: string): Promise<BucketInfo | undefined> {
  try {
    return await garageCall<BucketInfo>(admin, "GET", "GetBucketInfo", { globalAlias: alias });
  } catch (e) {
    if (notFound(e)) return undefined;
    throw e;
  }
}

/** The bucket whose ID is `id`, or undefined. */
async function bucketById(admin: GarageAdmin, id: string): Promise<BucketInfo | undefined> {
  try {
    return await garageCall<BucketInfo>(admin, "GET", "GetBucketInfo", { id });
  } catch (e) {
    if (notFound(e)) return undefined;
    throw e;
  }
}

// ---- buckets ----

/** A bucket's inputs. */
export interface BucketInputs {
  admin: GarageAdmin;
  /** The bucket's global alias: its S3 name, and its Pulumi ID. */
  name: string;
  /** Delete it with its objects when the stack removes it (`objectStore.deleteNonEmptyBuckets`). */
  deleteNonEmpty: boolean;
  /** S3 endpoint from where Pulumi runs, to empty it with a short-lived key before a delete. */
  s3Endpoint: string;
  /** Garage's s3_region, which signs that emptying, and Loki's and Mimir's requests. */
  region: string;
  /**
   * How a refusal names the config key `region` comes from, with its place in the stack file
   * (`objectStore.region (Pulumi.staging.yaml:14)`). Default: `objectStore.region`.
   */
  regionKey?: string;
}
/** A bucket's outputs: its inputs and what Garage reports. */
export interface BucketOutputs extends BucketInputs {
  bucketId: string;
  objects: number;
  bytes: number;
}

const bucketOuts = (inputs: BucketInputs, info: BucketInfo): BucketOutputs => ({
  ...inputs,
  bucketId: info.id,
  objects: info.objects,
  bytes: info.bytes,
});

/** Connection settings: a change updates the state, never the object in Garage. */
const CONNECTION = ["admin", "s3Endpoint", "region", "deleteNonEmpty"] as const;

/** Which of `keys` differ between the old outputs and the new inputs. */
function changed<T extends object>(olds: T, news: T, keys: readonly (keyof T)[]): string[] {
  return keys.filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k])).map(String);
}

/**
 * Each endpoint's answer, asked once per provider process: the engine checks one resource at a
 * time (pulumi/pulumi 1b594989 pkg/resource/deploy/step_generator.go `generateSteps` calls the
 * provider's Check from the deployment executor's one event loop, deployment_executor.go
 * `handleSingleEvent`), and every bucket of a stack has the same endpoint, so a Garage that never
 * answers would otherwise hold a preview up to 10 s per bucket. The dynamic provider deserializes
 * the provider once per process (@pulumi/pulumi 3.270.0 cmd/dynamic-provider/index.js
 * `getProvider`, its `providerCache`), so every bucket's check reads this one object. A plain
 * object: the closure serializer writes it as `{}`.
 */
const servedRegions: Record<string, Promise<string | undefined>> = {};

/**
 * The region Garage serves, read from an admin API answer: every error answer names it (v2.0.0
 * src/api/admin/api_server.rs `run` hands `s3_api.s3_region` to the error bodies), and a call
 * without a token is refused before Garage hashes anything (`verify_authorization`: no header, no
 * Argon2), so asking costs Garage nothing and needs no secret. Undefined when Garage is not reached
 * or names no region: the calls that follow report an unreachable endpoint in their own words.
 * Asked once per endpoint ({@link servedRegions}).
 */
function servedRegion(endpoint: string): Promise<string | undefined> {
  servedRegions[endpoint] ??= askedRegion(endpoint);
  return servedRegions[endpoint];
}

async function askedRegion(endpoint: string): Promise<string | undefined> {
  try {
    const res = await fetch(`${endpoint.replace(/\/+$/, "")}/v2/GetClusterHealth`, {
      signal: AbortSignal.timeout(10_000),
    });
    return answeredRegion(await res.text());
  } catch {
    return undefined;
  }
}

export const bucketProvider: pulumi.dynamic.ResourceProvider<BucketInputs, BucketOutputs> = {
  /**
   * Refuses, in every preview and update before anything changes, a region Garage does not serve:
   * Garage refuses each request signed for another (400 AuthorizationHeaderMalformed, "unexpected
   * scope", v2.0.0 src/api/common/signature/payload.rs `verify_v4`), so Loki and Mimir would start
   * and neither write nor read. A MinIO store's region left in the stack file after the switch is
   * the usual way there (MinIO's default is "us-east-1", Garage's examples say "garage").
   */
  async check(_olds, news) {
    const endpoint = (news.admin as Partial<GarageAdmin> | undefined)?.endpoint;
    const served = typeof endpoint === "string" ? await servedRegion(endpoint) : undefined;
    if (served === undefined || typeof news.region !== "string" || news.region === served)
      return { inputs: news };
    const key = news.regionKey ?? "objectStore.region";
    return {
      inputs: news,
      failures: [
        {
          property: "region",
          reason: `${key}: expected the region Garage at ${endpoint} serves, "${served}" (its garage.toml's [s3_api] s3_region, as its admin API answers), got "${news.region}": Garage refuses every request signed for another region (400 AuthorizationHeaderMalformed), so Loki and Mimir could neither write nor read; set objectStore.region: ${JSON.stringify(served)}`,
        },
      ],
    };
  },
  async create(inputs) {
    // One call: CreateBucket itself refuses an alias Garage already has (409 BucketAlreadyExists,
    // src/api/admin/bucket.rs) and answers the new bucket. Only that refusal reads the bucket
    // there, for the message.
    try {
      const info = await garageCall<BucketInfo>(
        inputs.admin,
        "POST",
        "CreateBucket",
        {},
        { globalAlias: inputs.name },
      );
      return { id: inputs.name, outs: bucketOuts(inputs, info) };
    } catch (e) {
      const taken = e instanceof GarageApiError && e.code === "BucketAlreadyExists";
      const existing = taken ? await bucketByAlias(inputs.admin, inputs.name) : undefined;
      if (!existing) throw e;
      throw new Error(
        `Garage already has a bucket "${inputs.name}" (id ${existing.id}, ${existing.objects} objects) that this stack did not create: list it in existing.buckets to import it, or choose another objectStore.bucketPrefix`,
      );
    }
  },
  async read(id, props) {
    if (!props) throw new Error(`Garage bucket "${id}": importing needs the stack's inputs`);
    const info = await bucketByAlias(props.admin, id);
    // Gone (deleted or renamed outside the stack): Pulumi drops it from the state on refresh.
    if (!info) return {};
    return { id, props: bucketOuts({ ...props, name: id }, info) };
  },
  diff(_id, olds, news) {
    const replaces = changed(olds, news, ["name"]);
    const changes = replaces.length > 0 || changed(olds, news, CONNECTION).length > 0;
    return Promise.resolve({ changes, replaces, deleteBeforeReplace: false });
  },
  async update(_id, _olds, news) {
    const info = await bucketByAlias(news.admin, news.name);
    if (!info) throw new Error(`Garage bucket "${news.name}" is gone; run \`pulumi refresh\` to recreate it`);
    return { outs: bucketOuts(news, info) };
  },
  async delete(id, props) {
    const info = await bucketByAlias(props.admin, id);
    if (!info) return;
    const holds = info.objects + info.unfinishedUploads;
    if (holds > 0 && !props.deleteNonEmpty)
      throw new Error(
        `refusing to delete Garage bucket "${id}": it holds ${info.objects} objects (${info.bytes} bytes) and ${info.unfinishedUploads} unfinished uploads. Keep it in the stack, or set objectStore.deleteNonEmptyBuckets: true to delete it with its objects`,
      );
    if (holds > 0) await emptyBucket(props, info);
    await garageCall(props.admin, "POST", "DeleteBucket", { id: info.id });
  },
};

/**
 * Deletes every object of a bucket through S3 with a key that exists only for this: created,
 * granted read and write on this bucket alone, deleted afterwards (also on failure). Unfinished
 * multipart uploads are aborted through the admin API (CleanupIncompleteUploads, older than 0 s).
 */
async function emptyBucket(props: BucketOutputs, info: BucketInfo): Promise<void> {
  const admin = props.admin;
  const key = await garageCall<{ accessKeyId: string; secretAccessKey: string }>(
    admin,
    "POST",
    "CreateKey",
    {},
    { name: `pulumi-empty-${props.name}`.slice(0, 100) },
  );
  try {
    await garageCall(
      admin,
      "POST",
      "AllowBucketKey",
      {},
      {
        bucketId: info.id,
        accessKeyId: key.accessKeyId,
        permissions: { read: true, write: true, owner: false },
      },
    );
    const creds = { accessKey: key.accessKeyId, secretKey: key.secretAccessKey, region: props.region };
    for (let token: string | undefined, pages = 0; pages < 100_000; pages++) {
      const url = listObjectsUrl(props.s3Endpoint, props.name, token);
      const res = await fetch(url, { headers: signS3({ method: "GET", url, now: new Date(), ...creds }) });
      const page = parseListObjectsV2(await res.text());
      for (const o of page.objects) {
        const objectUrl = `${props.s3Endpoint.replace(/\/+$/, "")}/${encodeURIComponent(props.name)}/${o.key
          .split("/")
          .map(encodeURIComponent)
          .join("/")}`;
        const del = await fetch(objectUrl, {
          method: "DELETE",
          headers: signS3({ method: "DELETE", url: objectUrl, now: new Date(), ...creds }),
        });
        if (!del.ok) throw new Error(`emptying "${props.name}": DELETE ${o.key} answered ${del.status}`);
      }
      token = page.nextToken;
      if (token === undefined) break;
    }
    if (info.unfinishedUploads > 0)
      await garageCall(
        admin,
        "POST",
        "CleanupIncompleteUploads",
        {},
        { bucketId: info.id, olderThanSecs: 0 },
      );
  } finally {
    await garageCall(admin, "POST", "DeleteKey", { id: key.accessKeyId });
  }
}

// ---- access keys ----

/** An access key's inputs. */
export interface KeyInputs {
  admin: GarageAdmin;
  /** The key's name in Garage (the stack's user name for the consumer, e.g. "staging-loki"). */
  name: string;
  /**
   * A key made outside the stack (`objectStore.existingKeys`): the stack key that names it, with its
   * place in the stack file, and the buckets of its consumer (those it uses and keeps), the only
   * ones it may hold a grant on when it is imported. Absent for a key the stack makes.
   */
  imported?: { key: string; consumer: string; buckets: string[] };
}
/** An access key's outputs. */
export interface KeyOutputs extends KeyInputs {
  accessKeyId: string;
  secretAccessKey: string;
}
/** GetKeyInfo's answer (the fields read). */
interface KeyInfo {
  accessKeyId: string;
  name: string;
  secretAccessKey?: string | null;
  /** What the key may do beside its grants (KeyPerm): create buckets. Absent in CreateKey's answer. */
  permissions?: { createBucket?: boolean };
  /** Each bucket it holds a grant or a local alias on (KeyInfoBucketResponse). Absent in CreateKey's answer. */
  buckets?: { id: string; globalAliases: string[]; localAliases: string[]; permissions: Permissions }[];
}

/**
 * Why an imported key reaches more than its consumer's buckets, or undefined when it does not.
 * Garage keeps every grant and the right to create buckets a key already has: importing it grants
 * it the consumer's buckets and takes nothing away, so a key that reads or writes another bucket
 * (another component's, or one outside the stack) would make the stack's promise false, a key per
 * component that reaches its own buckets only (docs/explanation/object-stores.md). GetKeyInfo
 * answers every bucket the key has a grant or a local alias on, each with its permissions, and the
 * key's own createBucket (v2.0.0 src/api/admin/key.rs:183-265 `key_info_results`); a bucket listed
 * for its alias alone, or whose grant was denied, holds no permission and is no grant. Each grant
 * is named with the command that revokes it: `garage bucket deny` takes the bucket's global alias
 * or its ID (src/garage/cli/structs.rs:335-356 PermBucketOpt, src/garage/cli/remote/bucket.rs:254-281
 * through GetBucketInfo's `search`, src/api/admin/bucket.rs:94-107), and `garage key deny
 * --create-bucket` the key (structs.rs:419-424, :496-504). Read at the v2.0.0 tag.
 */
export function importedKeyReach(
  key: KeyInfo,
  imported: NonNullable<KeyInputs["imported"]>,
): string | undefined {
  const own = new Set(imported.buckets);
  const found: string[] = [];
  const revoke: string[] = [];
  // Garage answers them in no set order (a HashMap's, key.rs:188): by name, so a message says the same each time.
  const named = (b: { id: string; globalAliases: string[]; localAliases: string[] }) =>
    b.globalAliases[0] ?? b.localAliases[0] ?? b.id;
  const buckets = [...(key.buckets ?? [])].sort((a, b) => named(a).localeCompare(named(b)));
  const unalias: string[] = [];
  for (const b of buckets) {
    // A local alias under one of the consumer's bucket names on another bucket: S3 resolves the
    // key's local alias before the global name (v2.0.0 src/model/helper/bucket.rs:84-104
    // resolve_bucket_fast), so the consumer's requests would go to that bucket, not its own.
    for (const a of b.localAliases.filter((l) => own.has(l) && !b.globalAliases.includes(l))) {
      const on = b.globalAliases[0] ? `"${b.globalAliases[0]}" (bucket ${b.id})` : `bucket ${b.id}`;
      found.push(
        `the local alias "${a}" on ${on}, which S3 requests with this key reach instead of the bucket "${a}"`,
      );
      // structs.rs:325-333 UnaliasBucketOpt; remote/bucket.rs:170-196 finds it among the key's local aliases.
      unalias.push(`garage bucket unalias --local ${key.accessKeyId} ${a}`);
    }
    const held = PERMISSIONS.filter((p) => b.permissions[p] === true);
    if (held.length === 0 || b.globalAliases.some((a) => own.has(a))) continue;
    const alias = b.globalAliases[0] ?? b.localAliases[0];
    found.push(`${held.join(", ")} on ${alias ? `"${alias}" (bucket ${b.id})` : `bucket ${b.id}`}`);
    revoke.push(
      `garage bucket deny ${held.map((p) => `--${p}`).join(" ")} ${b.globalAliases[0] ?? b.id} --key ${key.accessKeyId}`,
    );
  }
  if (key.permissions?.createBucket === true) {
    found.push("the right to create buckets");
    revoke.push(`garage key deny --create-bucket ${key.accessKeyId}`);
  }
  if (found.length === 0) return undefined;
  const ownNames = imported.buckets.map((b) => `"${b}"`).join(", ");
  const commands = [...unalias, ...revoke].map((c) => `\`${c}\``).join(", ");
  // Garage refuses to remove a bucket's last alias (src/model/helper/locked.rs:278-311
  // unset_local_bucket_alias); another alias first keeps the bucket (structs.rs:312-323 AliasBucketOpt).
  const last =
    unalias.length === 0
      ? ""
      : "; Garage removes no bucket's last alias: give it another first, `garage bucket alias <bucket ID> <name>`";
  return `${imported.key}: expected a Garage access key that holds grants on ${imported.consumer}'s buckets only (${ownNames}), got key ${key.accessKeyId} holding ${found.join("; ")}: the stack keeps every permission an imported key has, so ${imported.consumer} would reach buckets beyond its own; revoke them (${commands}${last}) and import it again, or name another key`;
}

/** Whether Garage answered that the key asked for by its ID is not there (404 NoSuchAccessKey, or 400). */
const keyGone = (e: unknown): boolean =>
  e instanceof GarageApiError && (e.status === 404 || e.status === 400);

async function keyById(admin: GarageAdmin, id: string): Promise<KeyInfo | undefined> {
  try {
    return await garageCall<KeyInfo>(admin, "GET", "GetKeyInfo", { id, showSecretKey: "true" });
  } catch (e) {
    if (keyGone(e)) return undefined;
    throw e;
  }
}

export const keyProvider: pulumi.dynamic.ResourceProvider<KeyInputs, KeyOutputs> = {
  async create(inputs) {
    // Garage lets two keys share a name; one made outside the stack under this name is refused,
    // so the stack never hands out a second key beside one an operator already uses. ListKeys, not
    // GetKeyInfo's `search`: that matches a name without case or an ID prefix too and answers 400
    // for none as for several (src/api/admin/key.rs), and it would be a call all the same.
    const keys = await garageCall<{ id: string; name: string }[]>(inputs.admin, "GET", "ListKeys");
    const same = keys.find((k) => k.name === inputs.name);
    if (same)
      throw new Error(
        `Garage already has an access key named "${inputs.name}" (${same.id}) that this stack did not create: name it in objectStore.existingKeys to import it, or delete it`,
      );
    const key = await garageCall<KeyInfo>(inputs.admin, "POST", "CreateKey", {}, { name: inputs.name });
    return {
      id: key.accessKeyId,
      outs: { ...inputs, accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey ?? "" },
    };
  },
  async read(id, props) {
    if (!props) throw new Error(`Garage key "${id}": importing needs the stack's inputs`);
    const key = await keyById(props.admin, id);
    if (!key) return {};
    // An import (the state has no key yet, so no accessKeyId): GetKeyInfo's answer, already had,
    // says what else the key reaches. Not on a refresh: the stack judged the key when it took it.
    const reach = props.imported && props.accessKeyId === undefined && importedKeyReach(key, props.imported);
    if (reach) throw new Error(reach);
    return {
      id,
      props: {
        ...props,
        name: key.name,
        accessKeyId: key.accessKeyId,
        secretAccessKey: key.secretAccessKey ?? "",
      },
    };
  },
  diff(_id, olds, news) {
    return Promise.resolve({ changes: changed(olds, news, ["name", "admin"]).length > 0, replaces: [] });
  },
  async update(id, olds, news) {
    if (olds.name !== news.name)
      await garageCall(news.admin, "POST", "UpdateKey", { id }, { name: news.name });
    return { outs: { ...olds, ...news } };
  },
  async delete(id, props) {
    // DeleteKey answers 404 for a key already gone: nothing to look up first. Its 400
    // (InvalidRequest: an empty ID, a state that lost it) is no key gone but a delete not done,
    // said rather than dropped from the state with the key maybe still there.
    try {
      await garageCall(props.admin, "POST", "DeleteKey", { id });
    } catch (e) {
      if (!notFound(e)) throw e;
    }
  },
};

// ---- grants ----

/** A grant's inputs: one key's permissions on one bucket. */
export interface GrantInputs {
  admin: GarageAdmin;
  /** The bucket's name (global alias). */
  bucket: string;
  /** The bucket's Garage ID. */
  bucketId: string;
  /** The key's name (the consumer's user), which the least-privilege check reads. */
  keyName: string;
  accessKeyId: string;
  permissions: { read: boolean; write: boolean; owner: boolean };
}
export type GrantOutputs = GrantInputs;

/**
 * Sets a key's permissions on a bucket to exactly `wanted`: allows what is wanted, denies the rest.
 * AllowBucketKey answers the bucket as it is after the change (AllowBucketKeyResponse is
 * GetBucketInfoResponse), so DenyBucketKey is sent only when that answer shows the key still holding
 * a permission not wanted (a new grant's key holds none) or when nothing is allowed.
 */
async function setPermissions(inputs: GrantInputs, wanted: GrantInputs["permissions"]): Promise<void> {
  const allow = Object.fromEntries(PERMISSIONS.map((p) => [p, wanted[p]]));
  const deny = Object.fromEntries(PERMISSIONS.map((p) => [p, !wanted[p]]));
  const target = { bucketId: inputs.bucketId, accessKeyId: inputs.accessKeyId };
  if (PERMISSIONS.some((p) => wanted[p])) {
    const after = await garageCall<BucketInfo>(
      inputs.admin,
      "POST",
      "AllowBucketKey",
      {},
      { ...target, permissions: allow },
    );
    const held = after.keys.find((k) => k.accessKeyId === inputs.accessKeyId)?.permissions;
    if (held && !PERMISSIONS.some((p) => !wanted[p] && held[p] === true)) return;
  }
  if (PERMISSIONS.some((p) => !wanted[p]))
    await garageCall(inputs.admin, "POST", "DenyBucketKey", {}, { ...target, permissions: deny });
}

export const grantProvider: pulumi.dynamic.ResourceProvider<GrantInputs, GrantOutputs> = {
  async create(inputs) {
    await setPermissions(inputs, inputs.permissions);
    return { id: `${inputs.bucket}/${inputs.accessKeyId}`, outs: inputs };
  },
  async read(id, props) {
    if (!props) throw new Error(`Garage grant "${id}": importing needs the stack's inputs`);
    const info = await bucketById(props.admin, props.bucketId);
    const key = info?.keys.find((k) => k.accessKeyId === props.accessKeyId);
    const p = key?.permissions ?? {};
    const now = { read: p.read === true, write: p.write === true, owner: p.owner === true };
    if (!PERMISSIONS.some((x) => now[x])) return {};
    // Drift: permissions changed outside the stack come back as they are; the next update resets them.
    return { id, props: { ...props, permissions: now } };
  },
  diff(_id, olds, news) {
    const replaces = changed(olds, news, ["bucketId", "accessKeyId", "bucket"]);
    const changes =
      replaces.length > 0 || changed(olds, news, ["permissions", "admin", "keyName"]).length > 0;
    return Promise.resolve({ changes, replaces, deleteBeforeReplace: true });
  },
  async update(_id, _olds, news) {
    await setPermissions(news, news.permissions);
    return { outs: news };
  },
  async delete(_id, props) {
    // DenyBucketKey answers 404 when the bucket or the key is gone (NoSuchBucket, NoSuchAccessKey):
    // then nothing is left to remove, as a read would have said, without one.
    try {
      await setPermissions(props, { read: false, write: false, owner: false });
    } catch (e) {
      if (!notFound(e)) throw e;
    }
  },
};

/** Pulumi's input form of a resource's inputs. */
type Wrapped<T> = { [K in keyof T]: pulumi.Input<T[K]> };

/** A Garage bucket (type `pulumi-nodejs:dynamic/garage:Bucket`); its ID is its name. */
export class GarageBucket extends pulumi.dynamic.Resource {
  declare readonly bucketId: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  constructor(name: string, args: Wrapped<BucketInputs>, opts?: pulumi.CustomResourceOptions) {
    super(
      bucketProvider,
      name,
      { ...args, bucketId: undefined, objects: undefined, bytes: undefined },
      opts,
      "garage",
      "Bucket",
    );
  }
}

/** A Garage access key (type `pulumi-nodejs:dynamic/garage:Key`); its ID is the access key ID. */
export class GarageKey extends pulumi.dynamic.Resource {
  declare readonly accessKeyId: pulumi.Output<string>;
  declare readonly secretAccessKey: pulumi.Output<string>;
  constructor(name: string, args: Wrapped<KeyInputs>, opts?: pulumi.CustomResourceOptions) {
    super(
      keyProvider,
      name,
      { ...args, accessKeyId: undefined, secretAccessKey: undefined },
      { ...opts, additionalSecretOutputs: ["secretAccessKey"] },
      "garage",
      "Key",
    );
  }
}

/** One key's permissions on one bucket (type `pulumi-nodejs:dynamic/garage:Grant`). */
export class GarageGrant extends pulumi.dynamic.Resource {
  constructor(name: string, args: Wrapped<GrantInputs>, opts?: pulumi.CustomResourceOptions) {
    super(grantProvider, name, args, opts, "garage", "Grant");
  }
}

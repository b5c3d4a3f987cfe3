/**
 * Realistic mock state for every resource type and invoke the program uses. Unknown invokes throw:
 * a program that starts calling something new must teach the mocks about it first.
 */

import { INTEGRATIONS, RECEIVER_TYPES } from "../upstream/alertmanagerReceivers";

/** Output fields each provider marks secret (its additionalSecretOutputs), so the export hides them. */
export const SECRET_OUTPUTS: Record<string, readonly string[]> = {
  "random:index/randomPassword:RandomPassword": ["result", "bcryptHash"],
  "minio:index/iamUser:IamUser": ["secret"],
  "kubernetes:core/v1:Secret": ["data", "stringData"],
  "onepassword:index/item:Item": ["password", "sections"],
  "pulumi:providers:minio": ["minioPassword", "minioUser"],
  // The Garage key's secret (components/objectstore/garage.ts additionalSecretOutputs). The admin
  // token in their inputs is secret only because the program makes it so: no entry here hides it.
  "pulumi-nodejs:dynamic/garage:Key": ["secretAccessKey"],
  "pulumi:providers:onepassword": ["token", "serviceAccountToken"],
};

const uid = (name: string) => {
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `${h.toString(16).padStart(8, "0")}-0000-4000-8000-${name.length.toString(16).padStart(12, "0")}`;
};

/** `n` hex digits derived from `seed` (stable across runs). */
const hex = (seed: string, n: number) => {
  let out = "";
  for (let i = 0; out.length < n; i++) out += uid(`${seed}/${i}`).replace(/-/g, "");
  return out.slice(0, n);
};

/** State a real provider would return after creating the resource. */
export function mockState(type: string, name: string, inputs: Record<string, any>): Record<string, any> {
  if (type.startsWith("kubernetes:")) {
    if (type === "kubernetes:helm.sh/v3:Release") {
      return {
        ...inputs,
        status: {
          name: inputs.name ?? name,
          namespace: inputs.namespace ?? "default",
          chart: inputs.chart,
          version: inputs.version,
          appVersion: "",
          revision: 1,
          status: "deployed",
        },
      };
    }
    const [, apiPath, kind] = /^kubernetes:([^:]+):(.+)$/.exec(type) ?? [];
    const [group, version] = (apiPath ?? "").split("/");
    return {
      apiVersion: inputs.apiVersion ?? (group === "core" ? version : `${group}/${version}`),
      kind: inputs.kind ?? kind,
      ...inputs,
      metadata: {
        ...(inputs.metadata ?? {}),
        uid: uid(name),
        resourceVersion: "1",
        creationTimestamp: "1970-01-01T00:00:00Z",
      },
    };
  }
  switch (type) {
    case "random:index/randomPassword:RandomPassword":
      return { ...inputs, result: `synth-random-${name}`, bcryptHash: `$2a$10$synth${name}` };
    case "minio:index/s3Bucket:S3Bucket":
      return {
        ...inputs,
        bucketDomainName: `${inputs.bucket}.minio.local`,
        arn: `arn:aws:s3:::${inputs.bucket}`,
      };
    case "minio:index/iamUser:IamUser":
      return { ...inputs, status: "enabled" };
    case "minio:index/iamPolicy:IamPolicy":
      return { ...inputs };
    case "minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment":
      return { ...inputs };
    // What Garage's admin API answers (upstream/garage/data/): a bucket ID of 64 hex digits, an
    // access key ID "GK" + 24 hex digits and a 64-hex-digit secret.
    case "pulumi-nodejs:dynamic/garage:Bucket":
      return { ...inputs, bucketId: hex(`bucket-${inputs.name}`, 64), objects: 0, bytes: 0 };
    case "pulumi-nodejs:dynamic/garage:Key":
      return {
        ...inputs,
        accessKeyId: `GK${hex(`key-${inputs.name}`, 24)}`,
        secretAccessKey: hex(`secret-${inputs.name}`, 64),
      };
    case "onepassword:index/item:Item":
      return { ...inputs, uuid: uid(name), category: inputs.category ?? "login" };
    default:
      return { ...inputs };
  }
}

/**
 * State a provider returns for an object that already exists: what `get` reads, or what an import
 * reads back. Kubernetes IDs are `<namespace>/<name>`, a Helm release's too; a bucket's is its name.
 */
export function mockRead(type: string, id: string, inputs: Record<string, any>): Record<string, any> {
  const [namespace, name] = id.includes("/") ? id.split("/", 2) : [undefined, id];
  if (type === "kubernetes:helm.sh/v3:Release") return mockState(type, name, { ...inputs, name, namespace });
  if (type.startsWith("kubernetes:")) {
    const metadata = { ...(inputs.metadata ?? {}), name, ...(namespace ? { namespace } : {}) };
    return mockState(type, name, { ...inputs, metadata });
  }
  if (type === "minio:index/s3Bucket:S3Bucket") return mockState(type, name, { ...inputs, bucket: id });
  if (type === "pulumi-nodejs:dynamic/garage:Bucket") return mockState(type, name, { ...inputs, name: id });
  if (type === "pulumi-nodejs:dynamic/garage:Key")
    return { ...mockState(type, name, inputs), accessKeyId: id };
  return mockState(type, name, inputs);
}

/** 1Password items the synthesis pretends exist (field values are recognisable, never real). */
function onepasswordItem(inputs: Record<string, any>): Record<string, any> {
  const title = String(inputs.title);
  const v = (field: string) => `synth-1password-${title}-${field}`;
  return {
    id: `vaults/${inputs.vault}/items/${uid(title)}`,
    uuid: uid(title),
    vault: inputs.vault,
    title,
    category: "login",
    username: v("username"),
    password: v("password"),
    url: v("url"),
    credential: v("credential"),
    database: "",
    hostname: "",
    noteValue: "",
    port: "",
    privateKey: "",
    publicKey: "",
    type: "",
    tags: [],
    sections: [
      {
        id: "fields",
        label: "fields",
        // Pushover's and the heartbeat's fields, and every receiver's credential (its item's field
        // named as Alertmanager names it: docs/how-to/alert-receivers.md).
        fields: [
          ...new Set(["token", "user_key", "url", ...RECEIVER_TYPES.map((t) => INTEGRATIONS[t].credential)]),
        ].map((f) => ({
          id: f,
          label: f,
          purpose: "",
          type: "CONCEALED",
          value: v(f),
        })),
      },
    ],
  };
}

const INVOKES: Record<string, (inputs: Record<string, any>) => Record<string, any>> = {
  "onepassword:index/getItem:getItem": onepasswordItem,
};

/** The mock runtime's `call`: known invokes answer realistically, anything else is an error. */
export function mockCall(token: string, inputs: Record<string, any>): Record<string, any> {
  const handler = INVOKES[token];
  if (!handler) throw new Error(`unmocked invoke ${token}: add it to synth/mocks.ts`);
  return handler(inputs);
}

import { PROJECT } from "../../model/names";
import { PART_OF_LABEL } from "../metadata";

/** The part of a 1Password item (`onepassword.getItem`'s result) a field is read from. */
export interface OnePasswordItem {
  title: string;
  vault: string;
  sections?: { fields?: { label?: string; value?: string }[] }[];
}

/**
 * A 1Password item lacks a field the stack reads: the operator's item to correct, not a bug. It is
 * thrown inside an Output's apply, and the Pulumi SDK prefixes the message of an error raised
 * while it serializes a resource's inputs with each property on the way (`error serializing
 * property "password": error serializing property "stringData": …`; @pulumi/pulumi
 * runtime/rpc.js serializeFilteredProperties), keeping the error itself: `detail` keeps the
 * message as written, for the command to print as one line.
 */
export class SecretItemError extends Error {
  constructor(readonly detail: string) {
    super(detail);
    this.name = "SecretItemError";
  }
}

const TOP_LEVEL_FIELDS = ["username", "password", "url", "credential", "hostname"] as const;

/** A named field of a 1Password item: a top-level login field or a section field by label. */
export function itemField(item: OnePasswordItem, field: string, where: string): string {
  const top = (TOP_LEVEL_FIELDS as readonly string[]).includes(field)
    ? (item as unknown as Record<string, unknown>)[field]
    : undefined;
  const fromSection = item.sections?.flatMap((s) => s.fields ?? []).find((f) => f.label === field)?.value;
  const value = (top as string | undefined) || fromSection;
  if (!value) {
    // The item's title and vault ID and the field's name only: never a value of the item.
    throw new SecretItemError(
      `${where}: 1Password item "${item.title}" in vault ${item.vault} has no field "${field}" (or it is empty); add the field "${field}" to the item, or point ${where} at an item that has it`,
    );
  }
  return value;
}

/** The environment variable a 1Password token falls back to: Connect's, or a service account's. */
export function onepasswordTokenEnv(connectUrl?: string): "OP_CONNECT_TOKEN" | "OP_SERVICE_ACCOUNT_TOKEN" {
  return connectUrl ? "OP_CONNECT_TOKEN" : "OP_SERVICE_ACCOUNT_TOKEN";
}

/** The 1Password provider's settings: a Connect server with its token, or a service account. */
export function onepasswordProviderArgs<T>(connectUrl: string | undefined, token: T) {
  return connectUrl ? { url: connectUrl, token } : { serviceAccountToken: token };
}

/** The resource-name slug of a generated credential's 1Password item ("loki (MinIO)" -> "loki-minio"). */
export function itemSlug(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/** A projected Kubernetes Secret; the values come in already wrapped as secrets. */
export function projectedSecret<T>(secretName: string, namespace: string, stringData: Record<string, T>) {
  return {
    metadata: { name: secretName, namespace, labels: { ...PART_OF_LABEL } },
    type: "Opaque",
    stringData,
  };
}

/** Grafana's admin user with the config backend (a 1Password item names its own user). */
export const GRAFANA_ADMIN_USER = "admin";

/** Grafana's generated admin password: 32 letters and digits. */
export const GENERATED_ADMIN_PASSWORD = { length: 32, special: false } as const;

/** A generated credential written back to 1Password as a login item, tagged as generated. */
export function generatedItemArgs<U, P>(vault: string, title: string, username: U, password: P) {
  return {
    vault,
    title,
    category: "login",
    username,
    password,
    tags: [PROJECT, "generated"],
  };
}

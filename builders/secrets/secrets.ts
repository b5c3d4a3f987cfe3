import { PROJECT } from "../../model/names";
import { PART_OF_LABEL } from "../metadata";

/** The part of a 1Password item (`onepassword.getItem`'s result) a field is read from. */
export interface OnePasswordItem {
  title: string;
  vault: string;
  sections?: { label?: string; fields?: { label?: string; value?: string }[] }[];
}

/**
 * A 1Password item the stack reads is missing, in another vault, or lacks a field: the operator's
 * item or setting to correct, not a bug. It is raised inside an Output (the item's read, or an
 * apply on it), and reaches the command two ways, both printing `detail` alone, one line:
 *
 * - The offline synthesis: cli/internalError.ts `inputFailure` prints it with the stack's name.
 * - `pulumi preview` and `up`: nothing of ours catches it; the SDK's uncaught-error handler
 *   (@pulumi/pulumi 3.270.0 cmd/run/run.js) prints a RunError's message alone, where any other
 *   error comes as "failed with an unhandled exception" and its stack. RunError is known by its
 *   marker `__pulumiRunError` (errors.js `RunError.isInstance`, made to work across SDK copies),
 *   set here by name: builders load no Pulumi package.
 *
 * On the way the SDK prefixes the message once per input it was serializing (`error serializing
 * property "password": error serializing property "stringData": …`; runtime/rpc.js
 * serializeFilteredProperties assigns `err.message` and rethrows the same error), which buried
 * these words at the end of a long line: the message stays `detail`, and each prefix is kept in
 * `inputs` (the trace's, not the operator's).
 */
export class SecretItemError extends Error {
  readonly __pulumiRunError = true;
  /** The inputs the SDK was serializing when the error passed, outermost first. */
  readonly inputs: string[] = [];
  constructor(readonly detail: string) {
    super(detail);
    this.name = "SecretItemError";
    Object.defineProperty(this, "message", {
      get: () => this.detail,
      set: (m: string) => {
        const key = /^error serializing property "([^"]*)": /.exec(String(m))?.[1];
        if (key !== undefined) this.inputs.unshift(key);
      },
      configurable: true,
      enumerable: false,
    });
  }
}

/** One item read from 1Password: the stack key naming it, its title and the vault. */
export interface ItemRead {
  /** The stack key that names the item, `homelab-observability:secrets.items.minioAdmin`. */
  where: string;
  title: string;
  vault: string;
  /** The field read first, for the message. */
  field: string;
}

/**
 * The words of the provider's failure, without the wrapping the engine and the bridge put around
 * them (`invocation of … returned an error: `, `1 error occurred: *`, the data source's `Unable
 * to read item, got error: `): the item's title, the vault and 1Password's reason, never an item's
 * value (the read failed before any value came back).
 */
export function providerReason(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const reason = text
    .replace(/invocation of \S+ returned an error: /g, "")
    .replace(/Invoke of '[^']*' failed: /g, "")
    .replace(/\d+ errors? occurred:/g, "")
    .replace(/Unable to read item, got error: /g, "")
    .replace(/\s*\*\s+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return reason.length > 300 ? `${reason.slice(0, 300)}…` : reason;
}

/**
 * What a failed read of a 1Password item means, from the provider's own words. The item data
 * source (terraform-provider-onepassword v2.1.2, internal/provider/onepassword_item_data_source.go
 * `getItemForDataSource`) looks the item up by title in the vault: with Connect through
 * connect-sdk-go v1.5.3 (connect/client.go `GetItemByTitle`: "Found %d item(s) in vault %q with
 * title %q" unless exactly one; `getVaultUUID` takes a 26-character ID, or looks a name up with
 * `GetVaultByTitle`: "Found %d vaults with title %q"), with a service account through
 * `op item get <title> --vault <vault>` (internal/onepassword/cli/op.go `GetItemByTitle`, its
 * error "op error: …").
 */
export function itemReadKind(reason: string): "missing" | "several" | "vault" | "unknown" {
  if (/Found 0 item\(s\)/.test(reason) || /isn't an item/i.test(reason)) return "missing";
  if (/Found \d+ item\(s\)/.test(reason) || /more than one item/i.test(reason)) return "several";
  if (
    /vaults? with title|isn't a vault|vault.*(not found|no access|access denied)|malformed vault/i.test(
      reason,
    )
  )
    return "vault";
  return "unknown";
}

/**
 * The operator's message for a read of `read` that failed with `e`: the key, the title, that
 * items are looked up by title, the vault, 1Password's reason and what to do. A vault that is
 * wrong fails every item alike: `vaultErrors` hands each read of that vault the same error, which
 * the SDK's handler reports once (cmd/run/run.js dedupes by identity).
 */
export function itemReadError(
  e: unknown,
  read: ItemRead,
  vaultErrors: Map<string, SecretItemError> = new Map(),
): SecretItemError {
  const reason = providerReason(e);
  const said = `1Password said: ${reason}`;
  const { where, title, vault, field } = read;
  const vaultKey = `${PROJECT}:secrets.vault`;
  switch (itemReadKind(reason)) {
    case "missing":
      return new SecretItemError(
        `${where}: expected a 1Password item titled "${title}" in vault ${vault} (items are looked up by their exact title), got none (${said}); create it there with the field "${field}", or set ${where} to the title of the item that holds it`,
      );
    case "several":
      return new SecretItemError(
        `${where}: expected one 1Password item titled "${title}" in vault ${vault} (items are looked up by their exact title), got several (${said}); rename or remove the others, or set ${where} to a title only one item has`,
      );
    case "vault": {
      const known = vaultErrors.get(vault);
      if (known) return known;
      const error = new SecretItemError(
        `${vaultKey}: expected the ID of a vault this token can read, got ${vault}, where no item could be read (first ${where}, item "${title}"; ${said}); set ${vaultKey} to the vault's ID (\`op vault list\` prints it), and grant the Connect server or service account access to that vault`,
      );
      vaultErrors.set(vault, error);
      return error;
    }
    default:
      return new SecretItemError(
        `${where}: the 1Password item titled "${title}" could not be read from vault ${vault} (items are looked up by their exact title; ${said}); check that ${vaultKey} is the ID of the vault that holds "${title}" and that the token may read it`,
      );
  }
}

const TOP_LEVEL_FIELDS = ["username", "password", "url", "credential", "hostname"] as const;

/**
 * A named field of a 1Password item: a top-level field (the provider's `username`, `password`,
 * `url`, ...) or a section field by label. The provider fills the top-level ones from the item's
 * own fields (terraform-provider-onepassword v2.1.2 onepassword_item_data_source.go Read: `url` is
 * the item's primary website, `credential` an API Credential's), and lists every section field
 * beside them, so one name can have two values: a Login's website and a section field "url" with
 * the webhook, say. Taking either would send the credential the operator did not mean without a
 * word, so two different values are refused, naming where each is and never either value.
 */
export function itemField(item: OnePasswordItem, field: string, where: string): string {
  const top = (TOP_LEVEL_FIELDS as readonly string[]).includes(field)
    ? (item as unknown as Record<string, unknown>)[field]
    : undefined;
  const places: { at: string; value: string }[] = [];
  if (typeof top === "string" && top !== "")
    places.push({
      at: field === "url" ? "the item's website (its primary URL)" : `the item's own ${field}`,
      value: top,
    });
  for (const s of item.sections ?? [])
    for (const f of s.fields ?? [])
      if (f.label === field && f.value)
        places.push({
          at: `the field "${field}" of section ${JSON.stringify(s.label ?? "")}`,
          value: f.value,
        });
  const values = new Set(places.map((p) => p.value));
  if (values.size > 1) {
    // Where each value is, never a value.
    throw new SecretItemError(
      `${where}: expected one value for field "${field}" of 1Password item "${item.title}" in vault ${item.vault}, got ${values.size} different ones (in ${places.map((p) => p.at).join(", ")}; not shown); keep the one the stack should use and remove or empty the others`,
    );
  }
  const value = places[0]?.value;
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

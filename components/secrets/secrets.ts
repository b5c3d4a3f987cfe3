import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as onepassword from "@1password/pulumi-onepassword";
import * as random from "@pulumi/random";
import { PROJECT } from "../../model/names";
import type { SecretKey, SecretSource } from "../../model/secrets";
import type { CredentialSink } from "../objectstore/objectStore";
import { RECEIVER_CREDENTIALS_KEY, receiverSecretName, SECRET_REFS } from "../../model/secrets";
import { readExistingSecret } from "../existingSecret";
import {
  GENERATED_ADMIN_PASSWORD,
  GRAFANA_ADMIN_USER,
  generatedItemArgs,
  itemField,
  itemReadError,
  type SecretItemError,
  itemSlug,
  onepasswordProviderArgs,
  onepasswordTokenEnv,
  projectedSecret,
} from "../../builders/secrets/secrets";

/** Arguments of {@link Secrets}. */
export interface SecretsArgs {
  /** Secrets backend from the stack config's `secrets` (onepassword with vault and items, or config). Required. */
  backend:
    | { backend: "config" }
    | {
        backend: "onepassword";
        vault: string;
        connectUrl?: string;
        /** Item titles (`garageAdmin` only with the garage store). */
        items: Record<"minioAdmin" | "pushover" | "grafanaAdmin" | "heartbeat", string> & {
          garageAdmin?: string;
        };
      };
  /** Namespace of the projected Kubernetes Secrets. Required. */
  namespace: string;
  /**
   * Which human-owned secrets the stack needs; nothing else is read. `receivers`: each user
   * receiver with a credential, the Secret key it goes under (the integration's credential field)
   * and its 1Password item title. Required (`receivers` default: none).
   */
  needs: {
    minioAdmin: boolean;
    /** Garage's admin token (objectStore.type garage). Default false. */
    garageAdmin?: boolean;
    pushover: boolean;
    heartbeat: boolean;
    /** `index`: the receiver's place in `alerting.receivers`, named by the messages about its item. */
    receivers?: { name: string; index?: number; key: string; item: string }[];
  };
  /** What every Kubernetes child waits for besides what apply/ordering.ts adds. Default: none. */
  dependsOn?: pulumi.Resource[];
  /** Kubernetes provider; every Kubernetes child uses it. Required. */
  provider: k8s.Provider;
  /** Provider of generated passwords. Required. */
  randomProvider: random.Provider;
  /** An existing Secret with Grafana's admin login (keys admin-user, admin-password), read instead of projected. Default none. */
  existingGrafanaAdmin?: string;
  /**
   * The stack's config secrets and the 1Password token (config/load.ts `pulumiSecretSource`, made by
   * the composition root): the component reads neither the config nor the environment. Required.
   */
  secretSource: SecretSource<pulumi.Output<string>>;
}

type Item = onepassword.GetItemResult;
/** The 1Password item titles the component reads (`garageAdmin` only with the garage store). */
type ItemTitles = Record<"minioAdmin" | "pushover" | "grafanaAdmin" | "heartbeat", string> & {
  garageAdmin?: string;
};

/**
 * Human-owned secrets from 1Password (or Pulumi config secrets), generated credentials written back
 * to 1Password, and everything projected into Kubernetes Secrets that workloads consume by
 * reference. No value leaves this component except as a Pulumi secret.
 */
export class Secrets extends pulumi.ComponentResource implements CredentialSink {
  /** MinIO admin login for the MinIO provider (only when needs.minioAdmin). */
  readonly minioAdmin?: { user: pulumi.Output<string>; password: pulumi.Output<string> };
  /** Garage's admin API token (only when needs.garageAdmin). */
  readonly garageAdminToken?: pulumi.Output<string>;
  /** The 1Password provider, when that backend is used. */
  readonly onepasswordProvider?: onepassword.Provider;
  private readonly name: string;
  private readonly vault?: string;

  /**
   * Reads a field of a 1Password item by the item's title, each item once. A failed read (no such
   * title, a wrong vault) says which key, item and vault, not only the provider's words
   * (builders/secrets/secrets.ts itemReadError).
   */
  private itemReader(vault: string, provider: onepassword.Provider) {
    const items = new Map<string, pulumi.Output<Item>>();
    const vaultErrors = new Map<string, SecretItemError>();
    return (title: string, field: string, where: string): pulumi.Output<string> => {
      let item = items.get(title);
      if (!item) {
        const read = { where, title, vault, field };
        item = pulumi.output(
          onepassword.getItem({ vault, title }, { provider, parent: this }).catch((e: unknown) => {
            throw itemReadError(e, read, vaultErrors);
          }),
        );
        items.set(title, item);
      }
      return pulumi.secret(item.apply((i) => itemField(i, field, where)));
    };
  }

  constructor(name: string, args: SecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:secrets:Secrets", name, {}, opts);
    this.name = name;
    const k8sOpts = { parent: this, provider: args.provider, dependsOn: args.dependsOn ?? [] };
    const source = args.secretSource;
    let read: (item: keyof typeof itemTitles, field: string, configKey: SecretKey) => pulumi.Output<string>;
    let readTitled: ((title: string, field: string, where: string) => pulumi.Output<string>) | undefined;
    let itemTitles: ItemTitles = {
      minioAdmin: "",
      pushover: "",
      grafanaAdmin: "",
      heartbeat: "",
    };

    if (args.backend.backend === "onepassword") {
      const backend = args.backend;
      itemTitles = backend.items;
      this.vault = backend.vault;
      const tokenEnv = onepasswordTokenEnv(backend.connectUrl);
      const tokenValue = source.onepasswordToken(tokenEnv);
      if (!tokenValue) {
        throw new Error(
          `${PROJECT}:onepasswordToken: required with secrets.backend "onepassword" (or set ${tokenEnv})`,
        );
      }
      this.onepasswordProvider = new onepassword.Provider(
        `${name}-onepassword`,
        onepasswordProviderArgs(backend.connectUrl, tokenValue),
        { parent: this },
      );
      const titled = this.itemReader(backend.vault, this.onepasswordProvider);
      readTitled = titled;
      read = (key, field) => titled(itemTitles[key] ?? "", field, `${PROJECT}:secrets.items.${key}`);
    } else {
      read = (_item, _field, configKey) => source.require(configKey);
    }
    this.receiverSecrets(args, readTitled, k8sOpts);
    if (args.needs.minioAdmin) {
      this.minioAdmin = {
        user: read("minioAdmin", "username", "minioAdminUser"),
        password: read("minioAdmin", "password", "minioAdminPassword"),
      };
    }
    if (args.needs.garageAdmin) this.garageAdminToken = read("garageAdmin", "credential", "garageAdminToken");
    if (args.needs.pushover) {
      const r = SECRET_REFS.pushover;
      this.projected(
        `${name}-pushover`,
        r.secretName,
        args.namespace,
        {
          [r.tokenKey]: read("pushover", "token", "pushoverToken"),
          [r.userKeyKey]: read("pushover", "user_key", "pushoverUserKey"),
        },
        k8sOpts,
      );
    }
    if (args.needs.heartbeat) {
      const r = SECRET_REFS.heartbeat;
      this.projected(
        `${name}-heartbeat`,
        r.secretName,
        args.namespace,
        { [r.urlKey]: read("heartbeat", "url", "heartbeatUrl") },
        k8sOpts,
      );
    }

    if (args.existingGrafanaAdmin) {
      // Takeover: the operator's Secret stays the source; a missing one fails the preview.
      const g = SECRET_REFS.grafanaAdmin;
      readExistingSecret(
        `${name}-grafana-admin`,
        args.namespace,
        args.existingGrafanaAdmin,
        [g.userKey, g.passwordKey],
        "takeover.secrets.grafanaAdmin",
        k8sOpts,
      );
      this.registerOutputs({});
      return;
    }
    // Grafana's admin: 1Password item, or a config secret, or generated here (config backend only:
    // kept in the state and the Secret, nowhere else). Grafana reads it on its first start only.
    let grafanaUser: pulumi.Input<string> = GRAFANA_ADMIN_USER;
    let grafanaPassword: pulumi.Output<string>;
    if (args.backend.backend === "onepassword") {
      grafanaUser = read("grafanaAdmin", "username", "grafanaAdminPassword");
      grafanaPassword = read("grafanaAdmin", "password", "grafanaAdminPassword");
    } else {
      const fromConfig = source.get("grafanaAdminPassword");
      grafanaPassword =
        fromConfig ??
        pulumi.secret(
          new random.RandomPassword(`${name}-grafana-admin`, GENERATED_ADMIN_PASSWORD, {
            parent: this,
            provider: args.randomProvider,
          }).result,
        );
    }
    const g = SECRET_REFS.grafanaAdmin;
    this.projected(
      `${name}-grafana-admin`,
      g.secretName,
      args.namespace,
      { [g.userKey]: grafanaUser, [g.passwordKey]: grafanaPassword },
      k8sOpts,
    );

    this.registerOutputs({});
  }

  /**
   * Writes a generated credential back to 1Password as a login item; a no-op with the config backend.
   *
   * Retained on delete: the item is the operator's copy outside the cluster, and deleting the
   * resource deletes it from the vault (terraform-provider-onepassword v2.1.2, b942ecfa,
   * internal/provider/onepassword_item_resource.go `Delete` calls `DeleteItem`: Connect's item
   * DELETE, or `op item delete` without `--archive`). A switch to `secrets.backend: config` drops
   * every item from the program while the credentials live on, so without this the update
   * emptied the vault of them. `retainOnDelete` is a resource option, not an input: the provider's
   * diff never sees it, and the engine writes it into the state on the next update that leaves the
   * item as it is (pulumi/pulumi 1b594989 pkg/backend/snapshot.go `mustWrite`), so an existing
   * stack gains it without a replacement. The engine reads it from the old state when it deletes
   * (pkg/resource/deploy/step.go DeleteStep.Apply, `s.old.RetainOnDelete`): a stack must run one
   * update with it before the switch, which the change check says (change/vaultItems.ts).
   */
  record(
    title: string,
    login: { username: pulumi.Input<string>; password: pulumi.Output<string> },
    opts: pulumi.CustomResourceOptions,
  ): void {
    if (!this.onepasswordProvider || !this.vault) return;
    new onepassword.Item(
      `${this.name}-${itemSlug(title)}`,
      generatedItemArgs(this.vault, title, login.username, pulumi.secret(login.password)),
      { ...opts, provider: this.onepasswordProvider, retainOnDelete: true },
    );
  }

  /**
   * One Secret per user receiver with its credential. 1Password: the receiver's item, field named
   * as Alertmanager names the credential. Config: the secret map receiverCredentials, by receiver
   * name (config/receiverSecrets.ts).
   */
  private receiverSecrets(
    args: SecretsArgs,
    readTitled: ((title: string, field: string, where: string) => pulumi.Output<string>) | undefined,
    opts: pulumi.CustomResourceOptions,
  ): void {
    for (const r of args.needs.receivers ?? []) {
      const value = readTitled
        ? readTitled(r.item, r.key, receiverItemKey(r))
        : args.secretSource.require(RECEIVER_CREDENTIALS_KEY).apply((text) => credentialOf(text, r.name));
      this.projected(
        `${this.name}-receiver-${r.name}`,
        receiverSecretName(r.name),
        args.namespace,
        { [r.key]: value },
        opts,
      );
    }
  }

  private projected(
    resourceName: string,
    secretName: string,
    namespace: string,
    data: Record<string, pulumi.Input<string>>,
    opts: pulumi.CustomResourceOptions,
  ): k8s.core.v1.Secret {
    const wrapped = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, pulumi.secret(v)]));
    return new k8s.core.v1.Secret(resourceName, projectedSecret(secretName, namespace, wrapped), opts);
  }
}

/**
 * One receiver's credential out of the secret map `receiverCredentials` (JSON text, as the Pulumi
 * runtime hands a map over). The config's resolution already refused a map without it; the error
 * here names the key and never the value.
 */
function credentialOf(text: string, receiver: string): string {
  let map: unknown;
  try {
    map = JSON.parse(text);
  } catch {
    map = undefined;
  }
  const value = map && typeof map === "object" ? (map as Record<string, unknown>)[receiver] : undefined;
  if (typeof value !== "string" || value === "")
    throw new Error(
      `${PROJECT}:${RECEIVER_CREDENTIALS_KEY}.${receiver}: required (a secret map from receiver name to its credential), not found`,
    );
  return value;
}

/** The stack key naming a receiver's 1Password item, for the messages: `alerting.receivers[0].item`. */
function receiverItemKey(r: { name: string; index?: number; item: string }): string {
  const at = r.index === undefined ? ` "${r.name}"` : `[${r.index}]`;
  return `${PROJECT}:alerting.receivers${at}.item (receiver "${r.name}")`;
}

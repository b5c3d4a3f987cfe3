import { PROJECT } from "../model/names";
import { PROVIDER_SWITCHES, PROVIDER_SWITCH_REASONS } from "../model/kubernetesProvider";
import { z } from "zod";
import { closestMatch, knownKeysAt, schemaAt } from "./errors";
import { propertyPath } from "./tree";
import { shellWord } from "../model/running";

/*
 * The Kubernetes provider's own config keys (`kubernetes:namespace`, `kubernetes:kubeconfig`, …),
 * which its docs show and a new user writes into the stack file. The program creates its own
 * provider (apply/stack.ts) and gives it to every resource; an explicit provider takes only its
 * arguments, and the engine builds a default provider's inputs from the stack's `kubernetes:` keys
 * (pulumi/pulumi docs/architecture/providers/default.md at adb481959313db9a06d8cab0f58f4acca6822b6f:
 * "inputs sourced from the stack's configuration values for the relevant provider package"). So
 * such a key reaches a provider none of the program's resources uses. What the program's provider
 * does read besides its arguments, per @pulumi/kubernetes 4.34.2 provider.js (a missing argument
 * filled from KUBECONFIG and the PULUMI_K8S_* variables) and pulumi-kubernetes
 * provider/pkg/provider/provider.go Configure at 94977969d64112b04e19945818a7d5d5f38f631d (the
 * variables again, and PULUMI_K8S_CLIENT_* and PULUMI_K8S_HELM_* for the client and Helm settings,
 * whatever the provider), is what each message names instead. The package ships no
 * `config/vars.js` in 4.34.2: nothing in the program's process reads `kubernetes:` keys either.
 *
 * Two keys are not this module's: `kubernetes:context` (config/kubeContext.ts requires it absent or
 * the pinned context) and `kubernetes:strictMode`, which the provider reads for every instance,
 * explicit ones included, from the PULUMI_CONFIG the engine hands its process (provider.go
 * CheckConfig and loadPulumiConfig: "any project/stack config with a \"kubernetes\" prefix").
 *
 * A key is refused when the operator, believing it acts, would expect another cluster, namespace,
 * apply mode or state handling than the run gives; it is warned of when it changes only what the
 * CLI prints, or says what the program does anyway (a pinned switch at its pinned value).
 */

/** The provider's config keys (provider/pkg/gen/schema.go Config.Variables, plus those Configure reads). */
const KNOWN = [
  "kubeconfig",
  "context",
  "cluster",
  "clusterIdentifier",
  "namespace",
  "deleteUnreachable",
  "skipUpdateUnreachable",
  "enableServerSideApply",
  "enablePatchForce",
  "upsertExistingObjects",
  "enableReplaceCRD",
  "enableConfigMapMutable",
  "enableSecretMutable",
  "renderYamlToDirectory",
  "alwaysRender",
  "suppressDeprecationWarnings",
  "suppressHelmHookWarnings",
  "strictMode",
  // Not config variables of the schema, but Configure reads them from its inputs.
  "kubeClientSettings",
  "helmReleaseSettings",
  "rejectUnknownResources",
] as const;

/** Judged elsewhere or read by the program's provider: no message here. */
const NOT_HERE = new Set(["context", "strictMode"]);

/** Keys whose value is a plain name or switch, shown as found; any other value is never shown. */
const SHOWN = new Set([
  "cluster",
  "clusterIdentifier",
  "namespace",
  ...KNOWN.filter((k) => /^(enable|suppress|delete|skip|upsert|always|reject)/.test(k)),
]);

const fromEnv = (v: string) =>
  `the program's provider reads ${v} from the environment instead (@pulumi/kubernetes provider.js fills the unset argument from it)`;

/**
 * The keys whose {@link REFUSED} text is a step to take before the removal ("put …", "export …"),
 * said as "…, then remove it"; any other's is a fact ("the program deploys into …"), after which
 * "then remove it" would read as something the program does.
 */
const STEP_FIRST = new Set(["kubeconfig", "kubeClientSettings", "helmReleaseSettings"]);

/** What the program reads instead of each key it refuses, or why the key has no place in it. */
const REFUSED: Record<string, (project: string) => string> = {
  kubeconfig: (p) =>
    `put the kubeconfig in a file and set ${p}:kubeconfig to its path (or export KUBECONFIG), which the program's provider reads`,
  cluster: (p) =>
    `the program's provider reaches the cluster of the stack's pinned context (${p}:kubeContext): to reach another cluster, pin a context whose cluster it is`,
  namespace: (p) => `the program deploys into ${p}:namespace (and ${p}:agents.namespace for the node agents)`,
  clusterIdentifier: (p) =>
    `the program's provider follows ${p}:kubeContext and ${p}:kubeconfig, and pulumi-kubernetes replaces it only when the cluster they reach changes (provider.go DiffConfig)`,
  deleteUnreachable: () => fromEnv("PULUMI_K8S_DELETE_UNREACHABLE"),
  skipUpdateUnreachable: () => fromEnv("PULUMI_K8S_SKIP_UPDATE_UNREACHABLE"),
  enablePatchForce: () =>
    `the program forces field ownership only on the objects it takes over (their pulumi.com/patchForce annotation), and ${fromEnv("PULUMI_K8S_ENABLE_PATCH_FORCE")}`,
  renderYamlToDirectory: () =>
    "the program's provider deploys to the cluster; `npm run synth` renders the stack offline without touching it",
  alwaysRender: () =>
    "the program's provider deploys to the cluster; `npm run synth` renders the stack offline without touching it",
  kubeClientSettings: () =>
    "export PULUMI_K8S_CLIENT_BURST, PULUMI_K8S_CLIENT_QPS or PULUMI_K8S_CLIENT_TIMEOUT, which the provider reads whatever its arguments (provider.go Configure)",
  helmReleaseSettings: () =>
    "export PULUMI_K8S_HELM_DRIVER, PULUMI_K8S_HELM_PLUGINS_PATH, PULUMI_K8S_HELM_REGISTRY_CONFIG_PATH, PULUMI_K8S_HELM_REPOSITORY_CONFIG_PATH or PULUMI_K8S_HELM_REPOSITORY_CACHE, which the provider reads whatever its arguments (provider.go Configure)",
  rejectUnknownResources: () => "the program's provider is not given it",
};

/**
 * Keys that only change what the CLI prints, or that the provider itself ignores: a warning, since
 * the run does what the operator asked for in every other respect.
 */
const WARNED: Record<string, () => string> = {
  suppressDeprecationWarnings: () => `export PULUMI_K8S_SUPPRESS_DEPRECATION_WARNINGS=true: ${fromEnv("it")}`,
  suppressHelmHookWarnings: () => `export PULUMI_K8S_SUPPRESS_HELM_HOOK_WARNINGS=true: ${fromEnv("it")}`,
  // provider/pkg/gen/schema.go: "Obsolete. This option has no effect."
  enableReplaceCRD: () => "the provider itself ignores it (obsolete: it has no effect in any provider)",
};

type Switch = keyof typeof PROVIDER_SWITCHES;
const isSwitch = (name: string): name is Switch => Object.hasOwn(PROVIDER_SWITCHES, name);

/** The program's messages about the `kubernetes:` keys of a stack's config. */
export interface KubernetesKeyFindings {
  /** Refusals, each opening with its key (the config locator places it at its line). */
  problems: string[];
  /** Said and run on, each with the key's `file:line` when `placeOf` knows it. */
  warnings: string[];
}

const NEVER =
  "which this program never reads (it creates its own Kubernetes provider; a `kubernetes:` key configures only Pulumi's default provider, which none of its resources uses)";

/**
 * One message per `kubernetes:` key of `config` (full keys, `namespace:name`, to the value the CLI
 * passes), naming what the program reads instead and the command that removes it. A value is
 * shown only where it is a switch or a name, never a secure one; `isSecure` says whether the file
 * holds it as `secure:` ciphertext. `placeOf(name)` is the key's `file:line` for a warning (a
 * refusal is placed by the config locator); `stack` names the stack in a warning's command (a
 * refusal's gets it from ConfigError.forStack).
 */
export function kubernetesKeyFindings(
  config: Record<string, string | undefined>,
  isSecure: (key: string) => boolean,
  opts: { project?: string; stack?: string; placeOf?: (name: string) => string | undefined } = {},
): KubernetesKeyFindings {
  const project = opts.project ?? PROJECT;
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (!key.startsWith("kubernetes:")) continue;
    const name = key.slice("kubernetes:".length);
    if (NOT_HERE.has(name)) continue;
    const rm = `remove it with \`pulumi config rm${opts.stack ? ` --stack ${shellWord(opts.stack)}` : ""} ${shellWord(key)}\``;
    const secure = isSecure(key);
    const found = secure
      ? `${key} (a secure value)`
      : SHOWN.has(name) && value !== undefined
        ? `${key} set to ${JSON.stringify(value)}`
        : name === "kubeconfig"
          ? `${key} (its value not shown)`
          : key;
    const warn = (text: string) => {
      const where = opts.placeOf?.(name);
      warnings.push(`${key}${where ? ` (${where})` : ""}: ${text}`);
    };
    if (isSwitch(name)) {
      const pinned = PROVIDER_SWITCHES[name];
      const why = PROVIDER_SWITCH_REASONS[name];
      // The provider takes a switch as on only for the text "true" (provider.go Configure).
      if (!secure && (value === "true") === pinned) {
        warn(
          `has no effect: this program never reads it (its own Kubernetes provider takes no \`kubernetes:\` key), and pins ${name} to ${pinned} itself, the value set here; ${rm}.`,
        );
        continue;
      }
      problems.push(
        `${key}: expected no Kubernetes provider setting in the stack file (the program pins ${name} to ${pinned}: ${why}), got ${found}, ${NEVER}; ${rm}.`,
      );
      continue;
    }
    if (WARNED[name]) {
      warn(
        `has no effect: this program never reads it (its own Kubernetes provider takes no \`kubernetes:\` key); ${WARNED[name]()}, then ${rm}.`,
      );
      continue;
    }
    const instead = REFUSED[name];
    if (instead) {
      const text = name === "kubeconfig" && !secure && value !== undefined && looksLikeKubeconfigText(value);
      const plain = text
        ? " It holds a kubeconfig's contents, not a path, in plain text (not shown): anyone who reads the stack file has any token or client key in it, so rotate them."
        : "";
      // A path (the provider's other form, in plain text) moves to the program's key as it is.
      const asPath = name === "kubeconfig" && !secure && value !== undefined && value !== "" && !text;
      const what = asPath
        ? `set ${project}:kubeconfig to the same path (or export KUBECONFIG), which the program's provider reads`
        : instead(project);
      problems.push(
        `${key}: expected no Kubernetes provider setting in the stack file, got ${found}, ${NEVER}; ${what}${asPath || STEP_FIRST.has(name) ? ", then" : ";"} ${rm}.${plain}`,
      );
      continue;
    }
    problems.push(unknownKeyProblem(key, name, project, rm, (k) => config[`${project}:${k}`] !== undefined));
  }
  return { problems, warnings };
}

/**
 * An unknown key: the provider's key it is closest to, else the program's own key it names
 * (`kubernetes:kubeContext` meant `<project>:kubeContext`, a slip of the namespace). How to move
 * the value depends on the program's key: one the stack file already sets takes this one's value
 * into it (a second key of that name would not be YAML the CLI reads); an object or a list is
 * written under the right name in the file, since `pulumi config set` without `--path` stores
 * text, never a map; a plain value is set with `pulumi config set`.
 */
function unknownKeyProblem(
  key: string,
  name: string,
  project: string,
  rm: string,
  isSet: (ownKey: string) => boolean,
): string {
  const own = knownKeysAt([]);
  const best = own.includes(name) ? undefined : closestMatch(name, KNOWN);
  const mine = best ? undefined : own.includes(name) ? name : closestMatch(name, own);
  const schema = mine === undefined ? undefined : schemaAt([mine]);
  // What `pulumi config set` without --path cannot store: the form of a key that is no text.
  const form =
    schema instanceof z.ZodArray
      ? "a list"
      : schema instanceof z.ZodObject ||
          schema instanceof z.ZodDiscriminatedUnion ||
          schema instanceof z.ZodRecord
        ? "an object"
        : undefined;
  const how =
    mine === undefined
      ? ""
      : isSet(mine)
        ? `the program's own key, which this stack file already sets: move what ${key} holds into it`
        : form
          ? `the program's own key, ${form}: write this value under "${project}:${mine}" in the stack file as it is (\`pulumi config set\` without --path stores text, not ${form})`
          : `the program's own key: set it with \`pulumi config set ${mine}\`, which prompts for the value`;
  const meant = best
    ? `; did you mean "kubernetes:${best}"?${NOT_HERE.has(best) ? "" : " (the program's provider does not read that one either)"}`
    : mine
      ? `; did you mean "${project}:${mine}"? (${how})`
      : "";
  // Named as every problem names a key (`kubernetes:["a.b"]` for one whose own name holds dots):
  // placed at its line, and one mistake with any other line about that key (stackCheck.ts saidOnce).
  return `kubernetes:${propertyPath(name, [])}: unknown key (its value not shown): the Kubernetes provider has no setting "${name}"${meant}; nothing reads it: ${rm}.`;
}

/**
 * Whether a `kubernetes:kubeconfig` value is a kubeconfig's text rather than a path (the provider
 * takes either: provider/pkg/provider/util.go parseKubeconfigString reads a file when one is at the
 * path, else parses the value itself): a path holds no line break and opens no YAML or JSON map.
 */
function looksLikeKubeconfigText(value: string): boolean {
  return /\n/.test(value) || /^\s*\{/.test(value) || /(^|\s)apiVersion\s*:/.test(value);
}

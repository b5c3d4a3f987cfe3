import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { notYamlMessage, parseUserYaml } from "../model/yamlText";
import { shellWord } from "../model/running";
import { closestMatch, ConfigError, nearest } from "./errors";
import { PROJECT, type StackConfig } from "./schema";

/*
 * The cluster a real run may touch. The stack pins its kube context (`kubeContext`); the Kubernetes
 * provider gets it (apply/stack.ts), and before anything is registered the program refuses to run
 * when the kubeconfig does not have that context or another context is selected. The selection
 * matters beyond the provider: the runbook's port-forwards (MinIO, 1Password Connect) and its
 * kubectl, helm and flux commands follow the selected context, and the program cannot see where a
 * port-forward leads.
 */

/** The contexts of one kubeconfig file and the one it selects. */
export interface Kubeconfig {
  path: string;
  /** Context names (client-go clientcmd/api Config.Contexts). */
  contexts: string[];
  /** `current-context`, when set. */
  current?: string;
}

/** Reads a kubeconfig's context names and `current-context`; undefined when the file is absent. */
export function readKubeconfig(
  file: string,
  read: (f: string) => string = (f) => fs.readFileSync(f, "utf8"),
): Kubeconfig | undefined {
  let text: string;
  try {
    text = read(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  let doc: any;
  try {
    doc = parseUserYaml(text);
  } catch (e) {
    // Its tokens and client keys sit on the lines a mistake is on: the place and reason alone.
    throw new ConfigError([
      `${PROJECT}:kubeContext: cannot read the kubeconfig ${file}: ${notYamlMessage(file, text, e, "a kubeconfig (YAML)")}`,
    ]);
  }
  const contexts = Array.isArray(doc?.contexts)
    ? doc.contexts.map((c: any) => c?.name).filter((n: unknown): n is string => typeof n === "string")
    : [];
  const current =
    typeof doc?.["current-context"] === "string" && doc["current-context"] !== ""
      ? doc["current-context"]
      : undefined;
  return { path: file, contexts, current };
}

/** `~` and `~/...` as the provider expands them (pulumi-kubernetes provider/pkg/provider/util.go parseKubeconfigString). */
export function expandHome(p: string, home: string = os.homedir()): string {
  if (p === "~") return home;
  return p.startsWith("~/") ? path.join(home, p.slice(2)) : p;
}

/**
 * The kubeconfig files kubectl reads: each entry of $KUBECONFIG (path-list separator), else
 * ~/.kube/config (client-go clientcmd NewDefaultClientConfigLoadingRules).
 */
export function ambientKubeconfigPaths(
  env: Record<string, string | undefined>,
  home: string = os.homedir(),
): string[] {
  const list = (env.KUBECONFIG ?? "").split(path.delimiter).filter((p) => p !== "");
  return list.length > 0 ? list : [path.join(home, ".kube", "config")];
}

const KEY = `${PROJECT}:kubeContext`;

/**
 * The command a context problem tells the operator to run again once the context is fixed: the
 * one that found it (`pulumi preview`/`up`, whose program checks the context, or `verify`).
 */
export type ContextChecker = "Pulumi" | "verify";

/**
 * Why this run must not touch the cluster, one line per problem (empty when it may):
 * - no `kubeContext` (only a stack file the CLI would already refuse gets here);
 * - the kubeconfig the provider reads (`kubeconfig`, else the ambient files) lacks the context;
 * - another context is selected in the ambient kubeconfig (kubectl's `current-context`; the first
 *   file that sets it wins, as client-go merges them);
 * - the provider's own `kubernetes:context` config names another context.
 */
export function kubeContextProblems(
  cfg: Pick<StackConfig, "stack" | "kubeContext" | "kubeconfig">,
  providerFiles: Kubeconfig[],
  ambientFiles: Kubeconfig[],
  providerConfig: Record<string, string>,
  /** The kubeconfig paths the provider would read that hold no file: named, or a typo in $KUBECONFIG reads as "no contexts". */
  absent: string[] = [],
  /** The command running, which the operator runs again once the context is right. */
  checker: ContextChecker = "Pulumi",
  /** Whether the CLI passed `kubernetes:context` as a secret, decrypted here: compared, never shown. */
  secure = false,
): string[] {
  const pinned = cfg.kubeContext;
  const selected = ambientFiles.find((f) => f.current)?.current;
  const where = (files: Kubeconfig[]) =>
    [...files.map((f) => f.path), ...absent.map((a) => `no file at ${a}`)].join(", ") || "no kubeconfig file";
  if (!pinned) return [unpinned(cfg, `the selected context is ${selected ? `"${selected}"` : "none"}`)];
  const p: string[] = [];
  const known = providerFiles.flatMap((f) => f.contexts);
  if (!known.includes(pinned)) {
    p.push(
      `${KEY}: stack "${cfg.stack}" is pinned to context "${pinned}", which the kubeconfig (${where(providerFiles)}) does not have; it has ${known.length > 0 ? known.map((c) => `"${c}"`).join(", ") : "no contexts"} and selects ${selected ? `"${selected}"` : "none"}. Add the cluster's context (kubectl config set-context) or correct kubeContext${closestContexts(pinned, known)}`,
    );
  }
  // A pinned context no kubeconfig has is one mistake, said above with the selected one:
  // `kubectl config use-context <pinned>` would fail there.
  const anywhere = known.includes(pinned) || ambientFiles.some((f) => f.contexts.includes(pinned));
  if (selected && selected !== pinned && anywhere) {
    p.push(
      `${KEY}: stack "${cfg.stack}" is pinned to context "${pinned}" but the selected context is "${selected}" (${where(ambientFiles)}); port-forwards and kubectl, helm and flux commands would reach that other cluster. Run \`kubectl config use-context ${shellWord(pinned)}\`, restart your port-forwards, then run ${checker} again`,
    );
  }
  return [...p, ...providerContextProblems(cfg, providerConfig, secure ? { decrypted: true } : undefined)];
}

/**
 * ` (did you mean ...?)` for a pinned context the kubeconfig lacks: the contexts it has that are
 * close to it, as config/errors.ts closestMatch judges every other misspelt name; each one as near
 * as the nearest, since a pick among equally near names (`admin@stagingx` and `admin@stagin2` for
 * `admin@staging`) would be a guess. "" when none is close.
 */
function closestContexts(pinned: string, contexts: string[]): string {
  const near = contextsNear(pinned, contexts);
  return near.length > 0 ? ` (did you mean ${near.map((c) => `"${c}"`).join(" or ")}?)` : "";
}

/** The contexts {@link closestContexts} names: the nearest, then each as near; none when none is close. */
function contextsNear(pinned: string, contexts: string[]): string[] {
  // One name in two kubeconfig files is one name (two would read as a tie, no answer).
  const known = [...new Set(contexts)];
  const best = closestMatch(pinned, known);
  if (best === undefined) return [];
  const distance = (c: string) => nearest(pinned, [c]).distance;
  const tied = known.filter(
    (c) => c !== best && distance(c) === distance(best) && closestMatch(pinned, [c]) !== undefined,
  );
  return [best, ...tied];
}

/** The problem of a stack that pins no context; `selection` says what is selected, or why that is unknown. */
function unpinned(cfg: Pick<StackConfig, "stack">, selection: string): string {
  return `${KEY}: expected the kube context of stack "${cfg.stack}"'s cluster (\`pulumi config set --stack ${shellWord(cfg.stack)} kubeContext\`, which prompts for the context's name), got nothing; ${selection}`;
}

/**
 * How the provider's `kubernetes:context` is held when the stack file writes it as a `secure:`
 * value. Decrypted (a real run) it is compared with the pinned context but never shown. Offline a
 * placeholder stands in (stackFile.ts secretPlaceholder), which is no context the file names: it
 * is neither compared nor quoted, and the value is said to be unknown, as every `secure:` value
 * of a key that is no secret is (judge.ts withSecureValues). `unreadable` is the fact that the CLI
 * cannot decrypt it either (stackFile.ts undecryptableFact), said in the same line.
 */
export interface SecureContext {
  decrypted: boolean;
  unreadable?: string;
}

/** The provider's own `kubernetes:context` naming another context than the pinned one. */
function providerContextProblems(
  cfg: Pick<StackConfig, "stack" | "kubeContext">,
  providerConfig: Record<string, string>,
  secure?: SecureContext,
): string[] {
  const providerContext = providerConfig["kubernetes:context"];
  if (providerContext === undefined || providerContext === "") return [];
  if (providerContext === cfg.kubeContext && (!secure || secure.decrypted)) return [];
  const got = !secure
    ? `"${providerContext}"`
    : secure.decrypted
      ? "a secret value (not shown), another context"
      : `a \`secure:\` value (not shown), which the offline tools cannot decrypt, so it cannot be compared with the pinned context${secure.unreadable ? ` (${secure.unreadable})` : ""}`;
  return [
    `kubernetes:context: expected nothing or the stack's pinned context "${cfg.kubeContext}" (${KEY}), got ${got}; remove it (\`pulumi config rm --stack ${shellWord(cfg.stack)} kubernetes:context\`)`,
  ];
}

/**
 * The provider's own `kubernetes:context` naming another context than the stack's `kubeContext`,
 * judged from the config alone, so the stack file's check says it with the stack's other config
 * problems in the same run (config/stackCheck.ts, config/load.ts): otherwise the other `kubernetes:`
 * keys are said first and this one only once they are fixed. Empty without a `kubeContext`, whose
 * absence the CLI's own refusal names.
 */
export function providerContextConfigProblems(
  stack: string,
  kubeContext: string | undefined,
  config: Record<string, string>,
  secure?: SecureContext,
): string[] {
  return kubeContext ? providerContextProblems({ stack, kubeContext }, config, secure) : [];
}

/**
 * The context check in its offline form, for the synthesis (no cluster, no kubeconfig read): what
 * {@link kubeContextProblems} finds from the stack's config alone, a missing pin and a provider
 * context naming another cluster.
 */
export function offlineContextProblems(
  cfg: Pick<StackConfig, "stack" | "kubeContext">,
  providerConfig: Record<string, string>,
  /** Whether the CLI passed `kubernetes:context` as a secret (a `secure:` value, unknown offline). */
  secure = false,
): string[] {
  if (!cfg.kubeContext) return [unpinned(cfg, "offline, the kubeconfig is not read")];
  return providerContextProblems(cfg, providerConfig, secure ? { decrypted: false } : undefined);
}

/**
 * {@link kubeContextProblems} from the files themselves: the ambient kubeconfig files (what kubectl
 * reads) and the provider's (the `kubeconfig` key's file, else the ambient ones), naming each path
 * the provider would read that holds no file.
 */
export function stackContextProblems(
  cfg: Pick<StackConfig, "stack" | "kubeContext" | "kubeconfig">,
  allConfig: Record<string, string>,
  env: Record<string, string | undefined>,
  checker: ContextChecker,
  read?: (f: string) => string,
  /** Whether the CLI passed `kubernetes:context` as a secret (decrypted: compared, not shown). */
  secure = false,
): string[] {
  const { ambient, providerFiles, absent } = stackKubeconfigs(cfg, env, read);
  return kubeContextProblems(cfg, providerFiles, ambient, allConfig, absent, checker, secure);
}

/** The kubeconfig files kubectl reads, the provider's, and each path of the provider's that holds no file. */
function stackKubeconfigs(
  cfg: Pick<StackConfig, "kubeconfig">,
  env: Record<string, string | undefined>,
  read?: (f: string) => string,
): { ambient: Kubeconfig[]; providerFiles: Kubeconfig[]; absent: string[] } {
  const absent: string[] = [];
  const load = (files: string[], provider: boolean) =>
    files.flatMap((f) => {
      const k = readKubeconfig(f, read);
      if (!k && provider) absent.push(f);
      return k ? [k] : [];
    });
  const ambient = load(ambientKubeconfigPaths(env), !cfg.kubeconfig);
  const providerFiles = cfg.kubeconfig ? load([expandHome(cfg.kubeconfig)], true) : ambient;
  return { ambient, providerFiles, absent };
}

/**
 * The one context of the provider's kubeconfig a pinned context it lacks most likely means (what
 * {@link kubeContextProblems} offers as "did you mean"), for a command that pins the stack to it;
 * undefined when the kubeconfig has the pinned context, when none is close, and when several are as
 * close (a pick would be a guess).
 */
export function meantContext(
  cfg: Pick<StackConfig, "kubeContext" | "kubeconfig">,
  env: Record<string, string | undefined>,
  read?: (f: string) => string,
): string | undefined {
  const pinned = cfg.kubeContext;
  if (!pinned) return undefined;
  const known = stackKubeconfigs(cfg, env, read).providerFiles.flatMap((f) => f.contexts);
  if (known.includes(pinned)) return undefined;
  const near = contextsNear(pinned, known);
  return near.length === 1 ? near[0] : undefined;
}

/**
 * Refuses (ConfigError) a run whose kube context is not the stack's, before any resource is
 * registered. The program calls it (apply/program.ts); the offline synthesis, which touches no
 * cluster, runs {@link offlineContextProblems} instead.
 */
export function assertStackContext(
  cfg: Pick<StackConfig, "stack" | "kubeContext" | "kubeconfig">,
  allConfig: Record<string, string>,
  env: Record<string, string | undefined> = process.env,
  read?: (f: string) => string,
  /** Whether the CLI passed `kubernetes:context` as a secret (decrypted: compared, not shown). */
  secure = false,
): void {
  const problems = stackContextProblems(cfg, allConfig, env, "Pulumi", read, secure);
  if (problems.length > 0) throw new ConfigError(problems);
}

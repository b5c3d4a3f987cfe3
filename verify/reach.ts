/**
 * How verify reaches each component: the URL given with `--url <component>=<url>`, else a
 * `kubectl port-forward` to the Service the plan names (model/endpoints.ts), through the stack's
 * pinned kube context, named in every kubectl call (`--context`, and `--kubeconfig` when the stack
 * sets one). Each forward is started on first use, bounded in time, and stopped by `close()`.
 */
import * as path from "path";
import { spawn, spawnSync, type ChildProcess } from "child_process";
import { shownToolText } from "../model/yamlText";
import { shellWord } from "../model/running";
import { executableProblem, firstOnPath } from "../config/executable";
import { ApiError } from "./http";
import { ComponentError, componentProblem, misidentified } from "./identify";
import type { Component, Expectations } from "./types";

/** How long a port-forward may take to say where it listens. */
export const FORWARD_TIMEOUT_MS = 15_000;

/** The kubectl binary (`HOMELAB_KUBECTL` overrides, e.g. a wrapper with another kubeconfig). */
const kubectl = (env: NodeJS.ProcessEnv) => env.HOMELAB_KUBECTL || "kubectl";

/** How verify does without kubectl: every component's URL and Grafana's login given. */
const WITHOUT_KUBECTL = "or pass --url for every component and GRAFANA_ADMIN_USER/GRAFANA_ADMIN_PASSWORD";

/**
 * Why kubectl could not be started (`e`, the spawn's error), naming HOMELAB_KUBECTL, what it holds
 * and what was found there when it is set, else kubectl missing from PATH; `without` is how to do
 * without it. Undefined for an error that says itself. "kubectl not found (set HOMELAB_KUBECTL, …)"
 * told a user who had set the variable to set it, naming neither it nor its value.
 */
export function kubectlNotStarted(
  env: NodeJS.ProcessEnv,
  e: NodeJS.ErrnoException,
  without = "",
): string | undefined {
  if (e.code !== "ENOENT" && e.code !== "EACCES") return undefined;
  const set = env.HOMELAB_KUBECTL;
  // EACCES from a PATH search is a file found there that cannot run, not a missing command.
  const onPath = e.code === "EACCES" ? firstOnPath(set || "kubectl", env.PATH) : undefined;
  if (!set)
    return onPath
      ? `kubectl: found on PATH at ${onPath}, a file that is not executable; chmod +x it or set HOMELAB_KUBECTL to another kubectl's path${without}`
      : `kubectl: not found on PATH; install it or set HOMELAB_KUBECTL to its path${without}`;
  // A path is read as HOMELAB_HELM's is; one that passes was refused by spawn all the same: EACCES
  // (a file system mounted noexec), or ENOENT for a file that is there, whose #! interpreter is not.
  const found = !set.includes(path.sep)
    ? onPath
      ? `found on PATH at ${onPath}, a file that is not executable (chmod +x it)`
      : "no such command on PATH"
    : (executableProblem(set, undefined) ??
      (e.code === "EACCES"
        ? "a file that is not executable (chmod +x it)"
        : "a file the system cannot run (the interpreter its #! line names is missing?)"));
  return `HOMELAB_KUBECTL: expected the path of a kubectl binary to run, got ${JSON.stringify(set)}: ${found}; set it to one (\`command -v kubectl\` prints the one on PATH) or unset it for kubectl on PATH${without}`;
}

/** Service, namespace, port and base path of an in-cluster URL `http://<svc>.<ns>.svc...:<port>/<path>`. */
export function serviceOf(url: string): { service: string; namespace: string; port: number; path: string } {
  const u = new URL(url);
  const [service, namespace, svc] = u.hostname.split(".");
  if (!service || !namespace || svc !== "svc")
    throw new Error(`${url} is not an in-cluster Service URL (<service>.<namespace>.svc)`);
  return {
    service,
    namespace,
    port: Number(u.port || (u.protocol === "https:" ? 443 : 80)),
    path: u.pathname.replace(/\/+$/, ""),
  };
}

/** The cluster verify reaches: the stack's pinned context and, when the stack sets one, its kubeconfig. */
export interface ClusterAccess {
  context: string;
  kubeconfig?: string;
  /** Asked once before the first kubectl call: why the cluster must not be reached, or undefined. */
  preflight?: () => string | undefined;
}

/** The flags that pin every kubectl call to the stack's cluster. */
export function contextArgs(cluster: ClusterAccess | undefined): string[] {
  if (!cluster) return [];
  return [...(cluster.kubeconfig ? ["--kubeconfig", cluster.kubeconfig] : []), "--context", cluster.context];
}

/**
 * One question to the cluster before any forward: can kubectl reach it and see the stack's
 * namespace? Returns why not (one line, kubectl's own last words), or undefined. An unreachable
 * cluster is then one error instead of one per component.
 */
export function clusterUnreachable(
  cluster: ClusterAccess,
  namespace: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const r = spawnSync(kubectl(env), [...contextArgs(cluster), "get", "namespace", namespace, "-o", "name"], {
    encoding: "utf8",
    timeout: FORWARD_TIMEOUT_MS,
    env,
  });
  if (r.error)
    return (
      kubectlNotStarted(env, r.error, `, ${WITHOUT_KUBECTL}`) ??
      `kubectl --context ${shellWord(cluster.context)}: ${r.error.message}`
    );
  if (r.status === 0) return undefined;
  // kubectl may quote the kubeconfig (a server URL with a login, a token): shown as the line rule shows it.
  const last =
    shownToolText((r.stderr || r.stdout || "").trim())
      .split("\n")
      .pop() || `exit ${r.status}`;
  return `cannot reach the cluster of context "${cluster.context}" (kubectl get namespace ${namespace}): ${last}`;
}

/** How Grafana's login is had without the cluster's Secret. */
const GRAFANA_LOGIN_INSTEAD = "set GRAFANA_ADMIN_USER and GRAFANA_ADMIN_PASSWORD (Grafana's login)";

/**
 * Why Grafana's login in the environment is half set (one of GRAFANA_ADMIN_USER and
 * GRAFANA_ADMIN_PASSWORD, an empty one unset), undefined when both or neither are. The login is
 * taken from the environment only whole: half of one is a mistake, which reading the Secret instead
 * would hide (a run that passes with another login than the one given, or that reaches the cluster
 * when every --url was given to avoid it). Names the variables, never a value.
 */
export function halfSetGrafanaLogin(env: NodeJS.ProcessEnv): string | undefined {
  const set = (["GRAFANA_ADMIN_USER", "GRAFANA_ADMIN_PASSWORD"] as const).filter((v) => env[v]);
  if (set.length !== 1) return undefined;
  const [given] = set;
  const missing = given === "GRAFANA_ADMIN_USER" ? "GRAFANA_ADMIN_PASSWORD" : "GRAFANA_ADMIN_USER";
  return `Grafana's login: expected both GRAFANA_ADMIN_USER and GRAFANA_ADMIN_PASSWORD, or neither (then it is read from Grafana's Secret through kubectl), got only ${given}; set ${missing} or unset ${given}`;
}

export class Reach {
  private readonly children: ChildProcess[] = [];
  private readonly bases = new Map<Component, Promise<string>>();
  private asked = false;
  /** Why the cluster was not reached (the preflight's answer), once asked. */
  refused: string | undefined;
  /** What asked for the cluster once it was refused: how to do without it, one entry each. */
  readonly instead = new Set<string>();

  constructor(
    private readonly exp: Expectations,
    private readonly given: Partial<Record<Component, string>>,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly cluster?: ClusterAccess,
  ) {}

  /** Base URL of `c`: the given one, or a forward to its Service (once). */
  base(c: Component): Promise<string> {
    let hit = this.bases.get(c);
    if (!hit) {
      const url = this.given[c];
      hit = (url ? Promise.resolve(url) : this.forward(c)).then((base) => this.checked(c, base, !!url));
      this.bases.set(c, hit);
    }
    return hit;
  }

  /** `base` once it answers as `c` (verify/identify.ts); else a ComponentError every user of `c` gets. */
  private async checked(c: Component, base: string, given: boolean): Promise<string> {
    const why = await misidentified(c, base);
    if (why) throw new ComponentError(c, componentProblem(c, base, given, why));
    return base;
  }

  /** The preflight, once; every later kubectl use gets the same answer. */
  private ready(): string | undefined {
    if (!this.asked) {
      this.asked = true;
      this.refused = this.cluster?.preflight?.();
    }
    return this.refused;
  }

  private forward(c: Component): Promise<string> {
    const refused = this.ready();
    if (refused) {
      this.instead.add(`pass --url ${c}=<url>`);
      // Grafana's check asks for the login next: said now, not on the run after.
      if (c === "grafana" && !(this.env.GRAFANA_ADMIN_USER && this.env.GRAFANA_ADMIN_PASSWORD))
        this.instead.add(GRAFANA_LOGIN_INSTEAD);
      return Promise.reject(new ApiError(`${c}: ${refused}`));
    }
    const target = serviceOf(this.exp.serviceUrls[c]);
    const args = [
      ...contextArgs(this.cluster),
      "-n",
      target.namespace,
      "port-forward",
      "--address",
      "127.0.0.1",
      `svc/${target.service}`,
      `:${target.port}`,
    ];
    const what = `kubectl${this.cluster ? ` --context ${shellWord(this.cluster.context)}` : ""} -n ${target.namespace} port-forward svc/${target.service} :${target.port}`;
    return new Promise((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = spawn(kubectl(this.env), args, { stdio: ["ignore", "pipe", "pipe"], env: this.env });
      } catch (e) {
        reject(new ApiError(`${c}: cannot start ${what} (${(e as Error).message}); pass --url ${c}=<url>`));
        return;
      }
      this.children.push(child);
      let out = "";
      let err = "";
      const done = (e?: string, base?: string) => {
        clearTimeout(timer);
        if (e) {
          child.kill();
          reject(new ApiError(`${c}: ${what}: ${e}; pass --url ${c}=<url> to reach it another way`));
        } else resolve(base!);
      };
      const timer = setTimeout(
        () => done(`no forward within ${FORWARD_TIMEOUT_MS / 1000} s`),
        FORWARD_TIMEOUT_MS,
      );
      child.stdout!.on("data", (d) => {
        out += d;
        // kubectl prints "Forwarding from 127.0.0.1:<local> -> <remote>" once it listens.
        const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
        if (m) done(undefined, `http://127.0.0.1:${m[1]}${target.path}`);
      });
      child.stderr!.on("data", (d) => (err += d));
      child.on("error", (e) => done(kubectlNotStarted(this.env, e) ?? e.message));
      child.on("exit", (code) =>
        done(`exited ${code}${err.trim() ? `: ${shownToolText(err.trim()).split("\n").pop()}` : ""}`),
      );
    });
  }

  /**
   * Grafana's admin login: `GRAFANA_ADMIN_USER` and `GRAFANA_ADMIN_PASSWORD` from the environment,
   * else (neither set) the plan's Secret through `kubectl get secret`. Never printed.
   */
  grafanaLogin(): Promise<{ user: string; password: string }> {
    const { GRAFANA_ADMIN_USER: user, GRAFANA_ADMIN_PASSWORD: password } = this.env;
    if (user && password) return Promise.resolve({ user, password });
    const half = halfSetGrafanaLogin(this.env);
    if (half) return Promise.reject(new ApiError(half));
    const refused = this.ready();
    if (refused) {
      this.instead.add(GRAFANA_LOGIN_INSTEAD);
      return Promise.reject(new ApiError(`grafana: ${refused}`));
    }
    const s = this.exp.grafanaAdminSecret;
    const r = spawnSync(
      kubectl(this.env),
      [...contextArgs(this.cluster), "-n", this.exp.namespace, "get", "secret", s.name, "-o", "json"],
      {
        encoding: "utf8",
        timeout: FORWARD_TIMEOUT_MS,
        env: this.env,
      },
    );
    const data = (() => {
      try {
        return JSON.parse(r.stdout)?.data ?? {};
      } catch {
        return {};
      }
    })();
    const decode = (k: string) => (data[k] ? Buffer.from(String(data[k]), "base64").toString("utf8") : "");
    const login = { user: decode(s.userKey), password: decode(s.passwordKey) };
    if (r.status === 0 && login.user && login.password) return Promise.resolve(login);
    return Promise.reject(
      new ApiError(
        `no Grafana admin login: set GRAFANA_ADMIN_USER and GRAFANA_ADMIN_PASSWORD, or let kubectl read Secret ${this.exp.namespace}/${s.name} (keys ${s.userKey}, ${s.passwordKey})`,
      ),
    );
  }

  /** Stops every forward this run started. */
  close(): void {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill();
  }
}

/**
 * The namespaces a prometheus-operator reads monitors in and reconciles Prometheus and
 * PrometheusAgent resources in, from its Deployment's flags; read, not run, at v0.93.0:
 * - `--namespaces` (the allow list) and `--deny-namespaces` (cmd/operator/main.go:173-174), each
 *   value a comma list added to a set, so a flag given twice adds both (pkg/operator/config.go:383-393);
 *   both given, whatever their values, the operator exits (main.go:296-298); no allow list is
 *   every namespace (config.go:295-297);
 * - ServiceMonitors, PodMonitors, Probes and ScrapeConfigs are listed in the allow list's namespaces,
 *   or in every namespace but the deny list's when it is every one (pkg/prometheus/server/
 *   operator.go:281-341, pkg/prometheus/agent/operator.go:233-285; pkg/informers/informers.go:218-237:
 *   the deny list only filters an all-namespace informer), so a monitor elsewhere is never read;
 * - Prometheus and PrometheusAgent resources are watched in `--prometheus-instance-namespaces`
 *   (main.go:175), the allow list when unset (config.go:299-301), with the same deny filter
 *   (server/operator.go:249-252, agent/operator.go:202-205): one elsewhere is never reconciled.
 * kube-prometheus-stack 88.0.0 writes `--deny-namespaces` from `prometheusOperator.denyNamespaces`
 * and `--namespaces` from `prometheusOperator.namespaces` (templates/prometheus-operator/
 * deployment.yaml:74-87).
 */

/** A Deployment as much as this reads of it. */
interface DeploymentLike {
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  spec?: any;
}

/** What one operator reads: the allow list (undefined: every namespace), the deny list, the instances' list. */
interface Scope {
  allow?: Set<string>;
  deny: Set<string>;
  instances?: Set<string>;
  /** `--prometheus-instance-selector` (main.go:187; "" when not given). */
  selector: string;
  /** `--controller-id` (main.go:170; "" when not given). */
  controllerId: string;
  /** The flag the instances' namespaces come from, and the operator's Deployment. */
  instancesFrom: "prometheus-instance-namespaces" | "namespaces" | "deny-namespaces";
  operator: DeploymentLike;
}

/** A Prometheus or PrometheusAgent as much as this reads of it. */
export interface ServerLike {
  metadata: { namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
}

/** The annotation naming the operator that reconciles a server (pkg/operator/resource_reconciler.go:103). */
const CONTROLLER_ID = "operator.prometheus.io/controller-id";

/**
 * Whether labels `labels` certainly match label selector `selector` in the forms this reads
 * (`k=v`, `k==v`, `k!=v`, `k`, `!k`, comma-joined); undefined for any other form (`in`, `notin`).
 */
function selectorMatches(selector: string, labels: Record<string, string>): boolean | undefined {
  if (selector.trim() === "") return true;
  let verdict: boolean | undefined = true;
  for (const part of selector.split(",")) {
    const m = /^\s*(!?)\s*([A-Za-z0-9_./-]+)\s*(?:(==|=|!=)\s*([A-Za-z0-9_.-]*))?\s*$/.exec(part);
    if (!m || (m[1] && m[3])) return undefined;
    const [, not, key, op, value] = m;
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    const ok =
      op === undefined ? has !== (not === "!") : op === "!=" ? labels[key] !== value : labels[key] === value;
    if (!ok) verdict = false;
  }
  return verdict;
}

const IMAGE = /(^|\/)prometheus-operator\/prometheus-operator(:|@|$)/;

/** Each value given to Go flag `name` in `args` (`--name=v`, `-name=v`, `--name v`), in order; undefined when it is not given. */
function givenValues(args: string[], name: string): string[] | undefined {
  const out: string[] = [];
  args.forEach((a, i) => {
    const m = /^--?([^=]+)(?:=(.*))?$/.exec(a);
    if (m && m[1] === name) out.push(m[2] ?? args[i + 1] ?? "");
  });
  return out.length > 0 ? out : undefined;
}

/** The values given to Go flag `name` in `args`, each split at commas. */
const flagValues = (args: string[], name: string): string[] | undefined =>
  givenValues(args, name)?.flatMap((v) => v.split(","));

/**
 * Whether a container runs prometheus-operator: its image, or one mirrored under another name
 * (`prometheusOperator.image.repository`) known by the operator's own `--prometheus-config-reloader`
 * flag (main.go:160), which kube-prometheus-stack 88.0.0 always writes (templates/prometheus-operator/
 * deployment.yaml:96-100).
 */
const isOperator = (image: string, args: string[]) =>
  IMAGE.test(image) || flagValues(args, "prometheus-config-reloader") !== undefined;

/** The command lines of the containers of Deployment `o` that run prometheus-operator (as {@link isOperator} knows one). */
function operatorArgs(o: DeploymentLike): string[][] {
  if (o.kind !== "Deployment") return [];
  return ((o.spec?.template?.spec?.containers ?? []) as any[])
    .map((c) => ({
      image: String(c.image ?? ""),
      args: [...(c.command ?? []), ...(c.args ?? [])].map(String),
    }))
    .filter((c) => isOperator(c.image, c.args))
    .map((c) => c.args);
}

/** Whether `o` is a Deployment with a container running prometheus-operator. */
export const runsPrometheusOperator = (o: DeploymentLike): boolean => operatorArgs(o).length > 0;

/** The last value given to Go flag `name` in `args`, whole (a flag whose Set replaces its value). */
const flagValue = (args: string[], name: string): string | undefined => givenValues(args, name)?.at(-1);

/** The scope of each prometheus-operator Deployment of `objects`; null for one the operator refuses to start with. */
function scopes(objects: DeploymentLike[]): (Scope | null)[] {
  const commands = objects.flatMap((o) => operatorArgs(o).map((args) => ({ args, operator: o })));
  return commands.map(({ args, operator }): Scope | null => {
    // Each time a flag is given its set gains an entry, "" for an empty value, so the operator
    // exits on both flags given whatever their values (main.go:296-298: `--namespaces=`, which
    // kube-prometheus-stack writes for `namespaces: {releaseNamespace: false}`, counts).
    if (flagValues(args, "namespaces") && flagValues(args, "deny-namespaces")) return null;
    // The empty name is corev1.NamespaceAll: an allow list holding it lists every namespace
    // (informers.go:218-237, its informer for "" unfiltered).
    const set = (name: string) => {
      const v = flagValues(args, name);
      return v === undefined || v.includes("") ? undefined : new Set(v);
    };
    const allow = set("namespaces");
    // Each deny list entry becomes `metadata.namespace!=<entry>` (pkg/listwatch/listwatch.go:
    // 226-242 DenyTweak): an empty one excludes nothing, the others stay denied (`monitoring,`).
    const deny = new Set((flagValues(args, "deny-namespaces") ?? []).filter((n) => n !== ""));
    // Go's flag.StringVar and LabelSelector.Set keep the last value given (config.go:330-337).
    const lastOf = (name: string) => flagValue(args, name) ?? "";
    const instances = set("prometheus-instance-namespaces");
    return {
      allow,
      deny,
      instances: instances ?? allow,
      selector: lastOf("prometheus-instance-selector"),
      controllerId: lastOf("controller-id"),
      instancesFrom: instances ? "prometheus-instance-namespaces" : allow ? "namespaces" : "deny-namespaces",
      operator,
    };
  });
}

const inScope = (list: Set<string> | undefined, deny: Set<string>, ns: string) =>
  list ? list.has(ns) : !deny.has(ns);

/** An operator of the default flags, taken for the stack's when it renders none: it reads every namespace. */
const EVERYWHERE: Scope = {
  deny: new Set(),
  selector: "",
  controllerId: "",
  instancesFrom: "deny-namespaces",
  operator: {},
};

/**
 * Which of the rendered prometheus-operators reconcile which server and read which monitors.
 * A server is reconciled by each operator (none rendered: one of the default flags; one refusing
 * its flags, an allow and a deny list, runs none) whose instances' namespaces hold it, whose
 * `--prometheus-instance-selector` its labels match (the informer's label selector,
 * server/operator.go:249-259, agent/operator.go:202-211) and whose `--controller-id` its
 * `operator.prometheus.io/controller-id` annotation equals, both empty by default
 * (resource_reconciler.go:722-735); one no operator certainly reconciles (none, or a selector form
 * not read here) is never judged: nothing rewrites its config. A monitor is rejected from a
 * server's config when every operator reconciling the server reads the monitor's namespace.
 */
export function operatorReads(objects: DeploymentLike[]): {
  servers: (server: ServerLike) => boolean;
  monitors: (server: ServerLike, ns: string) => boolean;
} {
  const found = scopes(objects);
  const running = found.length === 0 ? [EVERYWHERE] : found.filter((s): s is Scope => s !== null);
  const verdicts = ({ metadata: m }: ServerLike) =>
    running.map((s) =>
      inScope(s.instances, s.deny, m.namespace ?? "") &&
      (m.annotations?.[CONTROLLER_ID] ?? "") === s.controllerId
        ? selectorMatches(s.selector, m.labels ?? {})
        : false,
    );
  const reconcilers = (server: ServerLike) => {
    const v = verdicts(server);
    return v.includes(undefined) ? [] : running.filter((_, i) => v[i]);
  };
  return {
    servers: (server) => reconcilers(server).length > 0,
    monitors: (server, ns) => {
      const by = reconcilers(server);
      return by.length > 0 && by.every((s) => inScope(s.allow, s.deny, ns));
    },
  };
}

/** Why one rendered operator leaves a server alone: the flag that does, and its value as the operator reads it. */
export interface LeftAlone {
  operator: DeploymentLike;
  flag:
    | "prometheus-instance-namespaces"
    | "namespaces"
    | "deny-namespaces"
    | "prometheus-instance-selector"
    | "controller-id";
  value: string;
}

/**
 * Why no rendered prometheus-operator reconciles `server`: each operator's flags that leave it
 * alone (every one, as each must be mended), `"none"` when the render holds no operator, an
 * operator refusing its flags counting as none (it exits, main.go:296-298); undefined when one
 * reconciles it or that rests on a selector form not read here. An operator leaves a server alone
 * outside its instances' namespaces (`--prometheus-instance-namespaces`, else `--namespaces`, else
 * all but `--deny-namespaces`: config.go:295-301, server/operator.go:249-252, agent/operator.go:
 * 202-205), when its `--prometheus-instance-selector` does not match the server's labels (the
 * informer's label selector, server/operator.go:255-257, agent/operator.go:208-210), or when its
 * `--controller-id` differs from the server's `operator.prometheus.io/controller-id` annotation
 * (isManagedByController, resource_reconciler.go:722-735).
 */
export function whyLeftAlone(
  objects: DeploymentLike[],
  server: ServerLike,
): LeftAlone[] | "none" | undefined {
  const running = scopes(objects).filter((s): s is Scope => s !== null);
  if (running.length === 0) return "none";
  const m = server.metadata;
  const out: LeftAlone[] = [];
  for (const s of running) {
    const mine: LeftAlone[] = [];
    const ns = m.namespace ?? "";
    if (!inScope(s.instances, s.deny, ns)) {
      const list = s.instancesFrom === "deny-namespaces" ? s.deny : (s.instances ?? new Set<string>());
      mine.push({ operator: s.operator, flag: s.instancesFrom, value: [...list].join(",") });
    }
    const matches = selectorMatches(s.selector, m.labels ?? {});
    if (matches === undefined) return undefined;
    if (!matches)
      mine.push({ operator: s.operator, flag: "prometheus-instance-selector", value: s.selector });
    if ((m.annotations?.[CONTROLLER_ID] ?? "") !== s.controllerId)
      mine.push({ operator: s.operator, flag: "controller-id", value: s.controllerId });
    if (mine.length === 0) return undefined;
    out.push(...mine);
  }
  return out;
}

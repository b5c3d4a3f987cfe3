/**
 * A Prometheus or PrometheusAgent of the stack that no prometheus-operator of the stack reconciles
 * (upstream/prometheusOperatorScope.ts whyLeftAlone, read at v0.93.0): its instances' namespaces
 * leave it out, its `--prometheus-instance-selector` does not match its labels, its
 * `--controller-id` is not the server's, or the stack renders no operator. Nothing makes its
 * StatefulSet: the stack runs no Prometheus for it, and the monitors and rules it selects are
 * scraped and evaluated by nothing, which no other check says (the rendered server looks whole).
 * Warned, not refused: an operator outside the stack may reconcile it, and a running StatefulSet
 * is left as it is by an operator that stops watching its server (nothing deployed is lost).
 */
import { chartOf, describe, groupOf, type K8sObject, type Placed } from "./objects";
import { operatorFlags, whyLeftAlone, type LeftAlone } from "../upstream/prometheusOperatorScope";
import { versions } from "../model/versions";
import { processArgs, prometheusOperatorStop } from "./processArgs";
import { mirrorsOf } from "./imageDigests";
import type { ImageMirrors } from "@homelab-observability/contract";

/**
 * Whether the operator of `l` is idle by a command line the process-args check refuses (an
 * undeclared flag, a value its flag refuses, -help, --version): that check says it, with the flag
 * and where it comes from, and the pod never starting is the one mistake, not a second one about
 * what it would reconcile. An operator under another image name than the pin's repository or a copy
 * of it at one of the stack's registry `mirrors` (a fork's) is not one process-args knows by its
 * image: its stop is said here.
 */
const saidByProcessArgs = (l: LeftAlone, mirrors: ImageMirrors): boolean =>
  "idle" in l &&
  ((l.operator.spec?.template?.spec?.containers ?? []) as any[]).some((c) => {
    const read = processArgs(c, mirrors)?.read;
    return read !== undefined && "stops" in read;
  });

const KPS = versions.charts.kubePrometheusStack.chart;
/** A kube-prometheus-stack value, as the stack file writes it (backquoted: the synthesis adds its line). */
const kps = (path: string) => `\`chartValues.${KPS}.${path}\``;

/**
 * The kube-prometheus-stack 88.0.0 value each flag of its operator comes from (templates/
 * prometheus-operator/deployment.yaml: `--deny-namespaces` :74-76, `--namespaces` :77-87,
 * `--prometheus-instance-namespaces` :117-119, `--prometheus-instance-selector` :120-122, any
 * other flag such as `--controller-id` through `extraArgs` :157-159; values.yaml:3207, 3214, 3220,
 * 3579, 3353).
 */
const KPS_FLAG_KEYS: Record<Exclude<LeftAlone, { idle: string }>["flag"], string> = {
  "deny-namespaces": "prometheusOperator.denyNamespaces",
  namespaces: "prometheusOperator.namespaces",
  "prometheus-instance-namespaces": "prometheusOperator.prometheusInstanceNamespaces",
  "prometheus-instance-selector": "prometheusOperator.prometheusInstanceSelector",
  "controller-id": "prometheusOperator.extraArgs",
};

const CONTROLLER_ID = "operator.prometheus.io/controller-id";

type ScopeFlag = keyof typeof KPS_FLAG_KEYS;

/**
 * Where the stack file sets `flag` of kube-prometheus-stack's operator Deployment `operator`: its
 * own value, `prometheusOperator.extraArgs`, or both. The chart's own arguments end with
 * `--web.enable-tls=true` and four more, or `--web.enable-tls=false` and one more, and
 * `extraArgs` follows them (templates/prometheus-operator/deployment.yaml:147-159); an operator
 * whose arguments are not so laid out is taken to have its flag from its own value.
 */
function kpsFlagKey(operator: K8sObject, flag: ScopeFlag): string {
  const own = kps(KPS_FLAG_KEYS[flag]);
  const extra = kps("prometheusOperator.extraArgs");
  if (KPS_FLAG_KEYS[flag] === "prometheusOperator.extraArgs") return own;
  for (const c of (operator.spec?.template?.spec?.containers ?? []) as any[]) {
    const args: string[] = Array.isArray(c.args) ? c.args.map(String) : [];
    const tls = args.findIndex((a) => a.startsWith("--web.enable-tls="));
    if (tls < 0) continue;
    const end = tls + (args[tls] === "--web.enable-tls=true" ? 5 : 2);
    const count = (from: string[]) => {
      const read = operatorFlags(from);
      return "flags" in read ? (read.flags.get(flag)?.length ?? 0) : undefined;
    };
    const [chart, all] = [count(args.slice(0, end)), count(args)];
    if (chart === undefined || all === undefined || all === chart) return own;
    return chart === 0 ? `--${flag} in ${extra}` : `${own} and --${flag} in ${extra}`;
  }
  return own;
}

const nameOf = (o: { kind?: string; metadata?: { name?: string; namespace?: string } }) =>
  `${o.kind} ${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`;

/**
 * What one flag does to `server` and how to mend it, naming the key the stack file sets it with; or
 * why its operator runs no controller. kube-prometheus-stack 88.0.0 writes only flags the operator
 * declares, each as `--flag=value`, and no command (templates/prometheus-operator/deployment.yaml:
 * 59-159), so an undeclared flag, `--version` or a command comes from `prometheusOperator.extraArgs`
 * (:157-159); both namespace lists come from their own values (values.yaml:3207, 3214).
 */
function said(l: LeftAlone, server: K8sObject): { why: string; mend: string } {
  const fromKps = chartOf(l.operator as K8sObject) === KPS;
  if ("idle" in l) {
    const extra = fromKps ? kps("prometheusOperator.extraArgs") : `${nameOf(l.operator)}'s command line`;
    const version = /^(--[a-z-]+) prints its version/.exec(l.idle);
    return {
      why: `${nameOf(l.operator)} runs no controller: ${l.idle}`,
      mend: l.replicas
        ? `set ${nameOf(l.operator)}'s spec.replicas to 1 or more`
        : l.flags === "namespaces-and-deny"
          ? fromKps
            ? `set one of ${kps(KPS_FLAG_KEYS.namespaces)} and ${kps(KPS_FLAG_KEYS["deny-namespaces"])}, not both`
            : `give ${nameOf(l.operator)} one of --namespaces and --deny-namespaces, not both`
          : version
            ? `remove ${version[1]} from ${extra}`
            : /^its command/.test(l.idle)
              ? `remove the command from ${extra} (the operator's controllers run under "start", its default)`
              : `remove what it refuses from ${extra}`,
    };
  }
  const serverKps = chartOf(server) === KPS;
  const flag = `--${l.flag}${l.value === "" ? "" : `=${l.value}`}`;
  const key = fromKps ? kpsFlagKey(l.operator as K8sObject, l.flag) : `--${l.flag}`;
  const by = fromKps ? `${nameOf(l.operator)}'s ${flag}, from ${key},` : `${nameOf(l.operator)}'s ${flag}`;
  const ns = server.metadata.namespace ?? "";
  switch (l.flag) {
    case "prometheus-instance-namespaces":
    case "namespaces":
      return {
        why: `${by} watches Prometheus and PrometheusAgent resources only in ${l.value
          .split(",")
          .map((n) => JSON.stringify(n))
          .join(", ")}`,
        mend: `list ${JSON.stringify(ns)} in ${key}`,
      };
    case "deny-namespaces":
      return {
        why: `${by} watches none in ${JSON.stringify(ns)}`,
        mend: `take ${JSON.stringify(ns)} out of ${key}`,
      };
    case "prometheus-instance-selector":
      return {
        why: `${by} watches only those whose labels match ${JSON.stringify(l.value)}, and its labels do not`,
        mend: `give it labels that match${serverKps ? ` through ${kps("prometheus.additionalLabels")}` : ""}, or set ${key} to a selector they match`,
      };
    case "controller-id": {
      const has = server.metadata.annotations?.[CONTROLLER_ID] ?? "";
      const annotate = serverKps ? ` through ${kps("prometheus.annotations")}` : "";
      return {
        why:
          l.value === ""
            ? `${nameOf(l.operator)} has no --controller-id and reconciles only servers without the ${CONTROLLER_ID} annotation, which it has (${JSON.stringify(has)})`
            : `${by} reconciles only servers annotated ${CONTROLLER_ID}: ${JSON.stringify(l.value)}, and it is ${has === "" ? "not annotated" : `annotated ${JSON.stringify(has)}`}`,
        mend:
          l.value === ""
            ? `remove its ${CONTROLLER_ID} annotation${annotate}`
            : `annotate it ${CONTROLLER_ID}: ${JSON.stringify(l.value)}${annotate}, or remove --controller-id from ${fromKps ? kps(KPS_FLAG_KEYS[l.flag]) : nameOf(l.operator)}`,
      };
    }
  }
}

/** The warning of each Prometheus and PrometheusAgent of the stack no prometheus-operator of the stack reconciles. */
export function unreconciledServerWarnings(objects: Placed[]): string[] {
  const deployments = objects.map((p) => p.obj);
  const servers = objects.filter(
    (p) =>
      groupOf(p.obj.apiVersion) === "monitoring.coreos.com" &&
      (p.obj.kind === "Prometheus" || p.obj.kind === "PrometheusAgent") &&
      // A paused server is one the user keeps from the operator on purpose (server/operator.go:934-937).
      p.obj.spec?.paused !== true,
  );
  // The operators' command lines judged as process-args judges them, values included, whatever
  // the image is named: an operator under a mirror's name is known to the scope by its own flag.
  const leftAlone = whyLeftAlone(deployments, prometheusOperatorStop);
  const mirrors = mirrorsOf(objects);
  return servers.flatMap((p) => {
    const why = leftAlone(p.obj);
    if (why === undefined || (why !== "none" && why.every((l) => saidByProcessArgs(l, mirrors)))) return [];
    const runs = `so the stack runs no ${p.obj.kind} for it: no StatefulSet is made, and nothing scrapes the monitors it selects${p.obj.kind === "Prometheus" ? " or evaluates the rules it selects" : ""}`;
    const outside = "unless a prometheus-operator outside the stack reconciles it";
    if (why === "none") {
      const off = chartOf(p.obj) === KPS ? `: ${kps("prometheusOperator.enabled")} is false` : "";
      return [
        `${describe(p)}: the stack renders no prometheus-operator${off}, ${runs}, ${outside}; set ${chartOf(p.obj) === KPS ? `${kps("prometheusOperator.enabled")} to true` : "up an operator that reconciles it"}, or make sure one outside the stack does`,
      ];
    }
    const each = why.map((l) => said(l, p.obj));
    return [
      `${describe(p)}: no prometheus-operator of the stack reconciles it (${each.map((e) => e.why).join("; ")}), ${runs}, ${outside}; ${[...new Set(each.map((e) => e.mend))].join(", and ")}`,
    ];
  });
}

import { isSecretEnvelope } from "@homelab-observability/contract";
/**
 * Every `${VAR}` in a config file a container reads must be expanded by that program and provided
 * to the container. Loki and Mimir expand only with `-config.expand-env=true` (their documented
 * flag; ../shared/REFERENCE.md); Vector interpolates environment variables in its config file
 * itself; Grafana does so in provisioning files, not in dashboards. Anything else reads `${VAR}`
 * literally (this check judges only upper-case names there: dashboards use `${var}` for their own
 * template variables). A variable is provided by `env` (a value, a field
 * reference, or a key of a Secret/ConfigMap that exists) or by `envFrom` of a Secret/ConfigMap that
 * exists and, where its keys are visible, holds the key.
 */
import { describe, podTemplates, type Finding, type K8sObject, type Placed } from "./objects";

const VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}/g;

export interface EnvReport {
  /** `VAR` uses checked, per container. */
  checked: number;
  findings: Finding[];
}

/** Keys of a Secret/ConfigMap, or undefined when they are not visible (a secret envelope). */
export type KeysOf = (kind: "Secret" | "ConfigMap", namespace: string, name: string) => string[] | undefined;

function visibleKeys(obj: K8sObject): string[] | undefined {
  const keys: string[] = [];
  for (const field of ["data", "stringData", "binaryData"]) {
    const v = obj[field];
    if (v === undefined) continue;
    if (typeof v !== "object" || v === null) return undefined;
    // A Pulumi secret envelope hides the keys.
    if (isSecretEnvelope(v)) return undefined;
    keys.push(...Object.keys(v));
  }
  return keys;
}

type Expansion = "flag" | "always" | "provisioning" | "never";

function expansionOf(image: string): Expansion {
  if (/(^|\/)grafana\/(loki|mimir)(:|@|$)/.test(image)) return "flag";
  if (/(^|\/)timberio\/vector(:|@|$)/.test(image)) return "always";
  if (/(^|\/)grafana\/grafana(:|@|$)/.test(image)) return "provisioning";
  return "never";
}

export function checkEnvVars(objects: Placed[], keysOf: KeysOf = () => undefined): EnvReport {
  const report: EnvReport = { checked: 0, findings: [] };
  const find = (kind: string, ns: string, name: string) =>
    objects.find(
      (p) => p.obj.kind === kind && p.obj.metadata.namespace === ns && p.obj.metadata.name === name,
    );
  const keys = (kind: "Secret" | "ConfigMap", ns: string, name: string): string[] | undefined => {
    const o = find(kind, ns, name);
    return (o && visibleKeys(o.obj)) ?? keysOf(kind, ns, name);
  };
  for (const t of podTemplates(objects)) {
    const ns = t.owner.obj.metadata.namespace!;
    const volumes = new Map<string, any>((t.spec.volumes ?? []).map((v: any) => [v.name, v]));
    for (const c of t.spec.containers ?? []) {
      // Config text this container reads: mounted ConfigMaps/Secrets and its own args.
      const files: { where: string; text: string; path: string }[] = [];
      for (const m of c.volumeMounts ?? []) {
        const v = volumes.get(m.name);
        const ref = v?.configMap
          ? ["ConfigMap", v.configMap.name]
          : v?.secret
            ? ["Secret", v.secret.secretName]
            : undefined;
        if (!ref) continue;
        const o = find(ref[0], ns, ref[1]);
        const data = o?.obj.stringData ?? o?.obj.data;
        if (!data || typeof data !== "object") continue;
        for (const [k, text] of Object.entries(data)) {
          if (typeof text !== "string") continue;
          const decoded = o!.obj.stringData ? text : Buffer.from(text, "base64").toString("utf8");
          files.push({
            where: `${ref[0]} ${ref[1]} key ${k}`,
            text: o!.obj.kind === "ConfigMap" ? text : decoded,
            path: m.mountPath,
          });
        }
      }
      for (const a of c.args ?? [])
        if (typeof a === "string") files.push({ where: "args", text: a, path: "" });
      const mode = expansionOf(String(c.image ?? ""));
      const expandFlag = (c.args ?? []).some((a: string) => /^--?config\.expand-env(=true)?$/.test(a));
      for (const f of files) {
        if (mode === "provisioning" && !f.path.startsWith("/etc/grafana/provisioning")) continue;
        for (const m of f.text.matchAll(VAR)) {
          const name = m[1];
          if (mode === "never" && !/^[A-Z_][A-Z0-9_]*$/.test(name)) continue;
          report.checked++;
          const where = `${describe(t.owner)} container ${c.name}`;
          const fail = (message: string) =>
            report.findings.push({ check: "env", where, message: `${f.where}: \${${name}} ${message}` });
          if (mode === "never" && f.where !== "args") {
            fail(`is never expanded: ${c.image} reads it literally`);
            continue;
          }
          if (mode === "flag" && !expandFlag) {
            fail("is not expanded: the container lacks -config.expand-env=true");
            continue;
          }
          if (mode === "never") continue; // in args the kubelet expands $(VAR), not ${VAR}; not ours to judge
          const env = (c.env ?? []).find((e: any) => e.name === name);
          if (env) {
            const ref = env.valueFrom?.secretKeyRef ?? env.valueFrom?.configMapKeyRef;
            if (ref) {
              const kind = env.valueFrom?.secretKeyRef ? "Secret" : "ConfigMap";
              const ks = keys(kind, ns, ref.name);
              if (!find(kind, ns, ref.name))
                fail(`comes from ${kind} ${ns}/${ref.name}, which nothing in the stack creates`);
              else if (ks && !ks.includes(ref.key))
                fail(
                  `comes from key ${ref.key} of ${kind} ${ns}/${ref.name}, which has only ${ks.join(", ")}`,
                );
            }
            continue;
          }
          const sources = (c.envFrom ?? []).map((e: any) =>
            e.secretRef
              ? { kind: "Secret" as const, ...e.secretRef, prefix: e.prefix ?? "" }
              : { kind: "ConfigMap" as const, ...e.configMapRef, prefix: e.prefix ?? "" },
          );
          const existing = sources.filter((s: any) => find(s.kind, ns, s.name));
          for (const s of sources.filter((x: any) => !existing.includes(x)))
            fail(`may come from envFrom ${s.kind} ${ns}/${s.name}, which nothing in the stack creates`);
          const providing = existing.filter((s: any) => {
            const ks = keys(s.kind, ns, s.name);
            return ks === undefined ? s.prefix === "" : ks.some((k) => `${s.prefix}${k}` === name);
          });
          if (existing.length > 0 && providing.length === 0)
            fail(`is in none of envFrom ${existing.map((s: any) => `${s.kind} ${s.name}`).join(", ")}`);
          if (sources.length === 0) fail("is provided by neither env nor envFrom");
        }
      }
    }
  }
  return report;
}

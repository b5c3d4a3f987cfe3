import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { Level } from "./lib/config";
import { helmOf, isSecretEnvelope, label, parseDoc, textDataOf, toRes } from "./lib/resources";
import { workloadsOf } from "./lib/workloads";

/** Keys that hold credentials when given a literal value. */
const CREDENTIAL_KEY =
  /^(secretAccessKey|secret_access_key|accessKeyId|access_key_id|password|passwd|adminPassword|admin_password|token|auth_token|bearer_token|user_key|userKey|apiKey|api_key|secretKey|secret_key|client_secret|clientSecret)$/i;
/** Env var names that hold credentials. */
const CREDENTIAL_ENV = /(PASSWORD|PASSWD|SECRET|TOKEN|ACCESS_KEY|API_KEY|USER_KEY|CREDENTIAL)/i;
/** Values that are references, not credentials: ${VAR}, $__env{..}/$__file{..}, and empty. */
const REFERENCE = /^(\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$__(env|file|vault)\{[^}]+\}|\$[A-Za-z_][A-Za-z0-9_]*)$/;
/** Keys next to which `userKey`/`passwordKey` name a key inside a Secret, not a credential. */
const SECRET_REFERENCE_SIBLINGS = ["existingSecret", "secretName", "secretRef", "secretKeyRef", "valueFrom"];

function literal(v: unknown): v is string | number {
  return (typeof v === "string" && v.length > 0 && !REFERENCE.test(v)) || typeof v === "number";
}

/** Credential-looking keys with literal values in a tree, with their paths. */
export function plaintextIn(v: any, path: string): string[] {
  if (!v || typeof v !== "object" || isSecretEnvelope(v)) return [];
  const out: string[] = [];
  const refSiblings = !Array.isArray(v) && SECRET_REFERENCE_SIBLINGS.some((k) => k in v);
  for (const [k, child] of Object.entries<any>(v)) {
    const p = Array.isArray(v) ? `${path}[${k}]` : `${path}.${k}`;
    if (!Array.isArray(v) && CREDENTIAL_KEY.test(k) && literal(child) && !refSiblings) out.push(p);
    else if (
      child &&
      typeof child === "object" &&
      typeof child.name === "string" &&
      "value" in child &&
      CREDENTIAL_ENV.test(child.name) &&
      literal(child.value)
    ) {
      out.push(`${p} (env ${child.name})`);
    } else out.push(...plaintextIn(child, p));
  }
  return out;
}

/** No literal credentials in Helm values, ConfigMaps or container env: use Secrets and references. */
export function noPlaintextCredentials(level: Level = "mandatory"): ResourceValidationPolicy {
  return {
    name: "no-plaintext-credentials",
    description:
      "Credentials never appear as literals in Helm values, ConfigMap data or container env; use Secret references, ${VAR} expansion or files.",
    enforcementLevel: level,
    validateResource: (args, report) => {
      const r = toRes(args);
      const fix =
        "Move the value into a Kubernetes Secret and reference it (extraEnvFrom/existingSecret/secretKeyRef, ${VAR} with -config.expand-env, or a *_file path).";
      const helm = helmOf(r);
      // The engine unwraps secrets before policies see them, so a credential put into Helm values
      // as a Pulumi secret arrives here as its literal value and is caught below.
      if (helm) {
        for (const p of plaintextIn(helm.values, "values"))
          report(`${label(r)}: ${p} is a literal credential. ${fix}`);
      }
      if (r.type === "kubernetes:core/v1:ConfigMap") {
        for (const { key, text } of textDataOf(r)) {
          const doc = parseDoc(text);
          const hits = doc ? plaintextIn(doc, `data["${key}"]`) : [];
          for (const p of hits)
            report(
              `${label(r)}: ${p} is a literal credential in a ConfigMap (readable by anyone who can read the namespace). ${fix}`,
            );
        }
      }
      // Chart env lives in values, checked above; raw pod specs are checked container by container.
      for (const c of helm ? [] : workloadsOf(r).flatMap((w) => w.containers)) {
        for (const e of c.spec?.env ?? []) {
          if (CREDENTIAL_ENV.test(e.name ?? "") && literal(e.value))
            report(`${label(r)}: ${c.path} env ${e.name} has a literal value. ${fix}`);
        }
      }
    },
  };
}

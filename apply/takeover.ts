import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../config/resolve";
import { PROJECT } from "../model/names";
import { keepRunningValues } from "../model/running";
import { RELEASE_TYPE } from "../model/names";
import { identityOf, type Adoption } from "../plan/takeover";

/**
 * A transformation that puts `import` (and, in the import step, `ignoreChanges`) on every resource
 * an adoption names. Put it before any other root transformation so recorders see the result.
 * `unmatched()` lists required adoptions no resource claimed, once the program is constructed.
 */
export function adoptionTransformation(adoptions: Adoption[]): {
  transformation: pulumi.ResourceTransformation;
  unmatched: () => Adoption[];
} {
  const matched = new Set<Adoption>();
  const transformation: pulumi.ResourceTransformation = ({ type, props, opts }) => {
    const identity = identityOf(type, props);
    const a = identity && adoptions.find((x) => x.type === type && x.identity === identity);
    if (!a) return undefined;
    if (matched.has(a)) throw new Error(`${a.key}: two resources claim ${type} "${identity}"`);
    matched.add(a);
    const ignore = ([] as string[]).concat((opts as pulumi.CustomResourceOptions).ignoreChanges ?? []);
    const adopted: pulumi.CustomResourceOptions = {
      ...opts,
      import: a.id,
      ignoreChanges: [...new Set([...ignore, ...a.ignoreChanges])],
    };
    return { props: adoptedProps(a, type, props), opts: adopted };
  };
  return { transformation, unmatched: () => adoptions.filter((a) => a.required && !matched.has(a)) };
}

/**
 * The annotation that makes pulumi-kubernetes force server-side apply conflicts on this object
 * (provider/pkg/metadata/annotations.go `AnnotationPatchForce`; await.go `patchForce` checks it
 * on the inputs before the provider-wide `enablePatchForce`).
 */
export const PATCH_FORCE = { "pulumi.com/patchForce": "true" };

/**
 * What the program declares for an adopted object:
 * - a Kubernetes object (namespace, claim) carries the patch-force annotation: Flux's
 *   kustomize-controller owns its labels through server-side apply, and the update that sets the
 *   program's labels would otherwise fail with a field-manager conflict. Only adopted objects
 *   force, so a conflict on anything the program created stays an error. In the import step
 *   annotations are ignored, so the import writes nothing;
 * - a Release in the update step keeps the running values that decide claim templates and
 *   selectors (model/running.ts KEPT_VALUES) when the running state is known. Helm upgrades
 *   with client-side three-way merge patches (helm_release.go uses action.NewUpgrade), so
 *   releases meet no field-manager conflicts.
 */
export function adoptedProps(a: Adoption, type: string, props: Record<string, any>): Record<string, any> {
  if (type === RELEASE_TYPE) {
    if (!a.keep || !props.values || pulumi.Output.isInstance(props.values)) return props;
    return { ...props, values: keepRunningValues(props.values, a.keep.release, a.keep.state).values };
  }
  if (!type.startsWith("kubernetes:")) return props;
  const metadata = props.metadata ?? {};
  return {
    ...props,
    metadata: { ...metadata, annotations: { ...(metadata.annotations ?? {}), ...PATCH_FORCE } },
  };
}

/** Raised when the config adopts something the program does not declare in this phase. */
export class AdoptionError extends ConfigError {
  constructor(unmatched: Adoption[], phase: string) {
    super(
      unmatched.map(
        (a) =>
          `${PROJECT}:${a.key}: the program declares no ${a.type} "${a.identity}" in phase ${phase}, so "${a.id}" cannot be imported; remove the entry or change the phase`,
      ),
    );
    this.name = "AdoptionError";
  }
}

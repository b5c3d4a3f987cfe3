import * as pulumi from "@pulumi/pulumi";
import type { ImageMirrors } from "@homelab-observability/contract";
import { mirrorPinnedImages } from "../builders/imageMirror";
import { RELEASE_TYPE } from "../model/names";

/**
 * The stack's `imageMirrors` (plan `imageMirrors`) applied to every Kubernetes resource and Helm
 * release as it is registered (builders/imageMirror.ts): a release's values, another object's
 * spec. Run before the user's chartValues are merged (apply/stack.ts), so an override's own image
 * is what the user wrote, for image-pins to judge. Without mirrors nothing is touched.
 */
export function imageMirrorTransformation(mirrors: ImageMirrors): pulumi.ResourceTransformation {
  return (args) => {
    if (Object.keys(mirrors).length === 0 || !args.type.startsWith("kubernetes:")) return undefined;
    const key = args.type === RELEASE_TYPE ? "values" : "spec";
    const before: unknown = args.props[key];
    if (before === undefined || before === null) return undefined;
    // An Output (values or a spec built from one) is mirrored once it resolves.
    const after = pulumi.Output.isInstance(before)
      ? before.apply((v) => mirrorPinnedImages(v, mirrors))
      : mirrorPinnedImages(before, mirrors);
    return after === before ? undefined : { props: { ...args.props, [key]: after }, opts: args.opts };
  };
}

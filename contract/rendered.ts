/**
 * The offline preview renders every Helm release with the real Helm and sets this key on the
 * release's inputs and outputs (the number of objects it rendered) when those objects stand beside
 * it as resources of their own (synth/render/objects.ts withRenderedObjects). The pack then
 * judges the release's workloads from those objects, and its chart knowledge (defaults per values
 * path) stays out. Live `pulumi preview` never sets it: a Release is opaque there, so chart
 * knowledge is all there is.
 */
export const RENDERED_KEY = "__homelabRenderedObjects";

/** Whether a Helm release's props carry the rendered-object marker. */
export function isRenderedRelease(props: Record<string, unknown> | undefined): boolean {
  return typeof props?.[RENDERED_KEY] === "number";
}

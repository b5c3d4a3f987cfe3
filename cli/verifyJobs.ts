/**
 * Releases of the stack that did not render, folded as synth folds them (one message for a
 * HOMELAB_HELM that is no Helm): a failure verify names in its own words (cli/verifyRun.ts
 * KNOWN_FAILURES), not a bug with a trace.
 */
export class StackRenderError extends Error {
  override name = "StackRenderError";
}

/**
 * The scrape jobs a stack promises: its offline synthesis (the program under Pulumi's mocks) with
 * every release rendered by the real Helm and the pinned charts (synth/render/, cached),
 * then `scrapeJobs` (synth/coverage.ts), the same reading the migration tests check phase by
 * phase. Loaded lazily: it brings in the Pulumi SDK and Helm.
 */
export async function promisedJobs(root: string, stack: string): Promise<string[]> {
  await import("./tools");
  const { synthStack } = await import("../synth/run");
  const { renderExport } = await import("../synth/render/render");
  const { notRenderedText } = await import("../synth/report");
  const { rawObjects, stackObjects } = await import("../synth/render/objects");
  const { scrapeJobs } = await import("../synth/coverage");
  const result = await synthStack(root, stack);
  const renders = await renderExport(result.export);
  const failed = notRenderedText(renders, result.export.deployment.resources);
  if (failed)
    throw new StackRenderError(`the stack does not render, so its promised jobs are unknown: ${failed}`);
  const raw = rawObjects(result.export, result.secretDataKeys);
  const objects = stackObjects(renders, raw).map((o) => o.object);
  return scrapeJobs(result.export.deployment.resources, objects).map((j) => j.job);
}

/**
 * The scrape jobs a stack promises: its offline synthesis (the program under Pulumi's mocks) with
 * every release rendered by the real Helm and the pinned charts (synth/render/, cached),
 * then `scrapeJobs` (synth/coverage.ts), the same reading the migration tests check phase by
 * phase. Loaded lazily: it brings in the Pulumi SDK and Helm.
 */
export async function promisedJobs(root: string, stack: string): Promise<string[]> {
  await import("./tools");
  const { synthStack } = await import("../synth/run");
  const { renderExport, renderErrors } = await import("../synth/render/render");
  const { rawObjects, stackObjects } = await import("../synth/render/objects");
  const { scrapeJobs } = await import("../synth/coverage");
  const result = await synthStack(root, stack);
  const renders = await renderExport(result.export);
  const errors = renderErrors(renders);
  if (errors.length > 0) throw new Error(`the stack does not render (helm template): ${errors.join("; ")}`);
  const raw = rawObjects(result.export, result.secretDataKeys);
  const objects = stackObjects(renders, raw).map((o) => o.object);
  return scrapeJobs(result.export.deployment.resources, objects).map((j) => j.job);
}

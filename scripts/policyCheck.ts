// First, before any SDK module: the version-guarded SDK start-up shortcut.
import "../preview/startup";
import { helpText, POLICY_CHECK, usageLine, wantsHelp } from "../preview/cliSpecs";
import * as fs from "fs";
import {
  evaluateResources,
  failed,
  formatViolations,
  verdict,
  type ExportedResource,
  type PackConfig,
} from "../policy/evaluate";
import { withRenderedObjects } from "../preview/render/objects";
import type { ReleaseRender } from "../preview/render/types";
import type { ExportResource } from "../preview/synthesize";

const USAGE = usageLine(POLICY_CHECK);

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (wantsHelp(argv)) {
    process.stdout.write(helpText(POLICY_CHECK));
    return 0;
  }
  const files: string[] = [];
  let config: PackConfig = {};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--config") {
      const f = argv[++i];
      if (!f) throw new Error(USAGE);
      // ajv (63 modules) loads only when a pack config is given.
      config = (await import("../preview/pack")).readPackConfig(f);
    } else if (argv[i].startsWith("--")) {
      console.error(`unknown argument ${argv[i]}\n${USAGE}`);
      return 2;
    } else files.push(argv[i]);
  }
  if (files.length === 0) {
    console.error(USAGE);
    return 2;
  }
  let code = 0;
  for (const file of files) {
    // `npm run synth` writes <stack>.rendered.json beside <stack>.json: it is read with its export.
    if (file.endsWith(".rendered.json")) continue;
    let doc: any;
    try {
      doc = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
      console.error(`${file}: cannot read a stack export: ${(e as Error).message}`);
      return 2;
    }
    const resources: ExportedResource[] | undefined = doc?.deployment?.resources;
    if (!Array.isArray(resources)) {
      console.error(`${file}: not a \`pulumi stack export\` file (expected deployment.resources[])`);
      return 2;
    }
    // Rendered objects beside the export (from `npm run synth`) are judged as the raw resources they are.
    const renderedFile = file.replace(/\.json$/, ".rendered.json");
    let judged = resources;
    let note = "";
    if (renderedFile !== file && fs.existsSync(renderedFile)) {
      const renders: ReleaseRender[] = JSON.parse(fs.readFileSync(renderedFile, "utf8")).releases ?? [];
      judged = withRenderedObjects(resources as ExportResource[], renders);
      note = ` + ${judged.length - resources.length} rendered objects (${renderedFile})`;
    }
    const violations = await evaluateResources(judged, config);
    if (violations.length) console.log(formatViolations(violations));
    console.log(`${file}: ${resources.length} resources${note}; ${verdict(violations)}`);
    if (failed(violations)) code = 1;
  }
  return code;
}

main().then(
  (c) => process.exit(c),
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(2);
  },
);

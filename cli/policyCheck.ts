// First, before any SDK module: the version-guarded SDK start-up shortcut.
import "./startup";
import * as fs from "fs";
import {
  evaluateResources,
  failed,
  formatViolations,
  verdict,
  type ExportedResource,
  type PackConfig,
} from "../policy/evaluate";
import { withRenderedObjects } from "../synth/render/objects";
import type { ReleaseRender } from "../synth/render/types";
import type { ExportResource } from "../synth/synthesize";
import { CliArgsError, helpText, parseArgs, POLICY_CHECK, usage } from "./spec";
import { resourceCount } from "../synth/report";
import { internalErrorText } from "./internalError";

async function main(): Promise<number> {
  const args = parseArgs(POLICY_CHECK, process.argv.slice(2));
  if (args.help) {
    process.stdout.write(helpText(POLICY_CHECK));
    return 0;
  }
  const files = args.positional;
  if (files.length === 0) throw new CliArgsError("give at least one export file", POLICY_CHECK);
  const configFile = args.values.get("--config")?.[0];
  // ajv (63 modules) loads only when a pack config is given.
  const config: PackConfig = configFile ? (await import("../synth/pack")).readPackConfig(configFile) : {};
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
    // The count synth prints (synth/report.ts), then the verdict on a line of its own.
    console.log(`${file}: ${resourceCount(resources)}${note}\n${file}: ${verdict(violations)}`);
    if (failed(violations)) code = 1;
  }
  return code;
}

main().then(
  (c) => process.exit(c),
  (e) => {
    if (e instanceof CliArgsError)
      console.error(
        `policy:check: ${e.message}\n${usage(POLICY_CHECK)}\n(npm run policy:check -- --help describes every flag)`,
      );
    else if (e?.name === "PackConfigError") console.error(e.message);
    else console.error(internalErrorText("policy:check", e));
    process.exit(2);
  },
);

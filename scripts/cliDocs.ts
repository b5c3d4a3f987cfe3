/**
 * Writes docs/reference/cli.md from the commands' specs (preview/cliSpecs.ts), or with `--check`
 * exits 1 when it is stale. test/preview/cliHelp.test.ts runs the same comparison.
 */
import * as fs from "fs";
import * as path from "path";
import { cliReference } from "../preview/cliSpecs";
import { projectRoot } from "../preview/paths";

export const CLI_DOC = path.join("docs", "reference", "cli.md");

function main(): number {
  const file = path.join(projectRoot(__dirname), CLI_DOC);
  const want = cliReference();
  if (process.argv.includes("--write")) {
    fs.writeFileSync(file, want);
    console.log(`wrote ${CLI_DOC}`);
    return 0;
  }
  const have = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  if (have === want) return 0;
  console.error(`${CLI_DOC} is stale: run npx tsx scripts/cliDocs.ts --write`);
  return 1;
}

if (require.main === module) process.exit(main());

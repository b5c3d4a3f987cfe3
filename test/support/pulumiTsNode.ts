import * as fs from "fs";
import * as path from "path";

/**
 * Registers TypeScript the way @pulumi/pulumi's cmd/run and cmd/run-policy-pack do for a
 * `typescript: true` project: its ts-node choice (the project's, else the vendored one), type
 * checking on, tsconfig.json of the current directory when there is one, else Pulumi's defaults.
 */
export function registerLikePulumi(root: string): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tsutils = require(path.join(root, "node_modules/@pulumi/pulumi/tsutils.js"));
  const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(tsnodeRequire).register({
    typeCheck: true,
    skipProject: !fs.existsSync("tsconfig.json"),
    compiler: typescriptRequire,
    compilerOptions: {
      target: "ES2020",
      module: "nodenext",
      moduleResolution: "nodenext",
      sourceMap: "true",
      ...tsutils.loadTypeScriptCompilerOptions("tsconfig.json"),
    },
  });
}

/**
 * Child process for the pack test: loads `policy/` the way `pulumi preview --policy-pack policy`
 * does (cwd policy/, no tsconfig there, ts-node registered with Pulumi's defaults, the directory
 * required through its package.json main). Constructing the pack prints its gRPC port.
 */
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../../scripts/lib/paths";

const root = projectRoot(__dirname);
process.chdir(path.join(root, "policy"));
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
// eslint-disable-next-line @typescript-eslint/no-require-imports
require(process.cwd());

/**
 * Child process for the pack test: loads `policy/` the way `pulumi preview --policy-pack policy`
 * does (cwd policy/, no tsconfig there, ts-node registered with Pulumi's defaults, the directory
 * required through its package.json main). Constructing the pack prints its gRPC port.
 */
import * as path from "path";
import { projectRoot } from "../../scripts/lib/paths";
import { registerLikePulumi } from "./pulumiTsNode";

const root = projectRoot(__dirname);
process.chdir(path.join(root, "policy"));
registerLikePulumi(root);
// eslint-disable-next-line @typescript-eslint/no-require-imports
require(process.cwd());

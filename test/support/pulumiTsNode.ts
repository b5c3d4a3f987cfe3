import * as path from "path";

/**
 * Node arguments that run `entry` (a `.ts` file, or a directory required through its package.json
 * `main`) in a fresh process from `cwd` with only TypeScript registered the way @pulumi/pulumi's
 * cmd/run and cmd/run-policy-pack do for a `typescript: true` project: its ts-node choice (the
 * project's, else the vendored one), type checking on, tsconfig.json of `cwd` when there is one,
 * else Pulumi's defaults. No other loader is registered, so every project file the entry loads is
 * compiled by Pulumi's ts-node, as under `pulumi up` and `pulumi preview --policy-pack`.
 */
export function pulumiNode(root: string, entry: string, cwd: string, ...args: string[]): string[] {
  const code = `
    const fs = require("fs");
    process.chdir(${JSON.stringify(cwd)});
    const tsutils = require(${JSON.stringify(path.join(root, "node_modules/@pulumi/pulumi/tsutils.js"))});
    const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
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
    process.argv = [process.argv[0], ${JSON.stringify(entry)}, ...process.argv.slice(1)];
    require(${JSON.stringify(entry)});`;
  return ["-e", code, ...args];
}

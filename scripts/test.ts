import * as fs from "fs";
import * as path from "path";
import { spawn } from "child_process";
import { projectRoot } from "./lib/paths";

/**
 * `npm test`: the type check and the mocha suite side by side (two cores: tsc is one process,
 * mocha runs its files on two workers, see .mocharc.json). Either failing fails the run; tsc's
 * report is printed after mocha's. Arguments go to mocha (`npm test -- --grep loki`).
 *
 * The type check is `tsc --noEmit` with an incremental build-info file, so an unchanged project
 * is checked again in a fraction of the cold time. Nothing is emitted: scripts and tests run from
 * source through scripts/register.js.
 */
const root = projectRoot(__dirname);
const cache = path.join(root, "node_modules", ".cache", "homelab-observability");
fs.mkdirSync(cache, { recursive: true });

function run(
  name: string,
  args: string[],
  buffer: boolean,
): Promise<{ name: string; code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      stdio: ["ignore", buffer ? "pipe" : "inherit", buffer ? "pipe" : "inherit"],
    });
    let out = "";
    child.stdout?.on("data", (d) => (out += d));
    child.stderr?.on("data", (d) => (out += d));
    child.on("error", (e) => resolve({ name, code: 1, out: `${name}: ${e.message}` }));
    child.on("exit", (code, signal) => resolve({ name, code: code ?? (signal ? 1 : 0), out }));
  });
}

async function main(): Promise<number> {
  const started = Date.now();
  const tsc = run(
    "tsc",
    [
      require.resolve("typescript/bin/tsc", { paths: [root] }),
      "-p",
      root,
      "--noEmit",
      "--incremental",
      "--tsBuildInfoFile",
      path.join(cache, "tsc-noemit.tsbuildinfo"),
    ],
    true,
  );
  const mocha = run(
    "mocha",
    [require.resolve("mocha/bin/mocha.js", { paths: [root] }), ...process.argv.slice(2)],
    false,
  );
  const [t, m] = await Promise.all([tsc, mocha]);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (t.code !== 0) {
    process.stderr.write(`\n== type check failed (tsc --noEmit):\n${t.out}\n`);
    return t.code;
  }
  console.log(`type check: no errors; npm test took ${seconds} s`);
  return m.code;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);

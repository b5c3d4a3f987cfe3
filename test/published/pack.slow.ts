/**
 * The published pack, installed the way the Pulumi CLI installs one (`pulumi policy publish` runs
 * `npm pack` in policy/; whoever enables the pack gets the tarball unpacked and `npm install`ed),
 * then started with the policy host of the pack's own @pulumi/pulumi (cmd/run-policy-pack, which
 * registers its ts-node for the pack's .ts files and never compiles a file under node_modules). It
 * must serve and answer each analyze request exactly as the local pack (policy/ in this project)
 * does.
 *
 * Slow (npm install of the pack's dependencies, two type-checking pack start-ups): not part of
 * `npm test`; `npm run test:published` runs it, and so does CI.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawn, spawnSync, type ChildProcess } from "child_process";
import * as grpc from "@grpc/grpc-js";
import { SECRET_STAND_IN } from "../../policy/evaluate";
import { mapSecrets, SECRET_SIG, SECRET_SIG_KEY } from "@homelab-observability/contract";
import { ROOT, synth } from "../support/helpers";
import { pulumiNode } from "../support/pulumiTsNode";

/* eslint-disable @typescript-eslint/no-require-imports */
const pb = require("@pulumi/pulumi/proto/analyzer_pb.js");
const rpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb.js");
const { Struct } = require("google-protobuf/google/protobuf/struct_pb.js");
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * The engine's wire form of a property map: secrets as {sig, value}, never ciphertext. The engine
 * sends a secret's plaintext, which an export with ciphertext only does not hold: the text the
 * offline evaluator's stand-in reads as goes in its place (a text to the pack, as any plaintext).
 */
function wire(v: any): any {
  return mapSecrets(
    v,
    (e) => ({ [SECRET_SIG_KEY]: SECRET_SIG, value: "value" in e ? wire(e.value) : String(SECRET_STAND_IN) }),
    (x) => (x === undefined ? null : x),
  );
}

const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

function npm(cwd: string, ...args: string[]): string {
  const r = spawnSync(NPM, args, { cwd, encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
  assert.equal(r.status, 0, `npm ${args.join(" ")} in ${cwd}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Starts a pack server and resolves with a client once it prints its port. */
function serve(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ child: ChildProcess; client: any }> {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let out = "";
    const take = (d: Buffer) => {
      out += d.toString();
      const m = /^(\d+)\s*$/m.exec(out);
      if (m)
        resolve({
          child,
          client: new rpc.AnalyzerClient(`127.0.0.1:${m[1]}`, grpc.credentials.createInsecure()),
        });
    };
    child.stdout.on("data", take);
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code) => reject(new Error(`pack exited ${code}:\n${out}`)));
  });
}

const call = (client: any, req: any): Promise<any> =>
  new Promise((resolve, reject) =>
    client.analyze(req, (e: Error | null, res: any) => (e ? reject(e) : resolve(res))),
  );

const answers = (res: any) =>
  res
    .getDiagnosticsList()
    .map((d: any) => `${d.getEnforcementlevel()} ${d.getPolicyname()} ${d.getUrn()} ${d.getMessage()}`)
    .sort();

describe("the published pack installs on its own and serves like the local one", function () {
  this.timeout(600000);
  const servers: { child: ChildProcess; client: any }[] = [];
  let unpacked = "";
  // The tarball and its install (about 140 MB), removed after: this file runs with --no-config, so
  // not under the run's temporary folder (test/support/runTmp.cjs).
  let dir = "";

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "published-pack-"));
    // npm pack runs the pack's prepack (the contract compiled into the pack's tree).
    const tarball = npm(path.join(ROOT, "policy"), "pack", "--pack-destination", dir)
      .trim()
      .split("\n")
      .pop()!;
    const empty = path.join(dir, "unpacked");
    fs.mkdirSync(empty);
    const tar = spawnSync("tar", ["-xzf", path.join(dir, tarball), "-C", empty], { encoding: "utf8" });
    assert.equal(tar.status, 0, tar.stderr);
    unpacked = path.join(empty, "package");
    npm(unpacked, "install", "--omit=dev", "--no-audit", "--no-fund", "--prefer-offline");
  });
  after(() => {
    for (const s of servers) {
      s.client.close();
      s.child.kill();
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("npm install links the contract to the compiled copy inside the pack", () => {
    const contract = fs.realpathSync(path.join(unpacked, "node_modules/@homelab-observability/contract"));
    assert.equal(contract, fs.realpathSync(path.join(unpacked, "contract")));
    assert.ok(fs.existsSync(path.join(contract, "dist/index.js")), "compiled JavaScript");
    assert.ok(fs.existsSync(path.join(contract, "dist/index.d.ts")), "with declarations");
  });

  it("run-policy-pack serves it, and every analyze answer equals the local pack's", async () => {
    servers.push(
      await serve(
        [path.join(unpacked, "node_modules/@pulumi/pulumi/cmd/run-policy-pack"), "127.0.0.1:0", "."],
        unpacked,
      ),
    );
    const ownPack = pulumiNode(ROOT, path.join(ROOT, "policy"), path.join(ROOT, "policy"));
    servers.push(await serve(ownPack.args, ROOT, ownPack.env));
    const [published, local] = servers.map((s) => s.client);
    const resources = (await synth("production")).export.deployment.resources.filter(
      (r) => r.type !== "pulumi:pulumi:Stack",
    );
    const base = resources[0].urn.split("::").slice(0, 2).join("::");
    // A credential put into Helm values as a Pulumi secret (as the engine sends it): a violation.
    resources.push({
      urn: `${base}::kubernetes:helm.sh/v3:Release::leaky`,
      type: "kubernetes:helm.sh/v3:Release",
      custom: true,
      inputs: {
        chart: "grafana",
        values: { adminPassword: { [SECRET_SIG_KEY]: SECRET_SIG, value: "hunter2" } },
      },
    } as any);
    let violations = 0;
    for (const r of resources) {
      const req = new pb.AnalyzeRequest();
      req.setType(r.type);
      req.setUrn(r.urn);
      req.setName(r.urn.split("::").pop());
      req.setProperties(Struct.fromJavaScript(wire(r.inputs ?? {})));
      const opts = new pb.AnalyzerResourceOptions();
      opts.setProtect((r as { protect?: boolean }).protect === true);
      req.setOptions(opts);
      const [p, l] = await Promise.all([call(published, req), call(local, req)]);
      assert.deepEqual(answers(p), answers(l), r.urn);
      violations += answers(p).length;
    }
    assert.ok(violations > 0, "the comparison includes violations");
  });
});

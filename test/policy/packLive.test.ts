/**
 * The pack as the engine runs it: policy/ loaded by Pulumi's ts-node registration, its gRPC server
 * (@pulumi/policy 1.21 server.js) called with the requests pulumi's step generator builds
 * (pkg/resource/deploy/step_generator.go: Analyze per resource with its inputs, AnalyzeStack with
 * every resource's outputs; proto/pulumi/analyzer.proto AnalyzerResourceOptions has `protect` and
 * no `retainOnDelete`; secrets travel as {sig: secret, value}). Its verdicts must equal the
 * offline evaluator's on the same export.
 */
import { strict as assert } from "assert";
import { spawn, type ChildProcess } from "child_process";
import * as grpc from "@grpc/grpc-js";
import { evaluateResources, SECRET_STAND_IN, type ExportedResource } from "../../policy/evaluate";
import { mapSecrets, SECRET_SIG, SECRET_SIG_KEY } from "@homelab-observability/contract";
import { allPolicies } from "../../policy/policies";
import { stackNames } from "../../config/paths";
import * as path from "path";
import { ROOT, synth } from "../support/helpers";
import { pulumiNode } from "../support/pulumiTsNode";

/* eslint-disable @typescript-eslint/no-require-imports */
const pb = require("@pulumi/pulumi/proto/analyzer_pb.js");
const rpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb.js");
const { Struct } = require("google-protobuf/google/protobuf/struct_pb.js");
/* eslint-enable @typescript-eslint/no-require-imports */

const LEVELS = ["advisory", "mandatory", "disabled", "remediate"];

/**
 * The engine's wire form of a property map: secrets as {sig, value}, never ciphertext. The engine
 * sends a secret's plaintext, which an export with ciphertext only does not hold: the text the
 * offline evaluator's stand-in reads as goes in its place (a text to the pack, as any plaintext).
 */
function wire(v: any): any {
  return mapSecrets(
    v,
    (e) => ({
      [SECRET_SIG_KEY]: SECRET_SIG,
      value: wire(typeof e.plaintext === "string" ? JSON.parse(e.plaintext) : String(SECRET_STAND_IN)),
    }),
    (x) => (x === undefined ? null : x),
  );
}

function options(r: ExportedResource) {
  const o = new pb.AnalyzerResourceOptions();
  o.setProtect(r.protect === true);
  if (r.parent) o.setParent(r.parent);
  return o;
}

const key = (d: { policy: string; urn?: string; message: string; level: string }) =>
  `${d.level} ${d.policy} ${d.urn ?? ""} ${d.message}`;

describe("the pack over gRPC, as the engine calls it, equals the offline evaluator", function () {
  this.timeout(120000);
  let child: ChildProcess;
  let client: any;
  let port: string;

  // The one pack this suite starts as the Pulumi CLI loads it (test/policy/pack.test.ts starts the
  // tsx one): from policy/, through Pulumi's ts-node registration with type checking on.
  before(async () => {
    // Its environment keeps Node's compile cache apart from the workers' (pulumiTsNode.ts childEnv).
    const pack = pulumiNode(ROOT, path.join(ROOT, "policy"), path.join(ROOT, "policy"));
    child = spawn(process.execPath, pack.args, { stdio: ["ignore", "pipe", "pipe"], env: pack.env });
    port = await new Promise<string>((resolve, reject) => {
      let out = "";
      // Its stderr too: a pack that stops before printing its port says why only there (a type
      // error of Pulumi's ts-node, a module not found).
      let err = "";
      child.stdout!.on("data", (d) => {
        out += d;
        const m = /^(\d+)\s*$/m.exec(out);
        if (m) resolve(m[1]);
      });
      child.stderr!.on("data", (d) => (err += d));
      child.on("exit", (code) => reject(new Error(`pack exited ${code}: ${out}${err}`)));
    });
    client = new rpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });
  after(() => {
    client?.close();
    child?.kill();
  });

  it("starts as the Pulumi CLI loads it (from policy/ through Pulumi's ts-node registration) and prints its port", () => {
    assert.ok(Number(port) > 0, `port ${port}`);
  });

  const call = (method: string, req: any): Promise<any> =>
    new Promise((resolve, reject) =>
      client[method](req, (e: Error | null, res: any) => (e ? reject(e) : resolve(res))),
    );
  // server.js makeReportViolationFun sends "<policy description>\n<message>"; the CLI prints it so.
  const descriptions = new Map(allPolicies().map((p) => [p.name, p.description]));
  const diagnostics = (res: any) =>
    res.getDiagnosticsList().map((d: any) => {
      const prefix = `${descriptions.get(d.getPolicyname())}\n`;
      const message: string = d.getMessage();
      assert.ok(message.startsWith(prefix), `${d.getPolicyname()} message starts with its description`);
      return {
        policy: d.getPolicyname(),
        urn: d.getUrn() || undefined,
        message: message.slice(prefix.length),
        level: LEVELS[d.getEnforcementlevel()],
      };
    });

  async function live(resources: ExportedResource[]) {
    const out: { policy: string; urn?: string; message: string; level: string }[] = [];
    const analyzed = resources.filter((r) => r.type !== "pulumi:pulumi:Stack");
    for (const r of analyzed) {
      const req = new pb.AnalyzeRequest();
      req.setType(r.type);
      req.setUrn(r.urn);
      req.setName(r.urn.split("::").pop());
      // pulumi-kubernetes registers v4 Chart / yaml v2 components from Construct without inputs.
      req.setProperties(
        Struct.fromJavaScript(r.type === "kubernetes:helm.sh/v4:Chart" ? {} : wire(r.inputs ?? {})),
      );
      req.setOptions(options(r));
      for (const d of diagnostics(await call("analyze", req))) out.push({ ...d, urn: d.urn ?? r.urn });
    }
    const stack = new pb.AnalyzeStackRequest();
    stack.setResourcesList(
      analyzed.map((r) => {
        const a = new pb.AnalyzerResource();
        a.setType(r.type);
        a.setUrn(r.urn);
        a.setName(r.urn.split("::").pop());
        a.setProperties(Struct.fromJavaScript(wire(r.outputs ?? r.inputs ?? {})));
        a.setOptions(options(r));
        if (r.parent) a.setParent(r.parent);
        return a;
      }),
    );
    out.push(...diagnostics(await call("analyzeStack", stack)));
    return out;
  }

  async function same(resources: ExportedResource[]) {
    const offline = (await evaluateResources(resources)).map((v) => ({ ...v, level: v.level }));
    const online = await live(resources);
    assert.deepEqual(online.map(key).sort(), offline.map(key).sort());
    return online;
  }

  for (const stack of stackNames(ROOT)) {
    it(`${stack}: the same verdicts live and offline`, async () => {
      await same((await synth(stack)).export.deployment.resources);
    });
  }

  it("the same violations on shapes only the engine's rules explain (retainOnDelete, secrets, v4 Chart)", async () => {
    const rs: ExportedResource[] = (await synth("production")).export.deployment.resources.map((r) => ({
      ...r,
    }));
    // A production bucket only retained on delete: the engine never tells policies about that.
    const bucket = rs.find((r) => r.type === "minio:index/s3Bucket:S3Bucket")!;
    bucket.protect = false;
    bucket.retainOnDelete = true;
    // A credential put into Helm values as a secret, and a v4 Chart with a bad Loki config.
    const base = bucket.urn.split("::").slice(0, 2).join("::");
    const leaky = `${base}::kubernetes:helm.sh/v3:Release::leaky`;
    rs.push({
      urn: leaky,
      type: "kubernetes:helm.sh/v3:Release",
      custom: true,
      inputs: {
        chart: "grafana",
        values: { adminPassword: { [SECRET_SIG_KEY]: SECRET_SIG, ciphertext: "c" } },
      },
    });
    rs.push({
      urn: `${base}::kubernetes:helm.sh/v4:Chart::loki4`,
      type: "kubernetes:helm.sh/v4:Chart",
      custom: false,
      inputs: { chart: "loki", values: { loki: { compactor: { retention_enabled: true } } } },
      outputs: {},
    });
    const offline = await evaluateResources(rs);
    const found = await live(rs);
    // The release's secret is its plaintext to the engine (wire), so the pack finds a literal
    // credential by its key where the offline evaluator, which holds only the ciphertext, says a
    // secret was written there: the same verdict, said two ways. Every other message is the same.
    const verdict = (d: { policy: string; urn?: string; level: string }) => `${d.level} ${d.policy} ${d.urn}`;
    assert.deepEqual(found.map(verdict).sort(), offline.map(verdict).sort());
    const said = (ds: { policy: string; urn?: string; message: string; level: string }[]) =>
      ds
        .filter((d) => d.urn !== leaky)
        .map(key)
        .sort();
    assert.deepEqual(said(found), said(offline));
    const at = (ds: { urn?: string; message: string }[]) =>
      ds.filter((d) => d.urn === leaky).map((d) => d.message);
    assert.match(at(found).join("\n"), /^[^\n]*values\.adminPassword is a literal credential in Helm values/);
    assert.match(
      at(offline).join("\n"),
      /^[^\n]*values\.adminPassword is a Pulumi secret written into plain configuration/,
    );
    const policies = new Set(found.filter((d) => d.level === "mandatory").map((d) => d.policy));
    assert.ok(policies.has("production-data-protected"), "retained-only bucket fails");
    assert.ok(policies.has("no-plaintext-credentials"), "secret in Helm values fails");
    assert.ok(!policies.has("loki-retention-needs-delete-store"), "the v4 Chart itself is not judged");
  });
});

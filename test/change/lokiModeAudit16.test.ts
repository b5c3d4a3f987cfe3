import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { planChange, type StackState } from "../../change/change";
import { lokiMoveRefusals, lokiSide, TRANSITIONAL } from "../../change/lokiMode";
import type { RenderedObject } from "../../synth/render/types";
import { overridePlacesIn, type OverridePlace } from "../../synth/report";
import { parseDocument } from "yaml";
import { ROOT, synthCli, tmpDir } from "../support/helpers";
import { shownFile } from "../../config/paths";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const LOKI_URN = `urn:pulumi:production::homelab-observability::${RELEASE}::loki`;

/** A StatefulSet of release monitoring/loki holding a claim template (its data). */
const sts = (name: string): RenderedObject => ({
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  metadata: { name, namespace: "monitoring" },
  spec: {
    selector: { matchLabels: { app: name } },
    volumeClaimTemplates: [
      { metadata: { name: "storage" }, spec: { resources: { requests: { storage: "10Gi" } } } },
    ],
  },
});

function state(values: Record<string, unknown>, names: string[]): StackState {
  const release = { name: "loki", namespace: "monitoring", chart: "loki", version: "18.11.0", source: "" };
  return {
    export: {
      deployment: {
        resources: [
          {
            urn: LOKI_URN,
            custom: true,
            type: RELEASE,
            inputs: { name: "loki", namespace: "monitoring", chart: "loki", version: "18.11.0", values },
          },
        ],
      },
    } as any,
    objects: names.map((n) => ({ object: sts(n), resourceUrn: LOKI_URN, release })),
    imports: {},
    ignoreChanges: {},
  };
}

describe("Loki's move off SimpleScalable, the steps the change check refuses (audit 16)", () => {
  it('refuses "Monolithic" while write pods still run in the transitional mode, naming the step to take first', () => {
    const refused = lokiMoveRefusals(
      { mode: TRANSITIONAL, monolithic: 3, write: 1 },
      { mode: "Monolithic", monolithic: 3, write: 0 },
      { stack: "production" },
    );
    assert.equal(refused.length, 1, "one refusal for one mistake");
    assert.equal(refused[0].field, "values.deploymentMode");
    assert.match(refused[0].reason, /while 1 write pod\(s\) still run/);
    // The file now says "Monolithic", where loki.write is refused: the fix goes back to the
    // transitional mode first, one write pod fewer, rather than naming a key the mode refuses.
    assert.match(
      refused[0].reason,
      /Set loki\.mode back to "Monolithic<->SimpleScalable" \(loki\.write is read only there\) with loki\.write: 0, each step after .*--gate loki-drain/,
    );
    assert.match(refused[0].reason, /--gate loki-monolithic/);
    // The step the docs take: write 0, then Monolithic.
    assert.deepEqual(
      lokiMoveRefusals(
        { mode: TRANSITIONAL, monolithic: 3, write: 0 },
        { mode: "Monolithic", monolithic: 3, write: 0 },
        { stack: "production" },
      ),
      [],
    );
  });

  it("says SimpleScalable -> Monolithic once: the write and backend StatefulSets it deletes are named in that refusal, not refused as renames", () => {
    const before = state({ deploymentMode: "SimpleScalable", write: { replicas: 3 } }, [
      "loki-write",
      "loki-backend",
    ]);
    const after = state({ deploymentMode: "Monolithic", singleBinary: { replicas: 3 } }, ["loki"]);
    const report = planChange(before, after);
    assert.deepEqual(
      report.refused.map((e) => e.subject),
      ["Release::loki"],
      JSON.stringify(report.refused, null, 1),
    );
    const [r] = report.refused[0].refused;
    assert.match(
      r.reason,
      /straight to "Monolithic".*; the same update deletes StatefulSet monitoring\/loki-write and StatefulSet monitoring\/loki-backend, whose claims stay behind, unused \(docs\/how-to\/loki-off-simple-scalable\.md\)$/,
    );
    // The deletions are still listed.
    assert.equal(
      report.entries.filter((e) => e.action === "delete" && e.subject.startsWith("StatefulSet")).length,
      2,
    );
  });

  it("finds the renames it folds by their kind: a write StatefulSet whose deletion deletes its claims keeps only that refusal, named in the move's", () => {
    const before = state({ deploymentMode: "SimpleScalable", write: { replicas: 3 } }, [
      "loki-write",
      "loki-backend",
    ]);
    before.objects[0].object.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: "Delete" };
    const after = state({ deploymentMode: "Monolithic", singleBinary: { replicas: 3 } }, ["loki"]);
    const report = planChange(before, after);
    const said = report.refused.map((e) => `${e.subject}: ${e.refused.map((r) => r.field).join(" | ")}`);
    assert.deepEqual(said, [
      "Release::loki: values.deploymentMode",
      "StatefulSet monitoring/loki-write: spec.persistentVolumeClaimRetentionPolicy.whenDeleted",
    ]);
    assert.match(
      report.refused[0].refused[0].reason,
      /; the same update deletes StatefulSet monitoring\/loki-backend, whose claims stay behind, unused, and StatefulSet monitoring\/loki-write, whose claims go with it \(refused on its own\) \(docs\/how-to\/loki-off-simple-scalable\.md\)$/,
    );
    assert.ok(report.refused.every((e) => e.refused.every((r) => r.kind !== "rename")));
  });
});

describe("Loki's move off SimpleScalable: each refusal names the stack key to mend and its line (hLoki audit)", () => {
  // The refusal sits on Release::loki's values, but the operator edits loki.mode or loki.write in
  // the stack file: the message names that key and its file:line, as the other change refusals do.
  const at = (key: string) =>
    ({ "loki.mode": "Pulumi.production.yaml:40", "loki.write": "Pulumi.production.yaml:41" })[key];
  it("names loki.mode at its line for a jump straight to Monolithic", () => {
    const refused = lokiMoveRefusals(
      { mode: "SimpleScalable", monolithic: 0, write: 3 },
      { mode: "Monolithic", monolithic: 3, write: 0 },
      { stack: "production" },
      at,
    );
    assert.equal(refused.length, 1);
    assert.match(refused[0].reason, /^loki\.mode \(Pulumi\.production\.yaml:40\): /);
  });
  it("names loki.write at its line for two write pods leaving in one update", () => {
    const refused = lokiMoveRefusals(
      { mode: TRANSITIONAL, monolithic: 3, write: 3 },
      { mode: TRANSITIONAL, monolithic: 3, write: 1 },
      { stack: "production" },
      at,
    );
    assert.equal(refused.length, 1);
    assert.match(
      refused[0].reason,
      /^loki\.write \(Pulumi\.production\.yaml:41\): removes 2 write pods at once/,
    );
  });
  it("passes the stack file's places through planChange", () => {
    const before = state({ deploymentMode: "SimpleScalable", write: { replicas: 3 } }, []);
    const after = state({ deploymentMode: "Monolithic", singleBinary: { replicas: 3 } }, []);
    const [entry] = planChange(before, after, at).refused;
    assert.match(entry.refused[0].reason, /^loki\.mode \(Pulumi\.production\.yaml:40\): a jump/);
  });
});

describe("Loki onto SimpleScalable, and monolithic pods scaled down: each leaves one per update (hLokiMode)", () => {
  // The monolithic pods hold lines in memory and WAL as the write pods do, and the chart stops the
  // removed ones together (singleBinary.podManagementPolicy "Parallel", loki 18.11.0 and 6.55.0).
  const at = (key: string) =>
    ({ "loki.mode": "Pulumi.staging.yaml:30", "loki.replicas": "Pulumi.staging.yaml:31" })[key];
  const mono = (replicas: number) => ({ deploymentMode: "Monolithic", singleBinary: { replicas } });
  const both = (replicas: number, write: number) => ({
    deploymentMode: TRANSITIONAL,
    singleBinary: { replicas },
    write: { replicas: write },
  });
  const ssd = { deploymentMode: "SimpleScalable", write: { replicas: 3 } };
  const refusedOf = (from: Record<string, unknown>, to: Record<string, unknown>) =>
    planChange(state(from, []), state(to, []), at).refused.flatMap((e) => e.refused);

  it("refuses Monolithic straight to SimpleScalable, naming loki.mode at its line and the transitional step", () => {
    const r = refusedOf(mono(3), ssd);
    assert.equal(r.length, 1, JSON.stringify(r));
    assert.equal(r[0].field, "values.deploymentMode");
    assert.match(
      r[0].reason,
      /^loki\.mode \(Pulumi\.staging\.yaml:30\): a jump from "Monolithic" straight to "SimpleScalable" removes all 3 monolithic pod\(s\) in one update, before any write pod serves.*Take the transitional step first: loki\.mode "Monolithic<->SimpleScalable" with loki\.write.*then loki\.replicas down by one per update to 1.*then "SimpleScalable" after npm run verify -- --stack production --gate loki-simple-scalable passes \(docs\/how-to\/loki-off-simple-scalable\.md\)$/,
    );
  });

  it("counts the one pod the chart runs below 2 replicas: a 6.x release at its default singleBinary.replicas 0", () => {
    // `helm get values --all` of a loki 6.55.0 release shows the default 0; the chart renders 1
    // (templates/single-binary/_helpers-single-binary.tpl loki.singleBinaryReplicas).
    assert.deepEqual(lokiSide({ deploymentMode: "SingleBinary", singleBinary: { replicas: 0 } }), {
      mode: "Monolithic",
      monolithic: 1,
      write: 0,
    });
    const r = refusedOf({ deploymentMode: "SingleBinary", singleBinary: { replicas: 0 } }, ssd);
    assert.match(r.map((x) => x.reason).join("\n"), /removes all 1 monolithic pod\(s\) in one update/);
  });

  it('refuses "SimpleScalable" while several monolithic pods run beside the write pods; the last one may go with it', () => {
    const r = refusedOf(both(3, 3), ssd);
    assert.equal(r.length, 1, JSON.stringify(r));
    assert.equal(r[0].field, "values.deploymentMode");
    assert.match(
      r[0].reason,
      /^loki\.mode \(Pulumi\.staging\.yaml:30\): "Monolithic<->SimpleScalable" -> "SimpleScalable" while 3 monolithic pods still run: .*singleBinary\.podManagementPolicy "Parallel".*Lower loki\.replicas by one per update down to 1 first/,
    );
    // Staging's rehearsal (docs/how-to/loki-off-simple-scalable.md "Staging first"): one pod, then the write pods.
    assert.deepEqual(refusedOf(mono(1), both(1, 3)), []);
    assert.deepEqual(refusedOf(both(1, 3), ssd), []);
    // With no write pod yet, the last monolithic pod has nothing to hand the ring to.
    assert.match(
      refusedOf(both(1, 0), ssd)
        .map((x) => x.reason)
        .join("\n"),
      /a jump from "Monolithic<->SimpleScalable" straight to "SimpleScalable" removes all 1 monolithic pod\(s\).*Raise loki\.write in "Monolithic<->SimpleScalable" first/,
    );
  });

  it("refuses monolithic pods leaving in the update that starts the write pods, and several leaving at once in any mode", () => {
    const early = refusedOf(mono(3), both(2, 3));
    assert.equal(early.length, 1, JSON.stringify(early));
    assert.equal(early[0].field, "values.singleBinary.replicas");
    assert.match(
      early[0].reason,
      /^loki\.replicas \(Pulumi\.staging\.yaml:31\): removes 1 monolithic pod\(s\) \(3 -> 2\) in the update that starts the write pods.*Keep loki\.replicas at 3 in the update to "Monolithic<->SimpleScalable"/,
    );
    for (const [from, to] of [
      [mono(3), mono(1)],
      [both(3, 3), both(1, 3)],
    ]) {
      const r = refusedOf(from, to);
      assert.equal(r.length, 1, JSON.stringify(r));
      assert.match(
        r[0].reason,
        /^loki\.replicas \(Pulumi\.staging\.yaml:31\): removes 2 monolithic pods at once \(3 -> 1\); the chart stops them together \(singleBinary\.podManagementPolicy "Parallel"\).*Lower loki\.replicas by one per update/,
      );
    }
    // One per update passes.
    assert.deepEqual(refusedOf(mono(3), mono(2)), []);
    assert.deepEqual(refusedOf(mono(3), both(3, 3)), []);
    assert.deepEqual(refusedOf(both(3, 3), both(2, 3)), []);
  });
});

describe("Loki into or out of Distributed: a change of mode, not a rename (trial P)", () => {
  // Monolithic -> Distributed deletes the loki StatefulSet and creates the components' own: the
  // change check read that as a rename of loki to loki-compactor and sent the user to nameOverride.
  const mono = { deploymentMode: "Monolithic", singleBinary: { replicas: 3 } };
  const distributed = {
    deploymentMode: "Distributed",
    ingester: { replicas: 3 },
    compactor: { replicas: 1 },
  };

  it("refuses Monolithic -> Distributed once, on the release, naming loki.mode at its line, with the StatefulSet it deletes", () => {
    const at = (key: string) => ({ "loki.mode": "Pulumi.staging.yaml:29" })[key];
    const report = planChange(
      state(mono, ["loki"]),
      state(distributed, ["loki-ingester", "loki-compactor", "loki-index-gateway"]),
      at,
    );
    assert.deepEqual(
      report.refused.map((e) => e.subject),
      ["Release::loki"],
      JSON.stringify(report.refused, null, 1),
    );
    assert.equal(report.refused[0].refused.length, 1);
    const [r] = report.refused[0].refused;
    assert.equal(r.field, "values.deploymentMode");
    assert.equal(
      r.reason,
      'loki.mode (Pulumi.staging.yaml:29): "Monolithic" -> "Distributed" is a change of Loki\'s mode, not a rename: one update stops all 3 monolithic pod(s) at once, which hold the newest lines in their ingesters, and starts the Distributed components; ' +
        "the chart has no transitional mode between the two (templates/validate.yaml refuses monolithic and distributed replicas together), so no gate sees the old pods flushed and gone from the ring first, and what a failed flush leaves in their WALs stays on claims no pod mounts again. " +
        'The program has no in-place move of a running Loki into or out of "Distributed" (a new stack starts in it; between the other modes it moves through "Monolithic<->SimpleScalable"): set loki.mode: Monolithic to keep this stack\'s mode (above 20GB of logs a day the stack refuses "Monolithic": docs/how-to/sizing.md); ' +
        "the same update deletes StatefulSet monitoring/loki, whose claims stay behind, unused (docs/how-to/loki-off-simple-scalable.md)",
    );
    assert.ok(report.refused.every((e) => e.refused.every((x) => x.kind !== "rename")));
  });

  it("names workload.logsPerDay at its line when it chose Distributed, the stack file leaving loki.mode out", () => {
    const at = (key: string) => ({ "workload.logsPerDay": "Pulumi.staging.yaml:29" })[key];
    const [entry] = planChange(state(mono, ["loki"]), state(distributed, ["loki-ingester"]), at).refused;
    assert.match(
      entry.refused[0].reason,
      /^workload\.logsPerDay \(Pulumi\.staging\.yaml:29\) chose loki\.mode "Distributed" \(loki\.mode is not set\): "Monolithic" -> "Distributed" is a change of Loki's mode/,
    );
  });

  // The config check refuses loki.mode "Monolithic" beside a workload.logsPerDay above what
  // Monolithic holds, and the change check refuses the move: a hint to set loki.mode: Monolithic
  // sent the user from one to the other. The way that passes both is a lower workload.logsPerDay.
  const writing = (places: Record<string, string>, written: Record<string, string>): OverridePlace =>
    Object.assign((key: string) => places[key], { written: (key: string) => written[key] });

  it("sends a workload.logsPerDay that chose Distributed to at most what Monolithic holds, in the units it is written in", () => {
    const at = writing(
      { "workload.logsPerDay": "Pulumi.staging.yaml:44" },
      { "workload.logsPerDay": "50GB" },
    );
    const [entry] = planChange(state(mono, ["loki"]), state(distributed, ["loki-ingester"]), at).refused;
    assert.match(
      entry.refused[0].reason,
      /The program has no in-place move of a running Loki into or out of "Distributed" \(a new stack starts in it; between the other modes it moves through "Monolithic<->SimpleScalable"\): to keep this stack's "Monolithic", set workload\.logsPerDay at most 20GB \(what Monolithic holds a day: docs\/how-to\/sizing\.md; 50GB is above it\): `pulumi config set --stack production --path 'workload\.logsPerDay' 20GB`; the same update/,
    );
    assert.doesNotMatch(entry.refused[0].reason, /set loki\.mode/);
  });

  it("asks for loki.mode: Monolithic with a lower workload.logsPerDay where the file writes both and the logs are past Monolithic", () => {
    const at = writing(
      { "loki.mode": "Pulumi.staging.yaml:29", "workload.logsPerDay": "Pulumi.staging.yaml:44" },
      { "loki.mode": "Distributed", "workload.logsPerDay": "46.6GiB" },
    );
    const [entry] = planChange(state(mono, ["loki"]), state(distributed, ["loki-ingester"]), at).refused;
    assert.match(
      entry.refused[0].reason,
      /: to keep this stack's "Monolithic", set loki\.mode: Monolithic and workload\.logsPerDay at most 18\.6GiB \(what Monolithic holds a day: docs\/how-to\/sizing\.md; 46\.6GiB is above it\): `pulumi config set --stack production --path 'loki\.mode' Monolithic`, then `pulumi config set --stack production --path 'workload\.logsPerDay' 18\.6GiB`; /,
    );
  });

  // Pulumi.yaml's default is the stack's value where the stack file leaves workload out: a high one
  // chooses Distributed as the file's own would, and "set loki.mode: Monolithic" is refused by the
  // config check for that volume.
  it("names a workload.logsPerDay that Pulumi.yaml's default gives at its line, and sends it to at most what Monolithic holds", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "loki-default-logs-"));
    try {
      fs.writeFileSync(
        path.join(dir, "Pulumi.yaml"),
        "name: homelab-observability\nruntime: nodejs\nconfig:\n  workload:\n    default:\n      logsPerDay: 50GB\n",
      );
      fs.writeFileSync(
        path.join(dir, "Pulumi.lab.yaml"),
        "config:\n  homelab-observability:phase: kps-removed\n",
      );
      const project = `${shownFile(path.join(dir, "Pulumi.yaml"))}:6`;
      const [entry] = planChange(
        state(mono, ["loki"]),
        state(distributed, ["loki-ingester"]),
        overridePlacesIn(dir, "lab"),
      ).refused;
      const reason = entry.refused[0].reason;
      assert.ok(
        reason.startsWith(
          `workload.logsPerDay (the project default at ${project}; the stack file does not set workload) chose loki.mode "Distributed" (loki.mode is not set): "Monolithic" -> "Distributed" is a change of Loki's mode`,
        ),
        reason,
      );
      assert.ok(
        reason.includes(
          `: to keep this stack's "Monolithic", set workload.logsPerDay at most 20GB (what Monolithic holds a day: docs/how-to/sizing.md; 50GB, the project default at ${project}, is above it): \`pulumi config set --stack production --path 'workload.logsPerDay' 20GB\`; `,
        ),
        reason,
      );
      assert.doesNotMatch(reason, /set loki\.mode/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps the hint loki.mode: Monolithic where the file's workload.logsPerDay fits Monolithic", () => {
    const at = writing(
      { "loki.mode": "Pulumi.staging.yaml:29" },
      { "loki.mode": "Distributed", "workload.logsPerDay": "10GB" },
    );
    const [entry] = planChange(state(mono, ["loki"]), state(distributed, ["loki-ingester"]), at).refused;
    assert.match(
      entry.refused[0].reason,
      /: set loki\.mode: Monolithic to keep this stack's mode \(above 20GB/,
    );
  });

  it("refuses Distributed -> Monolithic the same way, keeping Distributed", () => {
    const refused = lokiMoveRefusals(
      lokiSide(distributed)!,
      lokiSide(mono)!,
      { stack: "production" },
      (key) => ({ "loki.mode": "Pulumi.production.yaml:40" })[key],
    );
    assert.equal(refused.length, 1);
    assert.match(
      refused[0].reason,
      /^loki\.mode \(Pulumi\.production\.yaml:40\): "Distributed" -> "Monolithic" is a change of Loki's mode, not a rename: one update stops every ingester pod at once.*set loki\.mode: Distributed to keep this stack's mode \(docs/,
    );
  });

  // loki 18.11.0 has a transitional mode between SimpleScalable and Distributed (values.yaml
  // deploymentMode, templates/validate.yaml): the refusal said "the chart has no transitional mode
  // between the two" of SimpleScalable -> Distributed too, untrue there.
  it("SimpleScalable <-> Distributed: names the chart's SimpleScalable<->Distributed as no mode the stack takes, both ways", () => {
    const ssd = { deploymentMode: "SimpleScalable", write: { replicas: 3 } };
    const refusal = (a: Record<string, unknown>, b: Record<string, unknown>) =>
      lokiMoveRefusals(lokiSide(a)!, lokiSide(b)!, { stack: "production" }, (key) =>
        key === "loki.mode" ? "Pulumi.production.yaml:40" : undefined,
      );
    for (const [a, b] of [
      [ssd, distributed],
      [distributed, ssd],
    ]) {
      const [r] = refusal(a, b);
      assert.match(
        r.reason,
        /; the chart's transitional mode between the two, "SimpleScalable<->Distributed" \(templates\/validate\.yaml\), is no mode the stack takes, so no gate sees /,
      );
      assert.doesNotMatch(r.reason, /no transitional mode/);
    }
    assert.match(
      refusal(ssd, distributed)[0].reason,
      /stops all 3 write pod\(s\) at once.*set loki\.mode: SimpleScalable to keep/,
    );
  });
});

/**
 * What `pulumi config set --cwd <dir> --stack <stack> --path '<key.path>' <value>` does to the
 * stack file: with --path the CLI reads the stack file's map of the key (never Pulumi.yaml's
 * default) and sets the one leaf, making the maps on the way; an integer becomes a number
 * (config/tree.ts setConfigCommand). The project's keys are written namespaced.
 */
function applyConfigSet(dir: string, stack: string, command: string): void {
  const m = /^pulumi --cwd (\S+) config set --stack (\S+) --path '([\w.]+)' ([\w.]+)$/.exec(command);
  assert.ok(m, command);
  assert.deepEqual([m[1], m[2]], [dir, stack], command);
  const [top, ...rest] = m[3].split(".");
  const file = path.join(dir, `Pulumi.${stack}.yaml`);
  const doc = parseDocument(fs.readFileSync(file, "utf8"));
  doc.setIn(["config", `homelab-observability:${top}`, ...rest], /^\d+$/.test(m[4]) ? Number(m[4]) : m[4]);
  fs.writeFileSync(file, doc.toString());
}

describe("synth --against: the hint that keeps Monolithic keeps Pulumi.yaml's other workload keys", function () {
  this.timeout(120_000);
  // Pulumi.yaml's default workload is the stack's whole workload: a stack file that sets
  // workload.logsPerDay alone (as "set workload.logsPerDay at most 20GB" read) replaces it, and
  // the activeSeries it declares (Mimir's size) goes with it.
  it("pasted, its commands give a config the program takes: Monolithic kept, activeSeries intact", async () => {
    const dir = tmpDir("loki-default-workload");
    const project = (logs: string) =>
      fs
        .readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")
        .replace(
          /\n {2}workload:\n {4}default: \{\}\n/,
          `\n  workload:\n    default:\n      activeSeries: 300000\n      logsPerDay: ${logs}\n`,
        );
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), project("10GB"));
    assert.match(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8"), /activeSeries: 300000/);
    // Staging with its Loki mode left to the workload (the logs a day choose it).
    const staging = fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8");
    const left = staging.replace(/\n {4}(mode|replicas|replicationFactor): \S+(?=\n)/g, "");
    assert.doesNotMatch(left, /\n {2}homelab-observability:workload:/);
    fs.writeFileSync(path.join(dir, "Pulumi.staging.yaml"), left);
    const synthStaging = (out: string, ...args: string[]) =>
      synthCli("--dir", dir, "--out", path.join(dir, out), "--quiet", "--stack", "staging", ...args);
    const before = await synthStaging("before");
    assert.equal(before.status, 0, before.stdout + before.stderr);
    const against = ["--against", path.join(dir, "before", "staging.json")];

    // The default raised past what Monolithic holds: the move to Distributed is refused, with the hint.
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), project("50GB"));
    const refused = await synthStaging("raised", ...against);
    assert.equal(refused.status, 1, refused.stdout + refused.stderr);
    const line = refused.stdout
      .split("\n")
      .find((l) => /REFUSED Release::loki values\.deploymentMode/.test(l));
    assert.ok(line, refused.stdout);
    assert.match(
      line,
      /set workload\.logsPerDay at most 20GB \(.*50GB, the project default at \S+Pulumi\.yaml:\d+, is above it\), keeping the default's workload\.activeSeries \(a workload the stack file sets replaces Pulumi\.yaml's whole\): `/,
    );
    const commands = [...line.matchAll(/`(pulumi [^`]+)`/g)].map((c) => c[1]);
    assert.deepEqual(commands, [
      `pulumi --cwd ${dir} config set --stack staging --path 'workload.activeSeries' 300000`,
      `pulumi --cwd ${dir} config set --stack staging --path 'workload.logsPerDay' 20GB`,
    ]);

    // Applied: the config is taken, the stack stays Monolithic, and both keys are declared.
    for (const c of commands) applyConfigSet(dir, "staging", c);
    const kept = await synthStaging("kept", ...against);
    assert.equal(kept.status, 0, kept.stdout + kept.stderr);
    const resources: { urn: string; type: string; inputs?: any }[] = JSON.parse(
      fs.readFileSync(path.join(dir, "kept", "staging.json"), "utf8"),
    ).deployment.resources;
    const info = resources.find(
      (r) => r.type === "kubernetes:core/v1:ConfigMap" && r.urn.endsWith("::stack-info"),
    );
    assert.deepEqual(JSON.parse(info?.inputs?.data?.workload ?? "{}"), {
      activeSeries: 300000,
      logsPerDayBytes: 20e9,
    });
    const loki = resources.find((r) => r.type === RELEASE && r.urn.endsWith("::loki"));
    assert.equal(loki?.inputs?.values?.deploymentMode, "Monolithic");
    assert.doesNotMatch(kept.stdout, /REFUSED/);
  });
});

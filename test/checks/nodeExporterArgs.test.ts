/**
 * process-args for node_exporter v1.10.2 (checks/processArgs.ts, its flags as data:
 * upstream/exporters/data/node-exporter-1.10.2/flags.tsv). Production with
 * `chartValues.prometheus-node-exporter.extraArgs` holding `--collector.systemdd` passed synth
 * (exit 0), though node_exporter refuses it at start ("node_exporter: error: unknown long flag
 * '--collector.systemdd', try --help", exit 1): the DaemonSet restarts on every node and no node
 * metric is scraped. Every refusal and acceptance below is what the v1.10.2 binary (built from the
 * module proxy, go1.26.8) did, run with `--web.listen-address=127.0.0.1:0`: a command line it takes
 * got it listening.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { checkProcessArgs } from "../../checks/processArgs";
import type { Placed } from "../../checks/objects";
import { oneContainer } from "../support/checkCases";
import { ROOT, synthCli, tmpDir } from "../support/helpers";

/** The prometheus-node-exporter chart 4.49.1's own arguments, as the stacks render them. */
const CHART_ARGS = [
  "--path.procfs=/host/proc",
  "--path.sysfs=/host/sys",
  "--path.rootfs=/host/root",
  "--path.udev.data=/host/root/run/udev/data",
  "--web.listen-address=[$(HOST_IP)]:8100",
];

/** A DaemonSet of the node_exporter image (the stacks pin it by digest; a tag reads the same). */
const nodeExporter = (...args: string[]): Placed =>
  oneContainer({
    kind: "DaemonSet",
    name: "node-exporter",
    app: "n",
    container: "node-exporter",
    image: "quay.io/prometheus/node-exporter:v1.10.2",
    args: [...CHART_ARGS, ...args],
    urn: "urn:n",
    source: "release node-exporter",
  });
const messages = (...args: string[]) =>
  checkProcessArgs([nodeExporter(...args)]).findings.map((f) => f.message);
/** The one message of a command line node_exporter refuses. */
const refusal = (...args: string[]) => {
  const [m, ...rest] = messages(...args);
  assert.deepEqual(rest, []);
  assert.ok(m, `a refusal of ${JSON.stringify(args)}`);
  return m;
};

/** The arguments a user adds: the stack's own sysctl collector arguments and `extra`. */
const USER_ARGS = [
  "--collector.sysctl",
  "--collector.sysctl.include=fs.inotify.max_user_watches",
  "--collector.sysctl.include=fs.inotify.max_user_instances",
];

describe("process-args: node_exporter v1.10.2's command line, as its kingpin reads it", () => {
  it("passes the chart's arguments and the forms the binary takes: collector switches, a list twice, a log level in any case", () => {
    assert.deepEqual(messages(), []);
    assert.deepEqual(
      messages(
        "--collector.systemd",
        "--no-collector.wifi",
        "--collector.textfile.directory=/x",
        "--collector.textfile.directory=/y",
        "--log.level=DEBUG",
        // A hidden flag (Hidden(), collector/filesystem_common.go:44) is taken all the same.
        "--collector.filesystem.ignored-mount-points=x",
      ),
      [],
    );
    assert.equal(checkProcessArgs([nodeExporter()]).judged, 1);
  });

  it("fails an unknown flag in the binary's words and exit code, with the flag it meant and where that is declared", () => {
    const m = refusal("--collector.systemdd");
    assert.match(
      m,
      /^node_exporter, given the command line \[.*"--collector\.systemdd"\], refuses it \("node_exporter: error: unknown long flag '--collector\.systemdd', try --help"\) \(did you mean --collector\.systemd\? declared at collector\/systemd_linux\.go:87\) and exits 1: it never starts, and the pod restarts it for ever; /,
    );
    assert.match(m, /each collector is switched by --collector\.<name> or --no-collector\.<name>/);
    assert.match(m, /in the prometheus-node-exporter chart: values\.extraArgs, a list of whole arguments/);
    // A boolean's --no- form is meant as such.
    assert.match(
      refusal("--no-collector.wifii"),
      /unknown long flag '--no-collector\.wifii', try --help"\) \(did you mean --no-collector\.wifi\? declared at collector\/wifi_linux\.go:\d+\) and exits 1/,
    );
  });

  it("names every misspelt flag in one message, the first as the stop (the binary says each once the one before is mended)", () => {
    // The v1.10.2 binary: with both it says the first; with the second alone, the second.
    const m = refusal("--collector.systemdd", "--no-collector.wifii", "--log.level=debug");
    assert.match(
      m,
      /refuses it \("node_exporter: error: unknown long flag '--collector\.systemdd', try --help"\) \(did you mean --collector\.systemd\? [^)]*\) and exits 1; mended, it would stop at the next: \("node_exporter: error: unknown long flag '--no-collector\.wifii', try --help"\) \(did you mean --no-collector\.wifi\? [^)]*\): it never starts/,
    );
    // A misspelt flag followed by a word that may be its value: the rest is not guessed at.
    assert.doesNotMatch(refusal("--collector.systemdd", "x", "--no-collector.wifii"), /mended/);
  });

  it("fails the other refusals kingpin makes of node_exporter's flags, each as the binary says it", () => {
    assert.match(
      refusal("--web.telemetry-path=/a", "--web.telemetry-path=/b"),
      /"node_exporter: error: flag 'web\.telemetry-path' cannot be repeated, try --help"\) and exits 1/,
    );
    assert.match(
      refusal("-collector.systemd"),
      /"node_exporter: error: unknown short flag '-c', try --help"\)/,
    );
    assert.match(
      refusal("--collector.systemd=true"),
      /"node_exporter: error: unexpected true, try --help"\)/,
    );
    assert.match(refusal("--version"), /answers --version and exits 0: it never starts/);
    assert.match(refusal("-h"), /answers --help and exits 0/);
  });

  it("fails a --log.level or --log.format promslog refuses, naming the values it takes, the type's Set and a value meant", () => {
    assert.match(
      refusal("--log.level=verbose"),
      /^--log\.level: expected one of debug, info, warn, error \(in any case\), got "verbose": node_exporter v1\.10\.2, given the command line .*, refuses it \("node_exporter: error: unrecognized log level verbose, try --help"\) \(--log\.level is read as promslog\.Level: registered at github\.com\/prometheus\/common@v0\.67\.1\/promslog\/flag\/flag\.go:46, parsed by github\.com\/prometheus\/common@v0\.67\.1\/promslog\/slog\.go:101\) and exits 1/,
    );
    assert.match(
      refusal("--log.format=JSON"),
      /^--log\.format: expected one of logfmt, json, got "JSON": .*"node_exporter: error: unrecognized log format JSON, try --help"\) \(--log\.format is read as promslog\.Format: [^)]*; did you mean --log\.format=json\?\)/,
    );
  });

  it("fails a number or a duration kingpin's Set refuses, in its words, with the flag's type, registration, form and a value meant", () => {
    // The v1.10.2 binary: `--web.max-requests=abc` exits 1 with ParseFloat's words (kingpin's intValue
    // parses with strconv.ParseFloat), `--collector.ntp.max-distance=3` with str2duration's.
    assert.match(
      refusal("--web.max-requests=abc"),
      /^--web\.max-requests: expected a number such as 64 \(strconv\.ParseFloat, the fraction dropped\), got "abc": node_exporter v1\.10\.2, given the command line .*, refuses it \("node_exporter: error: strconv\.ParseFloat: parsing "abc": invalid syntax, try --help"\) \(--web\.max-requests is read as int: registered at node_exporter\.go:191, parsed by github\.com\/alecthomas\/kingpin\/v2@v2\.4\.0\) and exits 1: it never starts/,
    );
    assert.match(
      refusal("--collector.ntp.max-distance=3"),
      /^--collector\.ntp\.max-distance: expected a duration such as 500ms, 30s, 5m or 1h30m \(units ns, us, ms, s, m, h, d, w; str2duration v2\.1\.0\), got "3": .*\("node_exporter: error: time: missing unit in duration "3", try --help"\) \(--collector\.ntp\.max-distance is read as time\.Duration: registered at collector\/ntp\.go:44, parsed by github\.com\/alecthomas\/kingpin\/v2@v2\.4\.0; did you mean --collector\.ntp\.max-distance=3s\?\) and exits 1/,
    );
    assert.match(
      refusal("--collector.ntp.server-port=1,000"),
      /did you mean --collector\.ntp\.server-port=1000\?/,
    );
    // What its Set takes passes: a fraction for an int, days for a duration, the value apart.
    assert.deepEqual(
      messages("--web.max-requests=1.5", "--collector.ntp.max-distance=2d", "--runtime.gomaxprocs", "4"),
      [],
    );
  });

  it("names every mistake of one command line in one message: values, a repeat and a misspelt flag, each as the binary says it once the one before is mended", () => {
    // Each mended command line of this chain was run on the v1.10.2 binary
    // (test/upstream/data/nodeExporterArgs.jsonl): it says the next refusal named here.
    const m = refusal("--web.max-requests=abc", "--log.level=verbose", "--collector.ntp.ip-ttl=x");
    assert.match(
      m,
      /^--web\.max-requests: .*refuses it \("node_exporter: error: strconv\.ParseFloat: parsing "abc": invalid syntax, try --help"\) \([^)]*\) and exits 1; mended, it would stop at the next: \("node_exporter: error: unrecognized log level verbose, try --help"\) \(--log\.level is read as promslog\.Level: [^;]*; it takes one of debug, info, warn, error \(in any case\)\), then \("node_exporter: error: strconv\.ParseFloat: parsing "x": invalid syntax, try --help"\) \(--collector\.ntp\.ip-ttl is read as int: registered at collector\/ntp\.go:41, parsed by [^;]*; it takes a number such as 64 \(strconv\.ParseFloat, the fraction dropped\)\): it never starts/,
    );
    // A misspelt flag is met at the parse, before any value (the binary: `--web.max-requests=abc
    // --collector.systemdd` says the flag); a repeat after a value refused.
    assert.match(
      refusal(
        "--web.max-requests=abc",
        "--collector.systemdd",
        "--web.telemetry-path=/a",
        "--web.telemetry-path=/b",
      ),
      /refuses it \("node_exporter: error: unknown long flag '--collector\.systemdd', try --help"\) \(did you mean [^)]*\) and exits 1; mended, it would stop at the next: \("node_exporter: error: strconv\.ParseFloat: parsing "abc": invalid syntax, try --help"\) \([^)]*\(strconv[^)]*\)\), then \("node_exporter: error: flag 'web\.telemetry-path' cannot be repeated, try --help"\): it never starts/,
    );
  });
});

describe("synth: production with node_exporter arguments in chartValues.prometheus-node-exporter.extraArgs", function () {
  this.timeout(120_000);

  /** A copy of production whose stack file ends with the node-exporter chart's extraArgs; the key's line. */
  function production(extra: string[]): { dir: string; line: number } {
    const dir = tmpDir("node-exporter-args");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const text = fs.readFileSync(path.join(ROOT, "Pulumi.production.yaml"), "utf8").trimEnd();
    const added = [
      "  homelab-observability:chartValues:",
      "    prometheus-node-exporter:",
      "      extraArgs:",
      ...[...USER_ARGS, ...extra].map((a) => `        - ${JSON.stringify(a)}`),
    ];
    fs.writeFileSync(path.join(dir, "Pulumi.production.yaml"), `${text}\n${added.join("\n")}\n`);
    return { dir, line: text.split("\n").length + 3 };
  }

  it("a slip in a flag's name and a duration without its unit fail (exit 1) in one message with the binary's words, the flag and value meant, and the override at its line", async () => {
    const { dir, line } = production(["--collector.systemdd", "--collector.ntp.max-distance=3"]);
    const r = await synthCli("--stack", "production", "--dir", dir, "--out", tmpDir("out"));
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const out = r.stdout + r.stderr;
    assert.match(
      out,
      /\[process-args\] DaemonSet monitoring\/node-exporter \(release node-exporter\) container node-exporter: node_exporter, given the command line .*"--collector\.systemdd",.*\], refuses it \("node_exporter: error: unknown long flag '--collector\.systemdd', try --help"\) \(did you mean --collector\.systemd\? [^)]*\) and exits 1; mended, it would stop at the next: \("node_exporter: error: time: missing unit in duration "3", try --help"\) \(--collector\.ntp\.max-distance is read as time\.Duration: registered at collector\/ntp\.go:44, .*; did you mean --collector\.ntp\.max-distance=3s\?\)/,
    );
    assert.ok(
      out.includes(
        `from the stack's chart values override chartValues.prometheus-node-exporter.extraArgs (${path.join(dir, "Pulumi.production.yaml")}:${line})`,
      ),
      out,
    );
    assert.match(out, /production: FAIL \(exit 1\): 1 rendered-object problem/);
  });

  it("flags the binary takes pass (exit 0): collector switches, a list flag twice, a log level", async () => {
    const { dir } = production([
      "--collector.systemd",
      "--no-collector.wifi",
      "--collector.textfile.directory=/x",
      "--collector.textfile.directory=/x",
      "--log.level=debug",
    ]);
    const r = await synthCli("--stack", "production", "--dir", dir, "--out", tmpDir("out"));
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /production: pass \(exit 0\)/);
  });
});

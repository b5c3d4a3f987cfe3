/**
 * process-args: a container whose program's own flag parser refuses its command line, or answers it
 * with its help, never starts (checks/processArgs.ts). Staging with
 * `chartValues.alertmanager.extraArgs: {storage.path: /alertmanager/data}` passed (exit 0), though
 * the chart writes its own `--storage.path=/alertmanager` first and kingpin refuses the repeat
 * ("alertmanager: error: flag 'storage.path' cannot be repeated", the Debian 0.25.0 binary exits
 * 1); `chartValues.alloy.alloy.extraArgs: [-stability.level=experimental]` passed too, which
 * pflag refuses ("unknown shorthand flag: 's'"). Both are now one message each, naming the override.
 */
import { strict as assert } from "assert";
import { checkProcessArgs, processArgs } from "../../checks/processArgs";
import type { Placed } from "../../checks/objects";
import { KPS_OPERATOR_ARGS, oneContainer } from "../support/checkCases";

const AM_CHART = ["--storage.path=/alertmanager", "--config.file=/etc/alertmanager/alertmanager.yml"];
const ALLOY_CHART = ["run", "/etc/alloy/config.alloy", "--storage.path=/var/lib/alloy/data"];

/** A StatefulSet of one container of `image` with `args` (and `command`, when given). */
const pod = (image: string, args: string[], command?: string[]): Placed =>
  oneContainer({
    kind: "StatefulSet",
    name: "p",
    app: "p",
    container: "c",
    image,
    args,
    command,
    urn: "urn:p",
    source: "release p",
  });
const am = (...args: string[]) => pod("quay.io/prometheus/alertmanager:v0.28.1", [...AM_CHART, ...args]);
const alloy = (...args: string[]) => pod("docker.io/grafana/alloy:v1.12.0", [...ALLOY_CHART, ...args]);
const messages = (p: Placed) => checkProcessArgs([p]).findings.map((f) => f.message);

describe("process-args: each program's command line as its own flag parser reads it", () => {
  it("passes the charts' own command lines and the other forms each parser takes", () => {
    assert.deepEqual(messages(am()), []);
    assert.deepEqual(
      messages(am("--cluster.peer=a:9094", "--cluster.peer", "b:9094", "--no-web.systemd-socket")),
      [],
    );
    assert.deepEqual(messages(alloy()), []);
    assert.deepEqual(messages(alloy("--storage.path", "/tmp/alloy", "--cluster.enabled=false")), []);
    assert.equal(checkProcessArgs([am(), alloy()]).judged, 2);
  });

  it("fails a command line Alertmanager's kingpin refuses, with kingpin's words, the forms it takes and the chart value", () => {
    const [m, ...rest] = messages(am("--storage.path=/alertmanager/data"));
    assert.deepEqual(rest, []);
    assert.match(m, /^Alertmanager, given the command line \["--storage\.path=\/alertmanager",/);
    assert.match(
      m,
      /refuses it \("alertmanager: error: flag 'storage\.path' cannot be repeated, try --help"\) and exits 1: it never starts/,
    );
    assert.match(m, /Alertmanager takes --flag=value or --flag value/);
    assert.match(m, /values\.extraArgs, a map the chart writes as --<key>=<value>/);
    assert.match(messages(am("-config.file=/x"))[0], /unknown short flag '-c'/);
    assert.match(messages(am("--web.systemd-socket=false"))[0], /error: unexpected false,/);
    assert.match(messages(am("-h"))[0], /answers --help and exits 0: it never starts/);
    // kingpin.Version's PreAction runs for the flag given at all, before a later error (Debian 0.25.0 run).
    assert.match(messages(am("--no-version"))[0], /answers --version and exits 0/);
    assert.match(messages(am("--version", "--bogus"))[0], /answers --version and exits 0/);
    assert.match(messages(am("--storage.path=/x", "--help"))[0], /answers --help and exits 0/);
  });

  it("fails a command line `alloy run` refuses, with cobra's words, the forms it takes and the chart value", () => {
    const [m, ...rest] = messages(alloy("-stability.level=experimental"));
    assert.deepEqual(rest, []);
    assert.match(
      m,
      /refuses it \("Error: unknown shorthand flag: 's' in -stability\.level=experimental"\) and exits 1/,
    );
    assert.match(m, /`alloy run` takes one config path/);
    assert.match(m, /values\.alloy\.extraArgs, a list of whole arguments/);
    assert.match(messages(alloy("--cluster.enabled", "false"))[0], /accepts 1 arg\(s\), received 2/);
    assert.match(messages(alloy("--help"))[0], /answers --help and exits 0/);
  });

  it("fails a command line the config reloader's kingpin refuses, naming the alertmanager chart's configmapReload.extraArgs", () => {
    const reloader = (...args: string[]) =>
      pod("quay.io/prometheus-operator/prometheus-config-reloader:v0.93.0", [
        "--watched-dir=/etc/alertmanager",
        "--reload-url=http://127.0.0.1:9093/-/reload",
        ...args,
      ]);
    assert.deepEqual(messages(reloader()), []);
    const [m] = messages(reloader("-config-file=/etc/alertmanager/alertmanager.yml"));
    assert.match(
      m,
      /^prometheus-config-reloader, given the command line .* refuses it \(it prints "unknown short flag '-c'"\) and exits 2/,
    );
    assert.match(m, /values\.configmapReload\.extraArgs/);
    assert.match(messages(reloader("--reload-url=http://x"))[0], /flag 'reload-url' cannot be repeated/);
    // It prints its version and exits 0 on --version or --short-version after the parse (main.go:118-121).
    assert.match(messages(reloader("--short-version"))[0], /answers --short-version and exits 0/);
    assert.deepEqual(messages(reloader("--no-version")), []);
  });

  /**
   * Staging with `chartValues.alertmanager.extraArgs: {log.level: bogus}` passed (exit 0); the
   * Debian prometheus-alertmanager 0.25.0 exits 1 on it ("unrecognized log level \"bogus\""), and
   * v0.28.1's promslog refuses it too (upstream/kingpin.ts ALERTMANAGER_VALUES).
   */
  it("fails a flag value Alertmanager's or the reloader's flag refuses, naming the flag, what it takes and what it got", () => {
    const [m, ...rest] = messages(am("--log.level=bogus"));
    assert.deepEqual(rest, []);
    assert.match(
      m,
      /^--log\.level: expected one of debug, info, warn, error \(in any case\), got "bogus": Alertmanager v0\.28\.1, given the command line .* refuses it \("alertmanager: error: unrecognized log level bogus, try --help"\) and exits 1: it never starts/,
    );
    assert.match(m, /values\.extraArgs/);
    assert.match(
      messages(am("--log.format", "JSON"))[0],
      /^--log\.format: expected one of logfmt, json, got "JSON"/,
    );
    // No false refusal: every value v0.28.1's promslog takes passes (a level in any case).
    for (const ok of ["--log.level=DEBUG", "--log.level=warn", "--log.level=İNFO", "--log.format=json"])
      assert.deepEqual(messages(am(ok)), [], ok);
    // The first error on the line wins, as kingpin's setValues meets them.
    assert.match(
      messages(am("--log.level=info", "--log.level=bogus"))[0],
      /flag 'log\.level' cannot be repeated/,
    );
    // A value the kubelet expands from the environment is not known.
    assert.deepEqual(messages(am("--log.level=$(LOG_LEVEL)")), []);
    const reloader = (...args: string[]) =>
      pod("quay.io/prometheus-operator/prometheus-config-reloader:v0.93.0", [
        "--watched-dir=/etc/am",
        ...args,
      ]);
    assert.match(
      messages(reloader("--reload-method=Signal"))[0],
      /^--reload-method: expected one of http, signal, got "Signal": .*enum value must be one of http,signal, got 'Signal'/,
    );
    assert.deepEqual(messages(reloader("--reload-method", "signal")), []);
    // After the parse, its loggers refuse a level (in any case) or a format (go-kit's: exactly) not theirs.
    assert.match(
      messages(reloader("--log-level=verbose"))[0],
      /^--log-level: expected one of all, debug, info, warn, error, none \(in any case\), got "verbose": .*stops through log\.Fatal \("log log_level verbose unknown, \[all debug info warn error none\] are possible values"\) and exits 1/,
    );
    assert.match(
      messages(reloader("--log-format=JSON"))[0],
      /^--log-format: expected one of logfmt, json, got "JSON"/,
    );
    for (const ok of ["--log-level=DEBUG", "--log-level=none", "--log-format=json"])
      assert.deepEqual(messages(reloader(ok)), [], ok);
  });

  it("says no stop for a release whose flags it does not list (a newer Alertmanager's --dispatch.start-delay)", () => {
    // Alertmanager v0.33.0 declares --dispatch.start-delay (cmd/alertmanager/main.go), v0.28.1 does not.
    const newer = pod("quay.io/prometheus/alertmanager:v0.33.0", [...AM_CHART, "--dispatch.start-delay=30s"]);
    assert.deepEqual(checkProcessArgs([newer]), { judged: 0, findings: [] });
    assert.match(
      messages(am("--dispatch.start-delay=30s"))[0],
      /unknown long flag '--dispatch\.start-delay'/,
    );
    // Nor for an untagged or other-digest image of it; the pin's own tag with a digest is judged.
    const digest = pod("quay.io/prometheus/alertmanager@sha256:" + "0".repeat(64), ["--bogus"]);
    assert.deepEqual(messages(digest), []);
    const tagged = pod("quay.io/prometheus/alertmanager:v0.28.1@sha256:" + "0".repeat(64), ["--bogus"]);
    assert.match(messages(tagged)[0], /unknown long flag '--bogus'/);
  });

  it("says no stop where the kubelet's $(VAR) expansion decides the argument, and still reads one in a value", () => {
    // The kubelet makes `$(EXTRA)` the flag EXTRA holds before Alloy starts (an env var, envFrom, a service link).
    assert.deepEqual(messages(alloy("$(EXTRA)")), []);
    assert.deepEqual(messages(am("$(EXTRA)")), []);
    assert.deepEqual(messages(am("--config.file", "$(CONFIG)")), []);
    assert.deepEqual(messages(alloy("--cluster.enabled=$(CLUSTERED)")), []);
    // In another flag's value it changes nothing kingpin refuses: the repeat stays one message.
    const clustered = am("--cluster.advertise-address=[$(POD_IP)]:9094", "--storage.path=/alertmanager/data");
    assert.match(messages(clustered)[0], /flag 'storage\.path' cannot be repeated/);
    assert.match(messages(alloy("-storage.path=$(DIR)"))[0], /unknown shorthand flag: 's'/);
  });

  it("names each chart value that writes the reloader's arguments, the alloy chart's customArgs too", () => {
    const [m] = messages(
      pod("quay.io/prometheus-operator/prometheus-config-reloader:v0.93.0", ["-watched-dir=/etc/alloy"]),
    );
    assert.match(
      m,
      /in the alloy chart: values\.configReloader\.customArgs, a list of whole arguments that replaces the chart's own/,
    );
    // The alertmanager chart drops its own --config.file beside a config.file key: only storage.path repeats.
    assert.match(
      messages(am("--storage.path=/x"))[0],
      /a storage\.path key repeats its --storage\.path \(a config\.file key replaces its --config\.file\)/,
    );
  });

  it("reads a command that runs the binary by its name, and leaves any other command (a shell) unread", () => {
    const shell = pod(
      "quay.io/prometheus/alertmanager:v0.28.1",
      ["-c", "exec alertmanager -config.file=/x"],
      ["/bin/sh"],
    );
    assert.equal(processArgs(shell.obj.spec.template.spec.containers[0], undefined), undefined);
    assert.deepEqual(checkProcessArgs([shell]), { judged: 0, findings: [] });
    const bin = pod("quay.io/prometheus/alertmanager:v0.28.1", ["-config.file=/x"], ["/bin/alertmanager"]);
    assert.match(messages(bin)[0], /unknown short flag '-c'/);
    // Alloy without its subcommand first is not followed (cobra's search for it is not modelled).
    assert.deepEqual(
      checkProcessArgs([pod("docker.io/grafana/alloy:v1.12.0", ["--storage.path=/a", "run", "/c"])]).judged,
      0,
    );
  });
});

describe("process-args: the command line prometheus-operator v0.93.0 writes for an Alertmanager's spec.limits", () => {
  /** kube-prometheus-stack's Alertmanager custom resource with `spec`. */
  const cr = (spec: Record<string, unknown>): Placed => ({
    obj: {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "Alertmanager",
      metadata: { name: "kps-alertmanager", namespace: "monitoring" },
      spec: { image: "quay.io/prometheus/alertmanager:v0.28.1", version: "v0.28.1", ...spec },
    },
    urn: "urn:am",
    source: "release kube-prometheus-stack",
  });
  const findings = (spec: Record<string, unknown>) => checkProcessArgs([cr(spec)]).findings;

  it("refuses maxPerSilenceBytes: the operator writes --silences.max-per-silence-bytes, a flag Alertmanager v0.28.1 has not", () => {
    const [f, ...rest] = findings({ limits: { maxPerSilenceBytes: "1MiB", maxSilences: 100 } });
    assert.deepEqual(rest, []);
    assert.deepEqual(f.judged, ["limits.maxPerSilenceBytes"]);
    assert.match(
      f.message,
      /^spec\.limits\.maxPerSilenceBytes: .* as --silences\.max-per-silence-bytes .*unknown long flag '--silences\.max-per-silence-bytes'/,
    );
    assert.match(f.message, /additionalArgs \[\{name: silences\.max-silence-size-bytes/);
  });

  it("takes maxSilences, the advised additionalArgs, and a release whose flags it does not list", () => {
    assert.deepEqual(findings({ limits: { maxSilences: 100 } }), []);
    assert.deepEqual(
      findings({ additionalArgs: [{ name: "silences.max-silence-size-bytes", value: "1048576" }] }),
      [],
    );
    assert.deepEqual(
      findings({
        image: "quay.io/prometheus/alertmanager:v0.33.1",
        version: "v0.33.1",
        limits: { maxPerSilenceBytes: "1MiB" },
      }),
      [],
    );
  });
});

describe("process-args: prometheus-operator v0.93.0's command line, as Go's flag package reads it", () => {
  const operator = (...args: string[]) =>
    pod("quay.io/prometheus-operator/prometheus-operator:v0.93.0", [...KPS_OPERATOR_ARGS, ...args]);

  it("passes the chart's own arguments and the flags the operator declares, in Go's forms", () => {
    assert.deepEqual(messages(operator()), []);
    assert.deepEqual(
      messages(
        operator(
          "-log-level=debug",
          "--namespaces",
          "monitoring",
          "--feature-gates= PrometheusAgentDaemonSet = TRUE ,,",
          "start",
        ),
      ),
      [],
    );
    assert.equal(checkProcessArgs([operator()]).judged, 1);
  });

  it("fails a flag the operator does not declare, in Go's words, with the closest flag it declares and the chart value", () => {
    const [message] = messages(operator("--log-levl=debug"));
    assert.match(
      message,
      /^prometheus-operator, given the command line \[.*"--log-levl=debug"\], refuses it \("flag provided but not defined: -log-levl"\) \(did you mean --log-level\? declared at internal\/log\/log\.go:48\) and exits 2: it never starts, and the pod restarts it for ever; /,
    );
    assert.match(
      message,
      /values\.prometheusOperator\.extraArgs, a list of whole arguments after the chart's own/,
    );
    // A flag of another program (Alertmanager's) is no slip of one of the operator's: no guess.
    assert.match(messages(operator("--storage.path=/x"))[0], /-storage\.path"\) and exits 2/);
    // Every misspelt flag in one message, then the value the parse would meet next (the v0.93.0
    // binary says each once the ones before it are mended).
    assert.match(
      messages(operator("--log-levl=debug", "--kubelet-sync-periodd=5m", "--kubelet-sync-period=1d"))[0],
      /"flag provided but not defined: -log-levl"\) \(did you mean --log-level\? [^)]*\) and exits 2; mended, it would stop at the next: \("flag provided but not defined: -kubelet-sync-periodd"\) \(did you mean --kubelet-sync-period\? [^)]*\), then \("invalid value "1d" for flag -kubelet-sync-period: parse error"\) \(time: unknown unit "d" in duration "1d"\): it never starts/,
    );
  });

  it("fails --version, --short-version and -help, which answer and exit, and reads no flag after its command", () => {
    assert.match(messages(operator("--version"))[0], /answers --version and exits 0/);
    assert.match(messages(operator("--short-version=true"))[0], /answers --short-version and exits 0/);
    assert.match(messages(operator("-help"))[0], /answers -help with its usage and exits 0/);
    // After its command the rest are arguments (Go's flag package stops at the first non-flag).
    assert.deepEqual(messages(operator("start", "--bogus")), []);
  });

  it("fails a command other than start: a boolean's value given apart is taken as the command", () => {
    // The operator v0.93.0 built from source: `--web.enable-tls true` prints "Unknown command: true"
    // and exits 1; `crds` prints the CRDs and exits 0; `-- --log-level=debug` makes the flag the command.
    assert.match(
      messages(operator("--web.enable-tls", "true"))[0],
      /\], takes "true" as its command, which it does not have \(crds, full-crds, start\): it prints "Unknown command: true" and exits 1 \(--web\.enable-tls is a boolean: it takes its value only as --web\.enable-tls=true\): it never starts/,
    );
    assert.match(
      messages(operator("crds"))[0],
      /\], takes "crds" as its command, which prints the CRDs and exits 0: /,
    );
    assert.match(
      messages(operator("--", "--log-level=debug"))[0],
      /takes "--log-level=debug" as its command, [^(]*\(crds, full-crds, start\): it prints "Unknown command: --log-level=debug" and exits 1: /,
    );
    // A value flag takes the next argument whatever it is: no command.
    assert.deepEqual(messages(operator("--log-level", "debug")), []);
  });

  it("fails a --repair-policy-for-statefulsets value its Set refuses, as Go's parse does, and passes its three", () => {
    // The v0.93.0 binary: `=Evict` exits 2 "invalid value "Evict" for flag -repair-policy-for-statefulsets: invalid value: Evict".
    assert.match(
      messages(operator("--repair-policy-for-statefulsets", "Evict"))[0],
      /^--repair-policy-for-statefulsets: expected none, evict, delete, got "Evict": prometheus-operator v0\.93\.0, given the command line \[.*\], refuses it \("invalid value "Evict" for flag -repair-policy-for-statefulsets: invalid value: Evict"\) and exits 2 \(--repair-policy-for-statefulsets is read as operator\.RepairPolicy: registered at cmd\/operator\/main\.go:171, parsed by its Set at pkg\/operator\/statefulset_reporter\.go:46; did you mean --repair-policy-for-statefulsets=evict\?\): it never starts/,
    );
    assert.match(messages(operator("--repair-policy-for-statefulsets="))[0], /invalid value "" for flag/);
    for (const v of ["none", "evict", "delete"])
      assert.deepEqual(messages(operator(`--repair-policy-for-statefulsets=${v}`)), []);
  });

  it("fails a log level or format its logger refuses as it starts, in either case of letters, the last of a repeat read", () => {
    // The v0.93.0 binary: `--log-level=debuggg` and `--log-level=` exit 1 "log log_level debuggg
    // unknown, [all debug info warn error none] are possible values"; `--log-format=x` exits 1;
    // `--log-level=DEBUG`, `--log-format=JSON` start.
    assert.match(
      messages(operator("--log-level=debuggg"))[0],
      /\], refuses --log-level=debuggg as it starts \("log log_level debuggg unknown, \[all debug info warn error none\] are possible values"\) \(did you mean --log-level=debug\?\) and exits 1: /,
    );
    assert.match(messages(operator("--log-level="))[0], /"log log_level  unknown, /);
    assert.match(
      messages(operator("--log-format", "jsn"))[0],
      /refuses --log-format=jsn as it starts \("log format jsn unknown, \[logfmt json\] are possible values"\) \(did you mean --log-format=json\?\) and exits 1/,
    );
    assert.match(messages(operator("--log-level=bad", "--log-format=bad"))[0], /--log-level=bad/);
    for (const ok of [
      ["--log-level=DEBUG", "--log-format=JSON"],
      ["--log-level=bad", "--log-level=none"],
    ])
      assert.deepEqual(messages(operator(...ok)), []);
    // `crds` builds no logger: its own stop is said, not the level's.
    assert.match(messages(operator("--log-level=bad", "crds"))[0], /takes "crds" as its command/);
  });

  it("fails a --feature-gates value its Set refuses (exit 2) and a gate it does not know as it starts (exit 1)", () => {
    // The v0.93.0 binary: `=a` exits 2 "invalid value "a" for flag -feature-gates: malformed pair,
    // expect string=bool"; `=a=maybe` exits 2 with ParseBool's words; `=a=true` and
    // `=PrometheusAgentDaemonSet=true,Foo=false` exit 1 "feature gate "a" is unknown"; ` X = TRUE ,,` starts.
    assert.match(
      messages(operator("--feature-gates=a"))[0],
      /\], refuses it \("invalid value "a" for flag -feature-gates: malformed pair, expect string=bool"\) and exits 2 \(--feature-gates is read as k8s\.io\/component-base\/cli\/flag\.MapStringBool: registered at pkg\/operator\/config\.go:127, parsed by k8s\.io\/component-base@v0\.36\.3\): /,
    );
    assert.match(
      messages(operator("--feature-gates", "a=maybe"))[0],
      /"invalid value "a=maybe" for flag -feature-gates: invalid value of a: maybe, err: strconv\.ParseBool: parsing "maybe": invalid syntax"\) and exits 2/,
    );
    assert.match(
      messages(
        operator(
          "--feature-gates=PrometheusAgentDaemonSet=true",
          "--feature-gates=PrometheusAgentDaemonset=false",
        ),
      )[0],
      /refuses --feature-gates as it starts: feature gate "PrometheusAgentDaemonset" is unknown \(it knows PrometheusAgentDaemonSet, [^)]*\) \(did you mean PrometheusAgentDaemonSet\?\), and exits 1/,
    );
    assert.deepEqual(
      messages(operator("--feature-gates=", "--feature-gates=StatusForConfigurationResources=1")),
      [],
    );
  });

  it("fails a --kubelet-node-address-priority, --labels or --annotations value its Set refuses, as Go's parse does", () => {
    // The v0.93.0 binary: `--kubelet-node-address-priority=External` exits 2 "invalid value
    // "External" for flag -kubelet-node-address-priority: invalid value for node address priority,
    // expected 'internal' or 'external' but got: "External""; `--labels=a`, `--labels=a=b,` exit 2
    // "invalid key=value pair"; `--labels=a=b,c=`, `--annotations=` start.
    assert.match(
      messages(operator("--kubelet-node-address-priority", "External"))[0],
      /\], refuses it \("invalid value "External" for flag -kubelet-node-address-priority: invalid value for node address priority, expected 'internal' or 'external' but got: "External""\) and exits 2 \([^)]*; did you mean --kubelet-node-address-priority=external\?\): /,
    );
    assert.match(
      messages(operator("--labels=a=b,"))[0],
      /refuses it \("invalid value "a=b," for flag -labels: invalid key=value pair: """\) and exits 2/,
    );
    assert.match(
      messages(operator("--annotations=a"))[0],
      /for flag -annotations: invalid key=value pair: "a"/,
    );
    for (const ok of [["--labels=a=b,c="], ["--annotations="], ["--kubelet-node-address-priority=external"]])
      assert.deepEqual(messages(operator(...ok)), []);
  });

  it("says no stop for another release of the operator, whose flags the data does not list", () => {
    const older = pod("quay.io/prometheus-operator/prometheus-operator:v0.92.0", [
      ...KPS_OPERATOR_ARGS,
      "--bogus",
    ]);
    assert.deepEqual(checkProcessArgs([older]), { judged: 0, findings: [] });
  });
});

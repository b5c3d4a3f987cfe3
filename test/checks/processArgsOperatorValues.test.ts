/**
 * process-args: a prometheus-operator v0.93.0 flag value its parse refuses stops it (checks/
 * processArgs.ts), each flag judged by the Go type flags.tsv gives it. Production with
 * `prometheusOperator.extraArgs: [--config-reloader-cpu-request=5x]` (or
 * `--prometheus-instance-selector=a==b==c`, `--secret-field-selector=foo`, `--kubelet-selector=!!`)
 * passed with exit 0, where the v0.93.0 binary exits 2; now exit 1 at the override's line. Every
 * refusal below was run on that binary (test/upstream/goFlagValues.test.ts holds the parses' words).
 */
import { strict as assert } from "assert";
import { checkProcessArgs, unjudgedOperatorTypes } from "../../checks/processArgs";
import type { Placed } from "../../checks/objects";
import { KPS_OPERATOR_ARGS, oneContainer } from "../support/checkCases";

const operator = (...args: string[]): Placed =>
  oneContainer({
    kind: "Deployment",
    name: "kps-operator",
    app: "o",
    container: "kube-prometheus-stack",
    image: "quay.io/prometheus-operator/prometheus-operator:v0.93.0",
    args: [...KPS_OPERATOR_ARGS, ...args],
    urn: "urn:o",
    source: "release kube-prometheus-stack",
  });
const messages = (...args: string[]) => checkProcessArgs([operator(...args)]).findings.map((f) => f.message);

describe("process-args: prometheus-operator v0.93.0's flag values, each judged by the Go type it sets", () => {
  it("passes the chart's own arguments and a spread of good values of every kind (the binary starts on each)", () => {
    assert.deepEqual(messages(), []);
    assert.deepEqual(
      messages(
        "--config-reloader-cpu-request=100m",
        "--config-reloader-memory-limit=1Gi",
        "--config-reloader-cpu-limit=",
        "--prometheus-instance-selector=env in (prod,staging),!canary",
        "--secret-field-selector=type!=kubernetes.io/dockercfg,metadata.namespace=monitoring",
        "--kubelet-sync-period=1h30m",
        "--web.tls-reload-interval=0",
        "--auto-gomemlimit-ratio=0.8",
        "--namespaces=monitoring,default",
        "--kubelet-selector=kubernetes.io/os=linux",
        "--alertmanager-instance-selector=",
      ),
      [],
    );
  });

  it("fails a quantity resource.ParseQuantity refuses, in the binary's words, with the key, the form and a suffix meant", () => {
    const [m] = messages("--config-reloader-cpu-request=5x");
    assert.match(
      m,
      /^--config-reloader-cpu-request: expected a Kubernetes quantity such as 100m, 0\.5, 50Mi or 1Gi \(resource\.ParseQuantity of k8s\.io\/apimachinery v0\.36\.3\), got "5x": prometheus-operator v0\.93\.0, given the command line \[.*\], refuses it \("invalid value "5x" for flag -config-reloader-cpu-request: quantities must match the regular expression '\^\(\[\+-\]\?\[0-9\.\]\+\)\(\[eEinumkKMGTP\]\*\[-\+\]\?\[0-9\]\*\)\$'"\) and exits 2 \(--config-reloader-cpu-request is read as operator\.Quantity: registered at cmd\/operator\/main\.go:161, parsed by its Set at pkg\/operator\/config\.go:184\): it never starts/,
    );
    assert.match(m, /values\.prometheusOperator\.extraArgs/);
    assert.match(
      messages("--config-reloader-memory-limit=512mi")[0],
      /"invalid value "512mi" for flag -config-reloader-memory-limit: unable to parse quantity's suffix"\) and exits 2 \([^)]*; did you mean --config-reloader-memory-limit=512Mi\?\)/,
    );
  });

  it("fails a label or field selector labels.Parse or fields.ParseSelector refuses", () => {
    assert.match(
      messages("--prometheus-instance-selector=a==b==c")[0],
      /^--prometheus-instance-selector: expected a label selector .*, got "a==b==c": .*refuses it \("invalid value "a==b==c" for flag -prometheus-instance-selector: found '==', expected: ',' or 'end of string'"\) and exits 2 \(--prometheus-instance-selector is read as operator\.LabelSelector: registered at cmd\/operator\/main\.go:187, parsed by its Set at pkg\/operator\/config\.go:330\)/,
    );
    assert.match(
      messages("--kubelet-selector", "!!")[0],
      /"invalid value "!!" for flag -kubelet-selector: unable to parse requirement: found '!', expected: identifier"\) and exits 2/,
    );
    assert.match(
      messages("--secret-field-selector=foo")[0],
      /^--secret-field-selector: expected a field selector .*"invalid value "foo" for flag -secret-field-selector: invalid selector: 'foo'; can't understand 'foo'"\) and exits 2 \(--secret-field-selector is read as operator\.FieldSelector: registered at cmd\/operator\/main\.go:190, parsed by its Set at pkg\/operator\/config\.go:370\)/,
    );
  });

  it("fails a duration or a number Go's flag package refuses, with Go's own reason beside its \"parse error\"", () => {
    assert.match(
      messages("--kubelet-sync-period=1d")[0],
      /^--kubelet-sync-period: expected a Go duration such as 30s, 3m or 1h30m .*refuses it \("invalid value "1d" for flag -kubelet-sync-period: parse error"\) \(time: unknown unit "d" in duration "1d"\) and exits 2 \(--kubelet-sync-period is read as time\.Duration: registered at cmd\/operator\/main\.go:153, parsed by Go's flag package; did you mean --kubelet-sync-period=24h\?\)/,
    );
    assert.match(
      messages("--auto-gomemlimit-ratio=0,8")[0],
      /"invalid value "0,8" for flag -auto-gomemlimit-ratio: parse error"\) \(strconv\.ParseFloat: parsing "0,8": invalid syntax\) and exits 2/,
    );
  });

  it("says the first refusal in the arguments' order, as Go's parse stops there, the later ones after it, and leaves a value the kubelet expands unjudged", () => {
    const found = messages("--kubelet-sync-period=x", "--config-reloader-cpu-request=5x");
    assert.equal(found.length, 1);
    assert.match(found[0], /^--kubelet-sync-period: /);
    // One message for the command line, and every value refused in one run: the binary stops at
    // the first and says the next once it is mended (v0.93.0: `--kubelet-sync-period=1d
    // --kubelet-selector=app=kubelet,!!` says the duration; the selector alone, its own words).
    assert.match(
      messages("--kubelet-sync-period=1d", "--kubelet-selector=app=kubelet,!!")[0],
      /did you mean --kubelet-sync-period=24h\?\); mended, it would stop at the next value it refuses: --kubelet-selector=app=kubelet,!! \("unable to parse requirement: found '!', expected: identifier"\): it never starts/,
    );
    // The v0.93.0 binary: `--kubelet-sync-period=x --bogus` says the value, `--bogus --kubelet-sync-period=x` the flag.
    assert.match(messages("--kubelet-sync-period=x", "--bogus")[0], /^--kubelet-sync-period: /);
    assert.match(
      messages("--bogus", "--kubelet-sync-period=x")[0],
      /refuses it \("flag provided but not defined: -bogus"\)/,
    );
    assert.deepEqual(checkProcessArgs([operator("--kubelet-selector=$(SELECTOR)")]), {
      judged: 0,
      findings: [],
    });
  });

  it("has a judge for every Go type the operator's flags set (a new type stops the check, said)", () => {
    assert.deepEqual(unjudgedOperatorTypes(), []);
  });

  it("fails an --apiserver address its client config refuses before it connects (exit 1), and leaves alone what it would only find by connecting", () => {
    // The v0.93.0 binary: `--apiserver=127.0.0.1:6443` logs this error at main.go:318 and exits 1
    // (test/upstream/data/operatorApiserver.jsonl).
    assert.match(
      messages("--apiserver=127.0.0.1:6443")[0],
      /^--apiserver: expected an API server URL such as https:\/\/10\.0\.0\.1:6443, or a host:port pair \(left out, the in-cluster config\), got "127\.0\.0\.1:6443": prometheus-operator v0\.93\.0, given the command line \[.*\], refuses --apiserver=127\.0\.0\.1:6443 as it starts, before it connects \(it logs msg="failed to create Kubernetes client configuration" err="error parsing host url 127\.0\.0\.1:6443: parse \\"127\.0\.0\.1:6443\\": first path segment in URL cannot contain colon": pkg\/k8s\/k8s\.go:96-99, logged at cmd\/operator\/main\.go:318; did you mean --apiserver=https:\/\/127\.0\.0\.1:6443\?\) and exits 1: it never starts/,
    );
    assert.match(
      messages("--apiserver=http://x:port")[0],
      /err="error parsing host url http:\/\/x:port: parse \\"http:\/\/x:port\\": invalid port \\":port\\" after host"/,
    );
    // An address it connects to, whether or not anything answers there; --kubelet-service's form
    // is checked only once connected (cmd/operator/main.go:681-686), so it is not judged.
    assert.deepEqual(messages("--apiserver=https://10.0.0.1:6443", "--kubelet-service=no-slash"), []);
    // A KUBECONFIG in the environment replaces --apiserver (pkg/k8s/k8s.go:77-86): not judged.
    const withKubeconfig = operator("--apiserver=127.0.0.1:6443");
    withKubeconfig.obj.spec.template.spec.containers[0].env = [{ name: "KUBECONFIG", value: "/k" }];
    assert.deepEqual(checkProcessArgs([withKubeconfig]).findings, []);
  });
});

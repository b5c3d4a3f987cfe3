/**
 * Every place the program reads a user's YAML says a text that does not parse with its place, the
 * form expected and the parser's reason, and shows no secret: eemeli/yaml's message adds the line
 * of the mistake and some of its reasons quote a piece of it (`Invalid escape sequence \uZq7v`);
 * js-yaml's adds three lines above and two below. Each broken text holds a secret-looking value on
 * the line of the mistake, and one on a line beside it.
 */
import { strict as assert } from "assert";
import { checkAlertmanagerConfigs } from "../../checks/alertmanagerConfigs";
import { checkEngineConfigs } from "../../checks/engineConfigs";
import { proxiedTargets } from "../../checks/scrapeAuthz";
import { checkVector } from "../../checks/vector";
import { readKubeconfig } from "../../config/kubeContext";
import { parseYamlText, YamlFileError } from "../../config/stackFile";
import { parseRunning } from "../../model/running";
import { versions } from "../../model/versions";
import { parseManifest } from "../../synth/render/manifest";
import { daemonSet, NS } from "../support/objects";
import { at, configMap, lokiReadingConfig } from "../support/checkCases";
import { BASE, P, refusal } from "../support/stackText";
import { SECRET, holdsSecretPiece } from "../support/secretPieces";

/** An escape YAML has not, in front of the secret: the mistake is the secret itself. */
const AT = `"\\u${SECRET}"`;
/** Where eemeli/yaml places that mistake: at the backslash (js-yaml: at the secret, where hex digits are due). */
const BACKSLASH = "\\u";
const ESCAPE = "Invalid escape sequence in a double-quoted string";

/** `line:column` of the first `needle` in `text`, both from 1. */
function placeOf(text: string, needle: string): string {
  const before = text.slice(0, text.indexOf(needle));
  const lines = before.split("\n");
  return `${lines.length}:${lines[lines.length - 1].length + 1}`;
}

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  assert.fail("nothing thrown");
}

/** That `message` gives none of the secret away. */
const noSecret = (message: string) => assert.ok(!holdsSecretPiece(message), message);

describe("a user's YAML that does not parse: placed, the reason in words, no secret shown", function () {
  this.timeout(60_000);

  it("the stack file, read alone: the secret's line shows its key, other lines as written", () => {
    const atText = `config:\n  ${P("kubeContext")}: admin@example\n  ${P("grafanaAdminPassword")}: ${AT}\n`;
    const e = thrown(() => parseYamlText("s.yaml", atText));
    assert.ok(e instanceof YamlFileError, String(e));
    assert.ok(
      e.message.startsWith(`s.yaml:${placeOf(atText, BACKSLASH)}: not valid YAML: ${ESCAPE}\n`),
      e.message,
    );
    assert.match(e.message, /^ {2}3 \| {3}homelab-observability:grafanaAdminPassword: <not shown>$/m);
    assert.match(e.message, /kubeContext: admin@example/);
    noSecret(e.message);

    // Beside it, on the line above an over-indented key: a `secure:` value, a credential, a URL's
    // login, a token. The line of the mistake holds none: shown as written.
    const TYPE = "     type: minio";
    const cases: [string, string, string, string][] = [
      [
        `  ${P("minioAdminPassword")}:\n    secure: v1:${SECRET}`,
        "    secure: <not shown>",
        `   ${P("cluster")}: pi`,
        "4:4",
      ],
      [
        `  ${P("objectStore")}:\n    secretKey: ${SECRET}`,
        "    secretKey: <not shown>",
        "   region: x",
        "4:4",
      ],
      [
        `  ${P("objectStore")}:\n    endpoint: http://minio:${SECRET}@minio.storage.svc:9000`,
        "    endpoint: http://<not shown>@minio.storage.svc:9000",
        TYPE,
        "4:6",
      ],
      [`  ${P("objectStore")}:\n    note: ghp_${SECRET}${SECRET}`, "    note: <not shown>", TYPE, "4:6"],
    ];
    for (const [above, shown, mistake, place] of cases) {
      const b = thrown(() => parseYamlText("s.yaml", `config:\n${above}\n${mistake}\n`));
      assert.ok(b.message.startsWith(`s.yaml:${place}: not valid YAML: `), b.message);
      assert.ok(b.message.includes(`| ${shown}\n`), b.message);
      assert.ok(b.message.includes(`| ${mistake.split("\n").pop()}\n`), b.message);
      noSecret(b.message);
    }
  });

  it("the stack file in a stack run: the slip's excerpt hides a secret on its line and beside it", () => {
    const e = refusal(
      `${BASE}  ${P("pushoverToken")}: ${AT}\n  ${P("receiverCredentials")}:\n    ops: ${SECRET}\n   ${P("cluster")}: pi\n`,
    );
    assert.match(e.message, new RegExp(`Pulumi\\.s\\.yaml:4:\\d+: not valid YAML: ${ESCAPE}`));
    assert.match(e.message, /pushoverToken: <not shown>/);
    assert.match(e.message, /ops: <not shown>/);
    noSecret(e.message);
  });

  it("a config problem's excerpt (a URL with a login, beside a second merge key `<<`): the login is not shown", () => {
    // Two problems show the line: the URL's own (it carries credentials) and the second `<<`'s,
    // whose excerpt shows the line above it.
    const e = refusal(`${BASE}  ${P("objectStore")}:
    <<: &store
      type: minio
    endpoint: http://minio:${SECRET}@minio.storage.svc:9000
    <<: *store
`);
    assert.match(e.message, /objectStore\.endpoint: expected a URL .*no credentials/);
    assert.match(e.message, /:8:5: homelab-observability:objectStore has two merge keys `<<`/);
    assert.equal(e.message.match(/endpoint: http:\/\/<not shown>@minio/g)?.length, 2, e.message);
    assert.match(e.message, /endpoint: http:\/\/<not shown>@minio\.storage\.svc:9000/);
    noSecret(e.message);
  });

  it("an alias without its anchor is a slip at the alias, not a crash naming it", () => {
    const e = refusal(`${BASE}  ${P("cluster")}: pi\n  ${P("grafanaAdminPassword")}: *${SECRET}\n`);
    assert.match(
      e.message,
      /Pulumi\.s\.yaml:5:\d+: not valid YAML: Unresolved alias \(the anchor must be set before the alias\)/,
    );
    assert.match(e.message, /grafanaAdminPassword: <not shown>/);
    // The rest of the file is read: no key it sets is reported missing (objectStore, which it does
    // not set, is).
    assert.doesNotMatch(e.message, /homelab-observability:(?:kubeContext|phase|cluster): required/);
    assert.match(e.message, /homelab-observability:objectStore: required/);
    noSecret(e.message);
  });

  it("the kubeconfig (kubeContext): its place and reason, never its token", () => {
    for (const [text, where, found] of [
      [`users:\n  - name: admin\n    user:\n      token: ${AT}\n`, BACKSLASH, ESCAPE],
      [
        `users:\n  - name: admin\n    user:\n      token: ${SECRET}\n       client-key-data: x\n`,
        "client",
        "",
      ],
    ]) {
      const e = thrown(() => readKubeconfig("/home/u/.kube/config", () => text));
      const head = `homelab-observability:kubeContext: cannot read the kubeconfig /home/u/.kube/config: /home/u/.kube/config:`;
      assert.ok(e.message.includes(head), e.message);
      if (found)
        assert.ok(
          e.message.includes(
            `${placeOf(text, where)}: expected a kubeconfig (YAML), found text that is not YAML: ${found}`,
          ),
          e.message,
        );
      noSecret(e.message);
    }
  });

  it("the takeover's running folder: a values file of `helm get values --all` (js-yaml quotes six lines)", () => {
    const list = "- name: grafana\n  namespace: monitoring\n  chart: grafana-8.5.0\n";
    for (const [values, where] of [
      [`persistence:\n  enabled: true\nadminPassword: ${AT}\n`, SECRET],
      [`persistence:\n  enabled: true\nadminPassword: ${SECRET}\npersistence: {}\n`, "persistence: {}"],
    ]) {
      const files: Record<string, string> = {
        "helm-list.yaml": list,
        "monitoring.grafana.values.yaml": values,
        // The other reports there: the values file is the one refusal.
        "statefulsets.yaml": "kind: List\nitems: []",
        "pvcs.yaml": "kind: List\nitems: []",
      };
      const e = thrown(() => parseRunning("/r", (f) => files[f]));
      assert.ok(
        e.message.startsWith(
          `/r/monitoring.grafana.values.yaml:${placeOf(values, where)}: expected YAML (helm get values grafana`,
        ),
        e.message,
      );
      assert.match(e.message, /^ {2}3 \| adminPassword: <not shown>$/m);
      // The lines about it that hold no secret are shown as written.
      assert.match(e.message, /^ {2}[24] \| (persistence: \{\}| {2}enabled: true)$/m);
      noSecret(e.message);
    }
  });

  it("Loki's config (the engine check): its place and reason, not its storage secret", () => {
    const text = `storage_config:\n  aws:\n    secret_access_key: ${AT}\n`;
    const objects = [
      at(configMap("loki", { "config.yaml": text })),
      at(lokiReadingConfig(`docker.io/grafana/loki:${versions.images.loki.tag}`)),
    ];
    const messages = checkEngineConfigs(objects).findings.map((f) => f.message);
    assert.ok(
      messages.some((m) =>
        m.includes(
          `config.yaml:${placeOf(text, BACKSLASH)}: expected a Loki config (YAML, after expansion), found text that is not YAML: ${ESCAPE}`,
        ),
      ),
      messages.join("\n"),
    );
    messages.forEach(noSecret);
  });

  it("an Alertmanager config: its place and reason, not a receiver's password", () => {
    const text = `receivers:\n  - name: mail\n    email_configs:\n      - auth_password: ${AT}\n`;
    const [f] = checkAlertmanagerConfigs([at(configMap("am", { "alertmanager.yml": text }))]).findings;
    assert.equal(
      f.message,
      `alertmanager.yml:${placeOf(text, BACKSLASH)}: expected an Alertmanager config (YAML), found text that is not YAML: ${ESCAPE}`,
    );
    noSecret(f.message);
  });

  it("a Vector config written as YAML: its place and reason, not a sink's password", () => {
    const ds = daemonSet("vector", 9090, false);
    ds.spec.template.spec.containers[0].image = `timberio/vector:${versions.images.vector.tag}`;
    ds.spec.template.spec.volumes = [{ name: "config", configMap: { name: "vector" } }];
    const text = `sinks:\n  loki:\n    auth:\n      password: ${AT}\n`;
    const [f] = checkVector([at(configMap("vector", { "vector.yaml": text })), at(ds)]).findings;
    assert.equal(
      f.message,
      `Vector cannot parse its config: vector.yaml:${placeOf(text, BACKSLASH)}: expected a Vector config (YAML), found text that is not YAML: ${ESCAPE}`,
    );
    noSecret(f.message);
  });

  it("a kube-rbac-proxy config (the scrape check): its place and reason, none of its lines", () => {
    const text = `authorization:\n  static:\n    - user:\n        name: ${SECRET}\n       resourceRequest: false\n`;
    const ds = daemonSet("exporter", 9100, false);
    ds.spec.template.spec.containers.push({
      name: "kube-rbac-proxy",
      image: "quay.io/brancz/kube-rbac-proxy:v0.19.1",
      args: ["--secure-listen-address=0.0.0.0:8443", "--config-file=/etc/krp/config.yaml"],
      ports: [{ name: "https", containerPort: 8443 }],
      volumeMounts: [{ name: "krp", mountPath: "/etc/krp" }],
    });
    ds.spec.template.spec.volumes = [{ name: "krp", configMap: { name: "krp" } }];
    const objects = [
      at(ds),
      at(configMap("krp", { "config.yaml": text })),
      at({
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "exporter", namespace: NS, labels: { app: "exporter" } },
        spec: { selector: { app: "exporter" }, ports: [{ name: "https", port: 8443, targetPort: 8443 }] },
      }),
      at({
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: { name: "exporter", namespace: NS },
        spec: {
          selector: { matchLabels: { app: "exporter" } },
          endpoints: [{ port: "https", scheme: "https", bearerTokenFile: "/var/run/token" }],
        },
      }),
    ];
    const messages = proxiedTargets(objects).findings.map((f) => f.message);
    assert.ok(
      messages.some((m) =>
        m.startsWith(
          `ConfigMap ${NS}/krp config.yaml:5:1: expected a kube-rbac-proxy config (YAML), found text that is not YAML: `,
        ),
      ),
      messages.join("\n"),
    );
    messages.forEach(noSecret);
  });

  it("helm's output (a Secret a chart renders from the stack's values): js-yaml's six lines, secrets hidden", () => {
    const doc = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  password: ${SECRET}\n  password: ${SECRET}\n`;
    const e = thrown(() => parseManifest(`---\n# Source: chart/templates/secret.yaml\n${doc}`));
    assert.match(
      e.message,
      /^helm output of chart\/templates\/secret\.yaml:\d+:\d+: expected Kubernetes objects \(YAML\), found text that is not YAML: duplicated mapping key\n/,
    );
    assert.match(e.message, /password: <not shown>/);
    noSecret(e.message);
  });

  it("an unknown tag's warning (`!vault <value>`): placed in the stack file, unsaid elsewhere, the line never printed", () => {
    const warned = warningsOf(() => {
      parseYamlText(
        "s.yaml",
        `config:\n  ${P("cluster")}: pi\n  ${P("grafanaAdminPassword")}: !vault ${SECRET}\n`,
      );
      checkAlertmanagerConfigs([
        at(
          configMap("am", {
            "alertmanager.yml": `receivers:\n  - name: mail\n    email_configs:\n      - auth_password: !vault ${SECRET}\n`,
          }),
        ),
      ]);
    });
    assert.deepEqual(warned, ["s.yaml:3:47: Unresolved tag"]);
  });
});

/** The text of every warning `f` hands the process (Node prints each whole on stderr). */
function warningsOf(f: () => void): string[] {
  const warned: string[] = [];
  const emit = process.emitWarning.bind(process);
  process.emitWarning = (w: string | Error) => {
    warned.push(typeof w === "string" ? w : w.message);
  };
  try {
    f();
  } finally {
    process.emitWarning = emit;
  }
  return warned;
}

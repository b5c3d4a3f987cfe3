import { strict as assert } from "assert";
import { kubernetesProblems, withRuntimeConfig } from "../support/runtimeConfig";
import { BASE, P, refusal, stackProject, STORE } from "../support/stackText";

/*
 * Mistakes a new user makes while following the first deploy, the sizing, chart values, Grafana
 * exposure and backup guides: each said once, at its key, with the form it expects, what was found
 * and, for a slip, the value meant (config/stackCheck.ts, config/errors.ts, config/resolve.ts).
 */

/** One node pool of `count` nodes of `memory` each. */
const pool = (count: number, memory = "16Gi") => `  ${P("nodePools")}:
    - name: workers
      arch: amd64
      count: ${count}
      cpu: "4"
      memory: ${memory}
`;

describe("config: the mistakes the first-deploy, sizing, chart values and Grafana guides lead to", function () {
  this.timeout(20000);

  it("the provider's own kubernetes:context naming another cluster is said in the same run as the other kubernetes: keys, at its line", () => {
    const e = refusal(`${BASE}${STORE}  kubernetes:namespace: foo\n  kubernetes:context: admin@other\n`);
    assert.deepEqual(
      e.problems.map((p) => p.split(":").slice(0, 2).join(":")),
      ["kubernetes:namespace", "kubernetes:context"],
      e.message,
    );
    assert.ok(
      e.problems.includes(
        'kubernetes:context: expected nothing or the stack\'s pinned context "admin@example" (homelab-observability:kubeContext), got "admin@other"; remove it (`pulumi config rm --stack s kubernetes:context`)',
      ),
      e.message,
    );
    assert.match(e.message, /Pulumi\.s\.yaml:8:3\n/);
  });

  it("so does the program, as `pulumi preview` runs it (config/load.ts): both kubernetes: keys in one refusal", async () => {
    const text = `${BASE}${STORE}  kubernetes:namespace: foo\n  kubernetes:context: admin@other\n`;
    const dir = stackProject(text, "lab");
    const problems = await withRuntimeConfig(
      "lab",
      {
        [P("kubeContext")]: "admin@example",
        [P("phase")]: "kps-removed",
        [P("objectStore")]: JSON.stringify({ type: "minio", endpoint: "http://minio.storage.svc:9000" }),
        "kubernetes:namespace": "foo",
        "kubernetes:context": "admin@other",
      },
      () => kubernetesProblems(dir),
    );
    assert.deepEqual(
      problems.map((p) => p.split(":").slice(0, 2).join(":")).sort(),
      ["kubernetes:context", "kubernetes:namespace"],
      problems.join("\n"),
    );
  });

  describe("Loki Distributed on fewer nodes than its ingesters need: one message, naming the key the user set", () => {
    it("a workload.logsPerDay past Monolithic on one node is one message at workload.logsPerDay, not at the unset loki.mode", () => {
      const e = refusal(`${BASE}${STORE}${pool(1, "8Gi")}  ${P("workload")}:\n    logsPerDay: 50GiB\n`);
      assert.equal(e.problems.length, 1, e.message);
      assert.match(
        e.problems[0],
        /^homelab-observability:workload\.logsPerDay: 50GiB a day is above what Monolithic Loki holds \(about 18\.6GiB a day, .*\); past it Loki runs Distributed, at least 3 ingesters on distinct nodes \(replication factor 3; .*\), and nodePools has 1 node\(s\) without NoSchedule or NoExecute taints; add nodes to nodePools$/,
      );
      // "use Monolithic" would be refused for that many logs: the message does not offer it.
      assert.doesNotMatch(e.message, /use "Monolithic"|loki\.mode/);
    });

    it("says the logs a day as written, and Monolithic's limit in the same units", () => {
      const e = refusal(`${BASE}${STORE}${pool(1, "8Gi")}  ${P("workload")}:\n    logsPerDay: 30GB\n`);
      assert.equal(e.problems.length, 1, e.message);
      assert.match(
        e.problems[0],
        /^homelab-observability:workload\.logsPerDay: 30GB a day is above what Monolithic Loki holds \(about 20GB a day, /,
      );
    });

    it("loki.mode: Distributed set on one node is one message: its pods are not judged again against the pools", () => {
      const e = refusal(`${BASE}${STORE}${pool(1)}  ${P("loki")}:\n    mode: Distributed\n`);
      assert.equal(e.problems.length, 1, e.message);
      assert.match(
        e.problems[0],
        /^homelab-observability:loki\.mode: "Distributed" runs at least 3 ingesters on distinct nodes .*nodePools has 1 node\(s\) without NoSchedule or NoExecute taints; use "Monolithic" here, or add nodes$/,
      );
    });

    it("loki.mode: Distributed set beside logs Monolithic cannot hold is not told to use Monolithic", () => {
      const e = refusal(
        `${BASE}${STORE}${pool(2)}  ${P("loki")}:\n    mode: Distributed\n  ${P("workload")}:\n    logsPerDay: 50GiB\n`,
      );
      assert.equal(e.problems.length, 1, e.message);
      assert.match(
        e.problems[0],
        /^homelab-observability:loki\.mode: "Distributed" runs .*; add nodes to nodePools$/,
      );
    });
  });

  it("workload.logsPerDay with its byte unit spelled another way gets the nearest size the key takes", () => {
    for (const [written, meant] of [
      ["50Gi", "50GiB"],
      ["50G", "50GB"],
      ["50gb", "50GB"],
      ["50 GiB", "50GiB"],
      ["50GB/day", "50GB"],
      ["50GB a day", "50GB"],
    ]) {
      const e = refusal(`${BASE}${STORE}  ${P("workload")}:\n    logsPerDay: ${written}\n`);
      assert.equal(e.problems.length, 1, e.message);
      assert.ok(
        e.problems[0].endsWith(`, got string "${written}"; did you mean "${meant}"?`),
        `${written}: ${e.problems[0]}`,
      );
    }
    // A number without a unit is no slip of one: no guess between GB and GiB.
    const bare = refusal(`${BASE}${STORE}  ${P("workload")}:\n    logsPerDay: 50\n`);
    assert.doesNotMatch(bare.problems.join("\n"), /did you mean/);
  });

  it("a count written with separators, a multiplier or the unit its key's name states gets the number meant", () => {
    for (const [key, written, meant] of [
      ["workload:\n    activeSeries", "2M", "2000000"],
      ["workload:\n    activeSeries", "2,000,000", "2000000"],
      ["workload:\n    activeSeries", "2_000_000", "2000000"],
      ["workload:\n    activeSeries", "500k", "500000"],
      [
        "objectStore:\n    type: minio\n    endpoint: http://minio.storage.svc:9000\n    keepDeletedDays",
        "7d",
        "7",
      ],
      [
        "objectStore:\n    type: minio\n    endpoint: http://minio.storage.svc:9000\n    keepDeletedDays",
        "14 days",
        "14",
      ],
    ]) {
      const e = refusal(`${BASE}${key.startsWith("objectStore") ? "" : STORE}  ${P(key)}: ${written}\n`);
      assert.equal(e.problems.length, 1, e.message);
      assert.match(
        e.problems[0],
        new RegExp(`, got string "${written}"; did you mean ${meant}\\? \\(`),
        `${written}: ${e.problems[0]}`,
      );
    }
    // A text no number is close to gets no guess.
    const e = refusal(`${BASE}${STORE}  ${P("workload")}:\n    activeSeries: lots\n`);
    assert.doesNotMatch(e.problems.join("\n"), /did you mean/);
    // Nor does a number the key refuses once written out (a day count for a series count).
    const d = refusal(`${BASE}${STORE}  ${P("workload")}:\n    activeSeries: 3d\n`);
    assert.doesNotMatch(d.problems.join("\n"), /did you mean/);
  });

  describe("chartValues under a name that is not the chart's", () => {
    const charts = (name: string, values = "\n      revisionHistoryLimit: 3") =>
      refusal(`${BASE}${STORE}  ${P("chartValues")}:\n    ${name}:${values}\n`);

    it("a release's name (kps, vm, node-exporter, alloy-cluster) gets the chart it is a release of", () => {
      for (const [written, chart] of [
        ["kps", "kube-prometheus-stack"],
        ["vm", "victoria-metrics-k8s-stack"],
        ["node-exporter", "prometheus-node-exporter"],
        ["alloy-cluster", "alloy"],
      ]) {
        const e = charts(written);
        assert.equal(e.problems.length, 1, e.message);
        assert.equal(
          e.problems[0],
          `${P(`chartValues.${written}`)}: unknown key; did you mean "${chart}"? (chartValues takes the chart's name, not the name the program gives its release)`,
        );
      }
    });

    it("says Mimir has no chart only of mimir, not of every unknown name", () => {
      const other = charts("tempo");
      assert.equal(other.problems.length, 1, other.message);
      assert.match(
        other.problems[0],
        /unknown key, expected a chart name: loki \| alloy .*\(docs\/reference\/versions\.md\)$/,
      );
      assert.doesNotMatch(other.message, /Mimir/);
      assert.match(
        charts("mimir").problems[0],
        /and Mimir is none: where the stack runs Mimir \(metricsBackend mimir, at a phase that runs the new backend\), it runs as the program's own StatefulSet/,
      );
    });

    it("a chart's values as text or as a list are told the form a chart's values take, as any other map is", () => {
      const text = charts("grafana", ' "revisionHistoryLimit: 3"');
      assert.equal(
        text.problems[0],
        `${P("chartValues.grafana")}: expected an object (YAML: \`key: value\` lines indented under the key, not \`- \` items; the chart's values as its values.yaml names them), got string "revisionHistoryLimit: 3"`,
      );
      const list = charts("grafana", "\n      - revisionHistoryLimit: 3");
      assert.match(
        list.problems[0],
        /^homelab-observability:chartValues\.grafana: expected an object \(.*\), got a list; did you mean its one item as the value\? \(drop the `- `, so its keys revisionHistoryLimit sit right under grafana: that item is a valid grafana\)$/,
      );
    });
  });

  it("a host written as a URL (grafana.ingress.host, a receiver's smarthost) gets the host meant", () => {
    const ingress = (host: string) =>
      refusal(
        `${BASE}${STORE}  ${P("grafana")}:\n    ingress:\n      host: ${host}\n      controllerNamespace: ingress-nginx\n`,
      );
    for (const written of ["https://grafana.example.net", "http://grafana.example.net/"]) {
      const e = ingress(written);
      assert.equal(e.problems.length, 1, e.message);
      assert.ok(
        e.problems[0].endsWith(
          `, got string "${written}"; did you mean "grafana.example.net"? (the host alone: no scheme, no path)`,
        ),
        e.problems[0],
      );
    }
    const smtp = refusal(
      `${BASE}${STORE}  ${P("alerting")}:\n    receivers:\n      - name: mail\n        type: email\n        to: ops@example.net\n        from: am@example.net\n        smarthost: smtp://smtp.example.net:587\n`,
    );
    assert.equal(smtp.problems.length, 1, smtp.message);
    assert.ok(
      smtp.problems[0].endsWith(
        `; did you mean "smtp.example.net:587"? (the host alone: no scheme, no path)`,
      ),
      smtp.problems[0],
    );
    // A URL whose host the key refuses too gets no guess.
    assert.doesNotMatch(ingress("https://Grafana_Host").message, /did you mean/);
  });

  it("a webhook receiver's port and a quoted yes are told forms a user can write", () => {
    const e = refusal(
      `${BASE}${STORE}  ${P("alerting")}:\n    receivers:\n      - name: hook\n        type: webhook\n        port: 0\n        send_resolved: "yes"\n`,
    );
    assert.deepEqual(e.problems, [
      `${P("alerting.receivers[0].port")}: expected a whole number from 1 to 65535, like 8443, got number 0`,
      `${P("alerting.receivers[0].send_resolved")}: expected true or false, got string "yes"; did you mean true? (true or false, unquoted: YAML 1.2, as the Pulumi CLI reads it, takes yes as text, and quotes make any word text)`,
    ]);
  });

  it("a bucket written as an s3:// URL gets the bucket name meant, called a name, not a host", () => {
    const e = refusal(`${BASE}${STORE}  ${P("existing")}:\n    buckets: [s3://staging-mimir-blocks]\n`);
    assert.equal(e.problems.length, 1, e.message);
    assert.ok(
      e.problems[0].endsWith(
        `, got string "s3://staging-mimir-blocks"; did you mean "staging-mimir-blocks"? (the name alone: no scheme, no path)`,
      ),
      e.problems[0],
    );
  });

  it("a receiver's item with the config backend, which reads receiverCredentials and no item, is refused as a key nothing reads", () => {
    const e = refusal(
      `${BASE}${STORE}  ${P("secrets")}:\n    backend: config\n  ${P("alerting")}:\n    receivers:\n      - name: team-slack\n        type: slack\n        item: slack-webhook\n`,
    );
    assert.equal(e.problems.length, 1, e.message);
    assert.equal(
      e.problems[0],
      `${P("alerting.receivers[0].item")}: expected no item while secrets.backend is "config" (that backend reads the credential of receiver "team-slack" from receiverCredentials.team-slack; only the onepassword backend reads an item), got "slack-webhook"; remove it, or set secrets.backend "onepassword"`,
    );
    assert.ok(e.message.includes("Pulumi.s.yaml:13:9\n      13 |         item: slack-webhook\n"), e.message);
  });
});

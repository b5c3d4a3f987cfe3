import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { NOT_SHOWN, shownToolText } from "../../model/yamlText";
import { chartArchive, ChartCacheError, helmBinary, notHelmAnswer } from "../../synth/render/helm";
import { renderExport, renderErrors } from "../../synth/render/render";
import type { StackExport } from "../../synth/synthesize";
import { tmpDir } from "../support/helpers";
import { SECRET, holdsSecretPiece } from "../support/secretPieces";

/*
 * Helm's own error text reaches the program's messages (a release that does not render, a chart
 * that cannot be pulled) only as model/yamlText.ts `shownToolText` shows it: the line rule a user's
 * YAML is shown by, read into the Go string literals Helm quotes too. The texts below are Helm
 * 3.17.3's stderr, recorded with the pinned charts and a fake secret (SECRET); two cases run the
 * real Helm (a 40 ms render of prometheus-node-exporter, a pull refused by 127.0.0.1:1).
 */

/** helm template of loki 18.11.0: a `tpl` run over `loki.structuredConfig` (`access_key_id` holds a template action) fails. */
const LOKI_TPL_EXEC =
  'Error: template: loki/templates/monolithic/workload.yaml:7:4: executing "loki/templates/monolithic/workload.yaml" at <include "loki.component" (dict "ctx" . "component" $component "target" "single-binary" "name" (include "loki.resourceName" (dict "ctx" .)) "headlessName" (include "loki.resourceName" (dict "ctx" . "suffix" "headless")))>: error calling include: template: loki/templates/_workload.tpl:6:4: executing "loki.component" at <include "loki.component.workload" .>: error calling include: template: loki/templates/_workload.tpl:85:8: executing "loki.component.workload" at <include "loki.podTemplate" (dict "target" $target "component" $component "ctx" $ctx "memberlist" $memberlist "args" $args "rolloutZoneName" $rolloutZoneName)>: error calling include: template: loki/templates/_pod.tpl:16:8: executing "loki.podTemplate" at <include "loki.config.checksum" .>: error calling include: template: loki/templates/_helpers.tpl:1083:20: executing "loki.config.checksum" at <include "loki.configMapOrSecretContentHash" (dict "ctx" . "name" "/config.yaml")>: error calling include: template: loki/templates/_helpers.tpl:1105:8: executing "loki.configMapOrSecretContentHash" at <include (print .ctx.Template.BasePath .name) .ctx>: error calling include: template: loki/templates/config.yaml:19:7: executing "loki/templates/config.yaml" at <include "loki.calculatedConfig" .>: error calling include: template: loki/templates/_helpers.tpl:436:3: executing "loki.calculatedConfig" at <tpl (mergeOverwrite (tpl .Values.loki.config . | fromYaml) .Values.loki.structuredConfig | toYaml) .>: error calling tpl: error during tpl function execution for "auth_enabled: true\\nbloom_build:\\n  builder:\\n    planner_address: \\"\\"\\n  enabled: false\\nbloom_gateway:\\n  client:\\n    addresses: \\"\\"\\n  enabled: false\\nchunk_store_config:\\n  chunk_cache_config:\\n    background:\\n      writeback_buffer: 500000\\n      writeback_goroutines: 1\\n      writeback_size_limit: 500MB\\n    default_validity: 0s\\n    memcached:\\n      batch_size: 4\\n      parallelism: 5\\n    memcached_client:\\n      addresses: dnssrvnoa+_memcached-client._tcp.{{ include \\"loki.resourceName\\" (dict\\n        \\"ctx\\" $ \\"component\\" \\"chunks-cache\\" \\"suffix\\" $.Values.chunksCache.suffix )\\n        }}.{{ include \\"loki.namespace\\" $ }}.svc.{{ .Values.global.clusterDomain }}\\n      consistent_hash: true\\n      max_idle_conns: 72\\n      timeout: 2000ms\\ncommon:\\n  compactor_grpc_address: \'{{ include \\"loki.compactorAddress\\" . }}\'\\n  path_prefix: /var/loki\\n  replication_factor: 1\\n  storage:\\n    filesystem:\\n      chunks_directory: /var/loki/chunks\\n      rules_directory: /var/loki/rules\\n    s3:\\n      access_key_id: abc{{ .Values.nope.x }}def\\n      secret_access_key: Zq7vK9wPx2\\nfrontend:\\n  scheduler_address: \\"\\"\\n  tail_proxy_url: \\"\\"\\nfrontend_worker:\\n  scheduler_address: \\"\\"\\nindex_gateway:\\n  mode: simple\\ningester:\\n  wal:\\n    flush_on_shutdown: true\\nlimits_config:\\n  max_cache_freshness_per_query: 10m\\n  query_timeout: 300s\\n  reject_old_samples: true\\n  reject_old_samples_max_age: 168h\\n  split_queries_by_interval: 15m\\n  volume_enabled: true\\nmemberlist:\\n  abort_if_cluster_join_fails: true\\n  advertise_port: 7946\\n  bind_port: 7946\\n  join_members:\\n  - lk-loki-memberlist.default.svc.cluster.local\\n  max_join_backoff: 1m\\n  max_join_retries: 10\\n  min_join_backoff: 1s\\n  rejoin_interval: 90s\\npattern_ingester:\\n  enabled: false\\nquery_range:\\n  align_queries_with_step: true\\n  cache_results: true\\n  results_cache:\\n    cache:\\n      background:\\n        writeback_buffer: 500000\\n        writeback_goroutines: 1\\n        writeback_size_limit: 500MB\\n      default_validity: 12h\\n      memcached_client:\\n        addresses: dnssrvnoa+_memcached-client._tcp.{{ include \\"loki.resourceName\\"\\n          (dict \\"ctx\\" $ \\"component\\" \\"results-cache\\") }}.{{ include \\"loki.namespace\\"\\n          $ }}.svc.{{ .Values.global.clusterDomain }}\\n        consistent_hash: true\\n        timeout: 500ms\\n        update_interval: 1m\\nruler:\\n  storage:\\n    type: local\\n  wal:\\n    dir: /var/loki/ruler-wal\\nruntime_config:\\n  file: /etc/loki/runtime-config/runtime-config.yaml\\nschema_config:\\n  configs:\\n  - from: \\"2024-04-01\\"\\n    index:\\n      period: 24h\\n      prefix: index_\\n    object_store: \'{{ include \\"loki.testSchemaObjectStore\\" . }}\'\\n    schema: v13\\n    store: tsdb\\nserver:\\n  graceful_shutdown_timeout: 5s\\n  grpc_listen_port: 9095\\n  grpc_server_max_concurrent_streams: 1000\\n  grpc_server_max_recv_msg_size: 104857600\\n  grpc_server_max_send_msg_size: 104857600\\n  grpc_server_min_time_between_pings: 10s\\n  grpc_server_ping_without_stream_allowed: true\\n  http_listen_port: 3100\\n  http_server_idle_timeout: 30s\\n  http_server_read_timeout: 10m0s\\n  http_server_write_timeout: 10m0s\\n  log_level: info\\nstorage_config:\\n  bloom_shipper:\\n    working_directory: /var/loki/data/bloomshipper\\n  boltdb_shipper:\\n    index_gateway_client:\\n      server_address: \\"\\"\\n  hedging:\\n    at: 250ms\\n    max_per_second: 20\\n    up_to: 3\\n  tsdb_shipper:\\n    index_gateway_client:\\n      server_address: \\"\\"\\n  use_thanos_objstore: false\\ntracing:\\n  enabled: false": template: gotpl:36:34: executing "gotpl" at <.Values.nope.x>: nil pointer evaluating interface {}.x\n\nUse --debug flag to render out invalid YAML\n';

/** helm template of prometheus-node-exporter 4.49.1: an `extraManifests` entry (run through `tpl`) broken on line 7. */
const NE_OTHER_LINE = String.raw`Error: template: prometheus-node-exporter/templates/extra-manifests.yaml:3:3: executing "prometheus-node-exporter/templates/extra-manifests.yaml" at <tpl . $>: error calling tpl: cannot parse template "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s3\nstringData:\n  secret_access_key: ${SECRET}\n  url: {{ .Release.Name | quote }\n": template: gotpl:7: unexpected "}" in operand

Use --debug flag to render out invalid YAML
`;

/** The same, the secret itself holding a template action: Go's reason quotes it. */
const NE_SAME_LINE = String.raw`Error: template: prometheus-node-exporter/templates/extra-manifests.yaml:3:3: executing "prometheus-node-exporter/templates/extra-manifests.yaml" at <tpl . $>: error calling tpl: cannot parse template "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s3\nstringData:\n  secret_access_key: ab{{ ${SECRET} }}\n": template: gotpl:6: function "${SECRET}" not defined

Use --debug flag to render out invalid YAML
`;

/** helm pull --repo with a login in the URL (Go's own error hides the password; Helm's words do not). */
const PULL_LOGIN = `Error: looks like "https://robot:ghp_${SECRET}abcDEF12345@127.0.0.1:1/charts" is not a valid chart repository or cannot be reached: Get "https://robot:***@127.0.0.1:1/charts/index.yaml": dial tcp 127.0.0.1:1: connect: connection refused`;

/** helm pull --repo with a token as a query parameter. */
const PULL_QUERY = `Error: looks like "https://127.0.0.1:1/charts?token=${SECRET}&x=1" is not a valid chart repository or cannot be reached: Get "https://127.0.0.1:1/charts/index.yaml?token=${SECRET}&x=1": dial tcp 127.0.0.1:1: connect: connection refused`;

/** helm template of alertmanager 1.42.0 refused by its values.schema.json (Helm 3.17.3: xeipuuv/gojsonschema). */
const SCHEMA = `Error: values don't meet the specifications of the schema(s) in the following chart(s):
alertmanager:
- extraEnv.0.value: Invalid type. Expected: string, given: integer
`;

/** helm template of loki 18.11.0 refused by its schema at a key named like a credential. */
const LOKI_SCHEMA = `Error: values don't meet the specifications of the schema(s) in the following chart(s):
loki:
- gateway.basicAuth.password: Invalid type. Expected: [string,null], given: integer
`;

describe("Helm's errors in the program's messages: no secret, the place and reason kept", function () {
  this.timeout(60000);

  it("a tpl error quotes the whole config it failed on: each secret in it is <not shown>, wherever the mistake is", () => {
    const shown = shownToolText(NE_OTHER_LINE);
    assert.ok(!holdsSecretPiece(shown), shown);
    assert.match(shown, /secret_access_key: <not shown>\\n {2}url: \{\{ \.Release\.Name \| quote \}\\n/);
    // The mistake is on a line without a secret: Go's reason stays, with Helm's place.
    assert.match(shown, /^Error: template: prometheus-node-exporter\/templates\/extra-manifests\.yaml:3:3: /);
    assert.match(shown, /: template: gotpl:7: unexpected "\}" in operand$/m);
  });

  it("a template error whose line holds a secret keeps its place, its reason (which quotes the line) <not shown>", () => {
    const same = shownToolText(NE_SAME_LINE);
    assert.ok(!holdsSecretPiece(same), same);
    assert.match(same, /: template: gotpl:6: <not shown>$/m);
    const loki = shownToolText(LOKI_TPL_EXEC);
    assert.ok(LOKI_TPL_EXEC.includes(SECRET) && !holdsSecretPiece(loki), loki);
    assert.match(loki, /access_key_id: <not shown>\\n {6}secret_access_key: <not shown>\\n/);
    assert.match(loki, /: template: gotpl:36:34: <not shown>$/m);
    assert.ok(!loki.includes("nope"), "the action Go quotes is on the hidden line");
    // What holds no secret is Helm's own text: the chain of templates and the rest of the config.
    assert.match(loki, /executing "loki\.calculatedConfig" at <tpl \(mergeOverwrite/);
    assert.match(loki, /http_listen_port: 3100\\n/);
  });

  it("a repository's login in helm pull's error is <not shown>, its host kept", () => {
    const login = shownToolText(PULL_LOGIN);
    assert.ok(!holdsSecretPiece(login), login);
    assert.match(
      login,
      /looks like "https:\/\/<not shown>@127\.0\.0\.1:1\/charts" is not a valid chart repository/,
    );
    const query = shownToolText(PULL_QUERY);
    assert.ok(!holdsSecretPiece(query), query);
    assert.match(query, /charts\?token=<not shown>&x=1" is not/);
  });

  it("text without a secret stays as Helm wrote it, and text shown once is shown the same again", () => {
    assert.equal(shownToolText(SCHEMA), SCHEMA);
    // A schema refusal quotes no value (Helm 3.17.3); at a key named like a credential its reason
    // is hidden all the same: the rule judges the line, not Helm's intent.
    assert.match(shownToolText(LOKI_SCHEMA), /^- gateway\.basicAuth\.password: <not shown>$/m);
    // The render cache keeps the shown text and reads it through the rule again.
    for (const text of [LOKI_TPL_EXEC, NE_OTHER_LINE, NE_SAME_LINE, PULL_LOGIN, PULL_QUERY]) {
      const once = shownToolText(text);
      assert.equal(shownToolText(once), once);
    }
  });

  it("a program run as Helm that prints a login first is quoted without it", () => {
    const said = notHelmAnswer(
      { code: 1, stdout: "", stderr: `cannot reach https://robot:${SECRET}@mirror.example/charts\n` },
      "{}",
    );
    assert.equal(
      said,
      `exited with status 1 and printed "cannot reach https://${NOT_SHOWN}@mirror.example/charts" first`,
    );
  });

  it("with the real Helm: a release's error, and the render cache's copy of it, hold no secret", async () => {
    const dir = tmpDir("helm-stderr");
    const cacheDir = path.join(dir, "render");
    const exp: StackExport = {
      version: 3,
      deployment: {
        manifest: { time: new Date(0).toISOString(), magic: "", version: "v3.0.0-test" },
        resources: [
          {
            urn: "urn:pulumi:t::homelab-observability::kubernetes:helm.sh/v3:Release::ne",
            custom: true,
            type: "kubernetes:helm.sh/v3:Release",
            inputs: {
              name: "ne",
              namespace: "monitoring",
              chart: "prometheus-node-exporter",
              version: "4.49.1",
              values: {
                extraManifests: [
                  `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s3\nstringData:\n  secret_access_key: ${SECRET}\n  url: {{ .Release.Name | quote }\n`,
                ],
              },
            },
            outputs: {},
          },
        ],
      },
    };
    const [error] = renderErrors(await renderExport(exp, { cacheDir, pull: false }));
    assert.ok(error !== undefined && !holdsSecretPiece(error), error);
    assert.match(
      error,
      /^ne \(prometheus-node-exporter 4\.49\.1\): Error: template: .*secret_access_key: <not shown>.*gotpl:7: unexpected "\}" in operand$/s,
    );
    const cached = fs.readdirSync(cacheDir).filter((f) => f.endsWith(".error"));
    assert.equal(cached.length, 1, cached.join(", "));
    const file = path.join(cacheDir, cached[0]);
    assert.ok(!holdsSecretPiece(fs.readFileSync(file, "utf8")));
    // A cache written before Helm's text was filtered: read through the rule. Another path to the
    // same Helm, so this process's memory of the render is not used and the disk is read.
    fs.writeFileSync(file, NE_OTHER_LINE);
    const helm = path.join(dir, "helm");
    fs.symlinkSync(path.resolve(helmBinary()), helm);
    const [again] = renderErrors(await renderExport(exp, { cacheDir, pull: false, helm }));
    assert.ok(!holdsSecretPiece(again), again);
  });

  it("with the real Helm: a pull from a repository with a login says it without the login", async () => {
    const cache = tmpDir("helm-stderr-pull");
    const repo = `https://robot:ghp_${SECRET}abcDEF12345@127.0.0.1:1/charts`;
    for (const pull of [true, false]) {
      const e = await chartArchive("prometheus-node-exporter", "0.0.1", repo, {
        cache,
        helm: helmBinary(),
        pull,
      }).then(
        () => undefined,
        (x) => x,
      );
      assert.ok(e instanceof ChartCacheError, String(e));
      const said = [e.message, ...e.missing.map((m) => m.fix)].join("\n");
      assert.ok(!holdsSecretPiece(said), said);
      assert.match(
        e.missing[0].fix,
        /^helm pull --repo https:\/\/<not shown>@127\.0\.0\.1:1\/charts prometheus-node-exporter --version 0\.0\.1 /,
      );
    }
  });
});

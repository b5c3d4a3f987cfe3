import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { checkChange } from "../../change/check";
import {
  lokiTenantOf,
  MIMIR_NO_AUTH_TENANT,
  mimirTenantOf,
  TENANT_DOC,
  tenantMoveVerdicts,
} from "../../change/tenantMove";
import type { StackExport } from "../../synth/synthesize";
import { MIMIR_CONFIG_MAP } from "../../builders/metrics/mimirValues";
import { KPS_RULES_DATA } from "../../builders/alerting/kpsRules";
import { ROOT, stackCopy, synth, tmpDir } from "../support/helpers";
import { shownFile } from "../../config/paths";

/**
 * An export as the tenant verdict reads it: Mimir's config (multitenancy), the loki release's
 * auth_enabled and the X-Scope-OrgID Grafana's Mimir and Loki datasources send.
 */
function exportOf(o: {
  mimir?: { multitenancy: boolean; header?: string };
  loki?: { auth: boolean; header?: string };
  /** The uids of more datasources Grafana provisions (the alerting ones). */
  more?: string[];
}): StackExport {
  const release = (chart: string, values: unknown) => ({
    type: "kubernetes:helm.sh/v3:Release",
    inputs: { chart, values },
  });
  const ds = (uid: string, header?: string) => ({
    uid,
    ...(header
      ? { jsonData: { httpHeaderName1: "X-Scope-OrgID" }, secureJsonData: { httpHeaderValue1: header } }
      : {}),
  });
  const resources: unknown[] = [
    release("grafana", {
      datasources: {
        "datasources.yaml": {
          datasources: [
            ds("mimir", o.mimir?.header),
            ds("loki", o.loki?.header),
            ...(o.more ?? []).map((u) => ds(u)),
          ],
        },
      },
    }),
  ];
  if (o.mimir)
    resources.push({
      type: "kubernetes:core/v1:ConfigMap",
      inputs: {
        metadata: { name: MIMIR_CONFIG_MAP },
        data: { "mimir.yaml": `multitenancy_enabled: ${o.mimir.multitenancy}\n` },
      },
    });
  if (o.loki) resources.push(release("loki", { loki: { auth_enabled: o.loki.auth } }));
  return { deployment: { resources } } as unknown as StackExport;
}

/**
 * A change that moves Mimir's or Loki's tenant (multitenancy turned on or off, another tenant ID)
 * moves every write and read away from the history: `--against` refuses it, naming the keys, both
 * tenants and how to keep the tenant. CI runs it against the previous commit's export.
 */
/** Pulumi.staging.yaml's loki block: an override of `loki` replaces it whole. */
const STAGING_LOKI = { mode: "SingleBinary", replicas: 1, replicationFactor: 1, retention: "7d" };
/** Pulumi.production.yaml's loki block, likewise. */
const PRODUCTION_LOKI = {
  mode: "SimpleScalable",
  write: 3,
  read: 3,
  backend: 3,
  replicationFactor: 2,
  retention: "30d",
};

describe("change check: a change of Mimir's or Loki's tenant (--against)", function () {
  this.timeout(180000);
  const previousOf = async (stack: string, over: Record<string, unknown>, name: string) => {
    const file = path.join(tmpDir("tenant-move"), `${name}.json`);
    fs.writeFileSync(file, JSON.stringify((await synth(stack, over)).export));
    return file;
  };
  const check = async (stack: string, over: Record<string, unknown>, against: string) =>
    checkChange(ROOT, stack, await synth(stack, over), { against });

  it("Mimir's no_auth_tenant default is the reference data's (mimir-3.0 config-fields.tsv)", () => {
    const tsv = fs.readFileSync(path.join(ROOT, "upstream/engines/data/mimir-3.0/config-fields.tsv"), "utf8");
    const row = tsv.split("\n").find((l) => l.startsWith("no_auth_tenant\t"));
    assert.ok(row, "config-fields.tsv has no no_auth_tenant row");
    const cols = row.split("\t");
    assert.equal(cols[3], JSON.stringify(MIMIR_NO_AUTH_TENANT));
    assert.equal(cols[7], "cmd/mimir/config-descriptor.json:29", "the source the refusal cites");
  });

  it("reads the tenant an export runs: Mimir's no_auth_tenant with multitenancy off, else Grafana's header", async () => {
    // Staging's exports, which the tenant-change tests below synthesize as well: production's
    // team-a variant was synthesized for this test alone (1.5 s wall in a cold run, measured).
    const off = (await synth("staging", {})).export;
    const on = (await synth("staging", { mimir: { multitenancy: true, tenant: "team-a" } })).export;
    assert.deepEqual(mimirTenantOf(off), { id: "anonymous", auth: false });
    assert.deepEqual(mimirTenantOf(on), { id: "team-a", auth: true });
    assert.deepEqual(lokiTenantOf(off), { id: "fake", auth: false });
  });

  it("multitenancy false -> true: 1 refused, naming the key, both tenants, what is lost and how to keep it", async () => {
    const previous = await previousOf("production", {}, "mt-off");
    const c = await check("production", { mimir: { multitenancy: true } }, previous);
    assert.equal(c.code, 1, c.text);
    assert.equal(c.refused, 1, c.text);
    const line = c.text.split("\n").find((l) => l.startsWith("REFUSED Mimir tenant"));
    assert.ok(line, c.text);
    assert.match(
      line,
      /^REFUSED Mimir tenant anonymous -> homelab: mimir\.multitenancy \(not set in the stack file\) changed from false to true, with mimir\.tenant \(not set in the stack file\) homelab\./,
    );
    assert.match(
      line,
      /Mimir's no_auth_tenant, upstream\/engines\/data\/mimir-3\.0\/config-fields\.tsv: cmd\/mimir\/config-descriptor\.json:29/,
    );
    assert.match(line, /the metrics history .* no longer shows in Grafana/);
    assert.match(
      line,
      /Keep the tenant: set mimir\.tenant to anonymous .*, or mimir\.multitenancy back to false/,
    );
    assert.ok(line.endsWith(`(${TENANT_DOC})`), line);
    assert.match(c.why ?? "", /^1 refused/);
  });

  it("multitenancy turned on under the tenant the data is filed under (anonymous) passes", async () => {
    const previous = await previousOf("production", {}, "mt-off-keep");
    const c = await check(
      "production",
      { mimir: { multitenancy: true, tenant: MIMIR_NO_AUTH_TENANT } },
      previous,
    );
    assert.equal(c.code, 0, c.text);
    assert.doesNotMatch(c.text, /REFUSED/);
  });

  it("mimir.tenant changed while multitenancy is on: refused with the tenant to set back", async () => {
    const previous = await previousOf("staging", { mimir: { multitenancy: true, tenant: "team-a" } }, "t-a");
    const c = await check("staging", { mimir: { multitenancy: true, tenant: "team-b" } }, previous);
    assert.equal(c.refused, 1, c.text);
    assert.match(
      c.text,
      /\nREFUSED Mimir tenant team-a -> team-b: mimir\.tenant \(not set in the stack file\) changed from team-a to team-b\. .*Keep the tenant: set mimir\.tenant back to team-a\./,
    );
  });

  it("multitenancy true -> false: refused, keep multitenancy on", async () => {
    const previous = await previousOf("staging", { mimir: { multitenancy: true, tenant: "team-a" } }, "t-on");
    const c = await check("staging", { mimir: { multitenancy: false, tenant: "team-a" } }, previous);
    assert.equal(c.refused, 1, c.text);
    assert.match(
      c.text,
      /\nREFUSED Mimir tenant team-a -> anonymous: mimir\.multitenancy \(not set in the stack file\) changed from true to false\. .*Keep the tenant: keep mimir\.multitenancy true \(with mimir\.tenant team-a\)\./,
    );
  });

  it("mimir.tenant changed while multitenancy is off changes nothing and passes", async () => {
    const previous = await previousOf("staging", {}, "off-tenant");
    const c = await check("staging", { mimir: { tenant: "team-b" } }, previous);
    assert.equal(c.code, 0, c.text);
  });

  it("loki.authEnabled false -> true is refused; on under Loki's own tenant (fake) passes", async () => {
    const previous = await previousOf("staging", {}, "loki-off");
    const moved = await check("staging", { loki: { ...STAGING_LOKI, authEnabled: true } }, previous);
    assert.equal(moved.refused, 1, moved.text);
    assert.match(
      moved.text,
      /\nREFUSED Loki tenant fake -> homelab: loki\.authEnabled \(not set in the stack file; loki is at Pulumi\.staging\.yaml:28\) changed from false to true, with loki\.tenant \(not set in the stack file; loki is at Pulumi\.staging\.yaml:28\) homelab\. .*the logs history .*Keep the tenant: set loki\.tenant to fake .*, or loki\.authEnabled back to false\./,
    );
    const kept = await check(
      "staging",
      { loki: { ...STAGING_LOKI, authEnabled: true, tenant: "fake" } },
      previous,
    );
    assert.doesNotMatch(kept.text, /REFUSED Loki tenant/);
  });

  it("the pi profile (VictoriaMetrics) has no metrics tenant; its Loki tenant is judged the same", async () => {
    const pi = (await synth("pi", {})).export;
    assert.equal(mimirTenantOf(pi), undefined, "vmsingle has no tenants and no key sets VMCluster's account");
    const previous = await previousOf("pi", {}, "pi");
    const c = await check(
      "pi",
      { loki: { mode: "SingleBinary", retention: "7d", authEnabled: true } },
      previous,
    );
    assert.equal(c.refused, 1, c.text);
    assert.match(
      c.text,
      /\nREFUSED Loki tenant fake -> homelab: loki\.authEnabled \(not set in the stack file; loki is at Pulumi\.pi\.yaml:32\) changed from false to true/,
    );
  });

  it("a previous export that ran no Mimir (a first install of it) is not refused", async () => {
    const empty = { deployment: { resources: [] } } as unknown as StackExport;
    const next = (await synth("production", { mimir: { multitenancy: true } })).export;
    assert.deepEqual(tenantMoveVerdicts(empty, next), []);
    const before = await previousOf("production", { phase: "loki-fixed" }, "no-mimir");
    assert.equal(mimirTenantOf(JSON.parse(fs.readFileSync(before, "utf8"))), undefined);
    const c = await check("production", { phase: "dual-write", mimir: { multitenancy: true } }, before);
    assert.doesNotMatch(c.text, /REFUSED Mimir tenant/);
  });

  describe("a move whose old tenant is still read (mimir.previousTenants, loki.previousTenants)", () => {
    const mimirOff = exportOf({ mimir: { multitenancy: false } });

    it("passes with a warning: writes move, the old tenant is read beside, and what reading it does not carry", () => {
      const next = exportOf({ mimir: { multitenancy: true, header: "homelab|anonymous" } });
      assert.deepEqual(mimirTenantOf(next), { id: "homelab", auth: true, alsoReads: ["anonymous"] });
      const [v, ...more] = tenantMoveVerdicts(mimirOff, next);
      assert.deepEqual(more, []);
      assert.equal(v.refused, false, v.line);
      assert.match(
        v.line,
        /^WARNING Mimir tenant anonymous -> homelab: mimir\.multitenancy \(not set in the stack file\) changed from false to true, with mimir\.tenant \(not set in the stack file\) homelab\. Writes move to homelab; anonymous \(multitenancy off: .*\) stays readable, as mimir\.previousTenants \(not set in the stack file\) lists it: Grafana's Mimir datasources send X-Scope-OrgID homelab\|anonymous and Mimir reads them all \(tenant_federation\.enabled\)\./,
      );
      assert.match(v.line, /__tenant_id__ label/);
      assert.match(v.line, /the ruler evaluates the program's rules under homelab over homelab's data alone/);
      assert.match(v.line, /the rule groups and alert state under anonymous stay there/);
      // The old tenant gets no samples any more: the program's alerts on absent series (KubeAPIDown,
      // absent(up{job="apiserver"})) would page from its groups; the warning says so and how to
      // delete them.
      assert.match(
        v.line,
        /anonymous gets no new samples, so every alert of those groups built on absent\(\) \(the program's KubeAPIDown and the like\) fires from anonymous after its `for` and reaches the Alertmanager/,
      );
      const kubeApiDown = KPS_RULES_DATA.groups
        .flatMap((g) => g.rules)
        .find((r) => r.alert === "KubeAPIDown");
      assert.match(
        kubeApiDown?.expr ?? "",
        /^absent\(/,
        "the example the warning names is an alert on absent()",
      );
      assert.match(
        v.line,
        /delete them under anonymous: list the namespaces with GET \/prometheus\/config\/v1\/rules and delete each with DELETE \/prometheus\/config\/v1\/rules\/<namespace>, both sending X-Scope-OrgID anonymous \(grafana\/mimir mimir-3\.0\.0 pkg\/api\/api\.go:367, 372\)/,
      );
      assert.match(
        v.line,
        /ruler's API answers one tenant only .*, so Grafana's Mimir datasources that send both have manageAlerts false and Grafana's alerting pages read the rules through "Mimir \(alerting\)" \(uid mimir-alerting\), which sends homelab alone/,
      );
      assert.ok(v.line.endsWith(`(${TENANT_DOC})`), v.line);
    });

    it("a move whose old tenant is not listed stays refused, naming the key to add it to", () => {
      const previous = exportOf({ mimir: { multitenancy: true, header: "team-a" } });
      const next = exportOf({ mimir: { multitenancy: true, header: "team-b|team-c" } });
      const [v] = tenantMoveVerdicts(previous, next);
      assert.equal(v.refused, true, v.line);
      assert.match(
        v.line,
        /^REFUSED Mimir tenant team-a -> team-b: mimir\.tenant .* changed from team-a to team-b\./,
      );
      assert.match(
        v.line,
        /Keep the tenant: set mimir\.tenant back to team-a\. Or move and keep reading team-a: add "team-a" to mimir\.previousTenants \(not set in the stack file\)/,
      );
    });

    it("a move to multitenancy off stays refused: the engine then ignores the header, so nothing else is read", () => {
      const previous = exportOf({ mimir: { multitenancy: true, header: "team-a|anonymous" } });
      const [v, ...more] = tenantMoveVerdicts(previous, mimirOff);
      assert.deepEqual(more, [], "anonymous, read before, is the tenant now: nothing dropped");
      assert.equal(v.refused, true, v.line);
      assert.match(
        v.line,
        /mimir\.previousTenants cannot keep team-a readable: reading several tenants needs mimir\.multitenancy true \(with multitenancy off Mimir gives every request its no_auth_tenant and ignores the header, grafana\/mimir mimir-3\.0\.0 pkg\/util\/noauth\/no_auth\.go\)/,
      );
    });

    it("Loki: auth turned on reading fake beside passes, warning of tail and the ruler's API", () => {
      const previous = exportOf({ loki: { auth: false } });
      const next = exportOf({ loki: { auth: true, header: "homelab|fake" } });
      const [v] = tenantMoveVerdicts(previous, next);
      assert.equal(v.refused, false, v.line);
      assert.match(
        v.line,
        /^WARNING Loki tenant fake -> homelab: loki\.authEnabled .* changed from false to true/,
      );
      assert.match(
        v.line,
        /Grafana's Loki datasource sends X-Scope-OrgID homelab\|fake and Loki reads them all \(querier\.multi_tenant_queries_enabled\)/,
      );
      assert.match(
        v.line,
        /live tail and the ruler's API answer one tenant only .*: live tail fails through the Loki datasource, which sends both, so tail through "Loki \(alerting\)" \(uid loki-alerting\), which sends homelab alone; the Loki datasource has manageAlerts false/,
      );
    });

    it("a tenant read before and no longer is warned of, not refused", () => {
      const previous = exportOf({ mimir: { multitenancy: true, header: "homelab|anonymous" } });
      const next = exportOf({ mimir: { multitenancy: true, header: "homelab" } });
      const verdicts = tenantMoveVerdicts(previous, next);
      assert.equal(verdicts.length, 1, JSON.stringify(verdicts));
      assert.equal(verdicts[0].refused, false);
      assert.match(
        verdicts[0].line,
        /^WARNING Mimir tenants no longer read: anonymous\. mimir\.previousTenants \(not set in the stack file\) no longer lists it: the history under anonymous stays in the store but no longer shows in Grafana \(/,
      );
    });

    it("an emptied list says that Grafana keeps the alerting datasource the program no longer provisions", () => {
      const previous = exportOf({
        mimir: { multitenancy: true, header: "homelab|anonymous" },
        loki: { auth: true, header: "logs|fake" },
        more: ["mimir-alerting", "loki-alerting"],
      });
      const next = exportOf({
        mimir: { multitenancy: true, header: "homelab" },
        loki: { auth: true, header: "logs" },
      });
      const [mimir, loki, ...more] = tenantMoveVerdicts(previous, next);
      assert.deepEqual(more, []);
      assert.match(
        mimir.line,
        /no longer shows in Grafana; the program no longer provisions "Mimir \(alerting\)" \(uid mimir-alerting\), but Grafana keeps it: its provisioning deletes only a datasource its files name under deleteDatasources or one provisioned as prunable, and the program writes neither \(grafana\/grafana 032967e6 pkg\/services\/provisioning\/datasources\/datasources\.go applyChanges\), so it stays in Grafana's database, still a rules source of the alerting pages, beside the Mimir datasources that no longer say manageAlerts false: the alert list can show each rule twice \(/,
      );
      assert.match(
        loki.line,
        /^WARNING Loki tenants no longer read: fake\. .*Grafana keeps it.*beside the Loki datasource that/,
      );
      // A list that still names a tenant keeps the datasource provisioned: nothing is left behind.
      const still = exportOf({
        mimir: { multitenancy: true, header: "homelab|team-a" },
        more: ["mimir-alerting"],
      });
      const [v] = tenantMoveVerdicts(
        exportOf({
          mimir: { multitenancy: true, header: "homelab|anonymous|team-a" },
          more: ["mimir-alerting"],
        }),
        still,
      );
      assert.doesNotMatch(v.line, /Grafana keeps it/);
    });
  });

  it("synth --against: a move reading the old tenants passes, with federation on and the datasources reading both", async () => {
    const previous = await previousOf("production", {}, "federated");
    const over = {
      mimir: { multitenancy: true, previousTenants: ["anonymous"] },
      loki: { ...PRODUCTION_LOKI, authEnabled: true, previousTenants: ["fake"] },
    };
    const next = (await synth("production", over)).export;
    const mimirYaml = next.deployment.resources.find(
      (r) => r.type === "kubernetes:core/v1:ConfigMap" && r.inputs?.metadata?.name === MIMIR_CONFIG_MAP,
    )?.inputs?.data?.["mimir.yaml"];
    assert.match(mimirYaml, /\ntenant_federation:\n {2}enabled: true\n/);
    const lokiRelease = next.deployment.resources.find(
      (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs?.chart === "loki",
    );
    assert.deepEqual(lokiRelease?.inputs?.values?.loki?.querier, { multi_tenant_queries_enabled: true });
    assert.deepEqual(mimirTenantOf(next), { id: "homelab", auth: true, alsoReads: ["anonymous"] });
    assert.deepEqual(lokiTenantOf(next), { id: "homelab", auth: true, alsoReads: ["fake"] });
    // The alerting pages' own datasources, each sending the written tenant alone ("Metrics" reads
    // Prometheus in this phase, one tenant, and keeps the pages).
    const grafana = next.deployment.resources.find(
      (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs?.chart === "grafana",
    );
    const provisioned: any[] = grafana?.inputs?.values?.datasources?.["datasources.yaml"]?.datasources;
    assert.deepEqual(
      provisioned
        .filter((d) => d.jsonData?.manageAlerts !== undefined)
        .map((d) => [d.uid, d.jsonData.manageAlerts, d.secureJsonData?.httpHeaderValue1]),
      [
        ["mimir", false, "homelab|anonymous"],
        ["mimir-alerting", true, "homelab"],
        ["loki", false, "homelab|fake"],
        ["loki-alerting", true, "homelab"],
      ],
    );
    const c = await check("production", over, previous);
    assert.equal(c.code, 0, c.text);
    assert.equal(c.refused, 0, c.text);
    assert.match(c.text, /\nWARNING Mimir tenant anonymous -> homelab: /);
    assert.match(c.text, /\nWARNING Loki tenant fake -> homelab: /);
  });

  it("synth --against names the keys at their lines in the stack file", async () => {
    const { dir, file, against } = stackCopy("tenant-move-cli", "staging");
    const previous = path.join(dir, "before.json");
    fs.writeFileSync(previous, JSON.stringify((await synth("staging", {})).export));
    const text = fs.readFileSync(file, "utf8");
    fs.writeFileSync(
      file,
      `${text.trimEnd()}\n  homelab-observability:mimir:\n    multitenancy: true\n    tenant: team-a\n`,
    );
    const line = text.trimEnd().split("\n").length + 2;
    const r = await against(previous);
    assert.equal(r.status, 1, r.stderr + r.stdout);
    const where = shownFile(file);
    assert.ok(
      r.stdout.includes(
        `REFUSED Mimir tenant anonymous -> team-a: mimir.multitenancy (${where}:${line}) changed from false to true, with mimir.tenant (${where}:${line + 1}) team-a.`,
      ),
      r.stdout,
    );
    // The objects' counts line counts the stack-wide refusal above them too: it and the closing
    // line say the same number (they said 0 and 1).
    assert.match(
      r.stdout,
      /\n0 create, \d+ update, 0 replace, 0 delete; 1 refused \(1 stack-wide, above the objects\)\n/,
    );
    assert.match(r.stdout, /staging: FAIL \(exit 1\): the change: 1 refused \(above\)/);
  });

  it("docs/how-to/check-a-change.md: its REFUSED and WARNING lines are what its steps print on Pulumi.production.yaml", async () => {
    const doc = fs.readFileSync(path.join(ROOT, "docs/how-to/check-a-change.md"), "utf8");
    const section = doc.slice(
      doc.indexOf("### A refused tenant change"),
      doc.indexOf("### A refused bucket move"),
    );
    const refusal = /\n(REFUSED Mimir tenant [^\n]*)\n/.exec(section)?.[1];
    const warning = /\n(WARNING Mimir tenant [^\n]*), \.\.\.\n/.exec(section)?.[1];
    // The way out the doc shows: the block it adds to the stack file, with previousTenants.
    const block = /```yaml\n( *homelab-observability:mimir:\n[^`]*previousTenants[^`]*)```/.exec(
      section,
    )?.[1];
    assert.ok(refusal && warning && block, section);
    const { dir, file, against } = stackCopy("tenant-move-doc", "production");
    const previous = path.join(dir, "before.json");
    fs.writeFileSync(previous, JSON.stringify((await synth("production", {})).export));
    const text = fs.readFileSync(file, "utf8").trimEnd();
    // Indented as a stack file's key under config:, whatever the list item's indent in the doc.
    const lines = block.trimEnd().split("\n");
    const indent = /^ */.exec(lines[0])![0].length;
    const indented = lines.map((l) => `  ${l.slice(indent)}`).join("\n");
    const run = async (yaml: string) => {
      fs.writeFileSync(file, `${text}\n${yaml}\n`);
      const r = await against(previous);
      return r.stdout.split(shownFile(file)).join("Pulumi.production.yaml");
    };
    // The refusal: the block without its previousTenants line.
    const refused = await run(indented.replace(/\n.*previousTenants.*/, ""));
    assert.ok(refused.includes(`\n${refusal}\n`), refused);
    const warned = await run(indented);
    assert.ok(warned.includes(`\n${warning}, `), warned);
  });
});

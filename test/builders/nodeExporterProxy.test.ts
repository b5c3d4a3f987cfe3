import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { PROJECT } from "../../config/resolve";
import { checkedStackConfig } from "../../config/stackCheck";
import { capabilities, type PhaseCapabilities } from "../../model/phases";
import { versions } from "../../model/versions";
import { RELEASES } from "../../model/names";
import { NODE_EXPORTER_MONITOR_AUTH, nodeExporterValues } from "../../builders/metrics/exporterValues";
import { agentScheduling } from "../../builders/security/hardening";
import { isParked } from "../../builders/security/podSecurity";
import { formatFindings, placedFrom } from "../../checks";
import { checkAlloyRbac } from "../../checks/alloyRbac";
import type { Placed } from "../../checks/objects";
import { checkPrivileges, mayRunAsRoot, seccompOf } from "../../checks/privileges";
import { grantsOf, proxiedTargets, scrapeGrants } from "../../checks/scrapeAuthz";
import {
  nodeExporterProxyAccess,
  proxyAccessRequest,
  proxyVerb,
  KUBE_RBAC_PROXY_VERSION,
} from "../../upstream/kubeRbacProxy";
import { SA_TOKEN_FILE } from "../../upstream/serviceMonitorAuth";
import { ROOT } from "../support/helpers";
import { matrixVariants, rendered, stackFileVariants, type Variant } from "../support/rendered";

/** The takeover stack once its update step applies the program's values (its own node-exporter then runs). */
const TAKEOVER_BLOCK = parse(fs.readFileSync(path.join(ROOT, "Pulumi.takeover.yaml"), "utf8")).config[
  `${PROJECT}:takeover`
];
const TAKEOVER_UPDATE: Variant = {
  title: "takeover update",
  stack: "takeover",
  over: { takeover: { ...TAKEOVER_BLOCK, step: "update" } },
};

/** The takeover's import step keeps the running kube-prometheus-stack's own node-exporter (plan/plan.ts). */
const importing = (v: Variant) => v.stack === "takeover" && !v.over.takeover;
/** Every stack file (but the takeover's import step), its update step, every phase x backend of staging and production. */
const RUNNING: Variant[] = [...stackFileVariants().filter((v) => !importing(v)), TAKEOVER_UPDATE];
const ALL: Variant[] = [...RUNNING, ...matrixVariants()];

/** The phase's scraper (model/phases.ts), from the variant or its stack file. */
function scraperOf(v: Variant): PhaseCapabilities["scraper"] {
  if (v.phase && v.backend) return capabilities(v.phase, v.backend).scraper;
  const { cfg } = checkedStackConfig(ROOT, v.stack, {}, { allowAbsentSecrets: true });
  return capabilities(cfg.phase, cfg.metricsBackend).scraper;
}
const SCRAPER_KIND: Record<PhaseCapabilities["scraper"], RegExp> = {
  prometheus: /^Prometheus /,
  alloy: /^Alloy /,
  vmagent: /^VMAgent /,
};

/** The standalone node-exporter DaemonSets that run on nodes (a hand-over's parked one runs nowhere). */
function runningNodeExporters(objects: Placed[]): Placed[] {
  return objects.filter(
    (p) =>
      p.obj.kind === "DaemonSet" &&
      p.obj.metadata.name === RELEASES.nodeExporter &&
      !isParked(p.obj.spec.template.spec),
  );
}

const without = (objects: Placed[], test: (p: Placed) => boolean) => objects.filter((p) => !test(p));
const isScrapeBinding = (p: Placed) =>
  p.obj.kind === "RoleBinding" && p.obj.metadata.name === `${RELEASES.nodeExporter}-scrape`;

describe(`node-exporter behind kube-rbac-proxy ${KUBE_RBAC_PROXY_VERSION} (unit)`, () => {
  it("asks what pkg/proxy/proxy.go:47-135 asks: the method's verb, the configured resource (no path) or else the URL", () => {
    assert.equal(proxyVerb("GET"), "get");
    assert.equal(proxyVerb("POST"), "create");
    assert.equal(proxyVerb("OPTIONS"), "*");
    assert.deepEqual(proxyAccessRequest({}, "GET", "/metrics"), {
      kind: "nonResource",
      verb: "get",
      path: "/metrics",
    });
    assert.deepEqual(nodeExporterProxyAccess("agents", "node-exporter"), {
      kind: "resource",
      verb: "get",
      namespace: "agents",
      apiGroup: "",
      resource: "services/node-exporter",
      name: "node-exporter",
    });
    assert.throws(
      () => proxyAccessRequest({ resourceAttributes: { resource: "x" }, rewrites: {} }, "GET", "/"),
      /rewrites/,
    );
  });

  it("the values: proxy on, only /metrics, hardened, its own sized resources; the monitor https with the pod's token", () => {
    const v = nodeExporterValues("lightweight", agentScheduling([]), [
      { name: "vm-vmagent", namespace: "m" },
    ]);
    assert.equal(v.kubeRBACProxy.enabled, true);
    assert.deepEqual(v.kubeRBACProxy.extraArgs, ["--allow-paths=/metrics"]);
    assert.equal(
      `${v.kubeRBACProxy.image.registry}/${v.kubeRBACProxy.image.repository}:${v.kubeRBACProxy.image.tag}`,
      `quay.io/brancz/kube-rbac-proxy:${KUBE_RBAC_PROXY_VERSION}`,
    );
    assert.deepEqual(v.kubeRBACProxy.resources.limits, { memory: "64Mi" });
    assert.equal(v.prometheus.monitor.scheme, "https");
    assert.equal(v.prometheus.monitor.bearerTokenFile, SA_TOKEN_FILE);
    assert.deepEqual(v.prometheus.monitor.tlsConfig, NODE_EXPORTER_MONITOR_AUTH.tlsConfig);
    assert.equal(v.extraManifests.length, 2, "a Role and a RoleBinding");
    assert.deepEqual(
      nodeExporterValues("standard", agentScheduling([])).extraManifests,
      [],
      "no scraper, no grant",
    );
  });

  it("grantsOf decides as the RBAC authorizer: `services` and another name or namespace do not cover services/node-exporter; `*/node-exporter` does", () => {
    const access = nodeExporterProxyAccess("agents", "node-exporter");
    const sa = { name: "s", namespace: "m" };
    const world = (rule: Record<string, unknown>, bindingNs = "agents"): Placed[] =>
      [
        {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "Role",
          metadata: { name: "r", namespace: bindingNs },
          rules: [rule],
        },
        {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "RoleBinding",
          metadata: { name: "b", namespace: bindingNs },
          roleRef: { kind: "Role", name: "r" },
          subjects: [{ kind: "ServiceAccount", name: "s", namespace: "m" }],
        },
      ].map((obj) => ({ obj, urn: "u", source: "t" }));
    const exact = {
      apiGroups: [""],
      resources: ["services/node-exporter"],
      resourceNames: ["node-exporter"],
      verbs: ["get"],
    };
    assert.equal(grantsOf(world(exact), sa, access).length, 1);
    assert.equal(grantsOf(world({ ...exact, resources: ["*/node-exporter"] }), sa, access).length, 1);
    assert.equal(grantsOf(world({ ...exact, resources: ["services"] }), sa, access).length, 0);
    assert.equal(grantsOf(world({ ...exact, resourceNames: ["other"] }), sa, access).length, 0);
    assert.equal(grantsOf(world({ ...exact, verbs: ["list"] }), sa, access).length, 0);
    assert.equal(grantsOf(world(exact, "elsewhere"), sa, access).length, 0);
    assert.equal(grantsOf(world(exact), { name: "other", namespace: "m" }, access).length, 0);
  });
});

describe("node-exporter behind kube-rbac-proxy, as the real Helm renders prometheus-node-exporter 4.49.1", function () {
  this.timeout(300_000);

  it("takeover (import step): no standalone node-exporter, the running kube-prometheus-stack's own stays untouched", async () => {
    const v = stackFileVariants().find(importing)!;
    assert.equal(runningNodeExporters(placedFrom((await rendered(v)).objects)).length, 0);
  });

  for (const v of RUNNING) {
    it(`${v.title}: node_exporter listens on 127.0.0.1 only; the proxy serves TLS on the node's port 9100 (host network), only /metrics, hardened like every container`, async () => {
      const objects = placedFrom((await rendered(v)).objects);
      const running = runningNodeExporters(objects);
      assert.equal(running.length, 1, "one running node-exporter");
      const spec = running[0].obj.spec.template.spec;
      assert.equal(spec.hostNetwork, true);
      const [exporter, proxy] = ["node-exporter", "kube-rbac-proxy"].map((n) =>
        spec.containers.find((c: any) => c.name === n),
      );
      assert.ok(exporter && proxy, "both containers render");
      assert.ok(exporter.args.includes("--web.listen-address=[$(HOST_IP)]:8100"), exporter.args.join(" "));
      assert.deepEqual(
        exporter.env.find((e: any) => e.name === "HOST_IP"),
        { name: "HOST_IP", value: "127.0.0.1" },
      );
      assert.equal(
        exporter.ports,
        undefined,
        "node_exporter declares no port (nothing but the proxy reaches it)",
      );
      assert.equal(proxy.image, `quay.io/brancz/kube-rbac-proxy:${versions.images.kubeRbacProxy.tag}`);
      assert.ok(proxy.args.includes("--secure-listen-address=:9100"), proxy.args.join(" "));
      assert.ok(proxy.args.includes("--upstream=http://127.0.0.1:8100/"), proxy.args.join(" "));
      assert.ok(proxy.args.includes("--allow-paths=/metrics"), proxy.args.join(" "));
      assert.ok(
        !proxy.args.some((a: string) => a.startsWith("--insecure-listen-address")),
        "no plain HTTP listener",
      );
      assert.deepEqual(
        proxy.ports.map((p: any) => p.containerPort),
        [9100, 8888],
        "host network: the container ports are the node's (9100 metrics over TLS, 8888 its /healthz over TLS)",
      );
      assert.equal(proxy.readinessProbe.httpGet.scheme, "HTTPS");
      // Hardened as builders/security/hardening.ts has every container.
      assert.equal(mayRunAsRoot(spec, proxy), false, "non-root");
      assert.equal(proxy.securityContext.readOnlyRootFilesystem, true);
      assert.equal(proxy.securityContext.allowPrivilegeEscalation, false);
      assert.deepEqual(proxy.securityContext.capabilities, { drop: ["ALL"] });
      assert.equal(seccompOf(spec, proxy), "RuntimeDefault");
      assert.ok(proxy.resources?.limits?.memory, "a memory limit");
    });
  }

  for (const v of ALL) {
    it(`${v.title}: the node-exporter ServiceMonitor is https with the scraper's token, the phase's scraper is granted exactly get services/node-exporter, and the checks agree`, async () => {
      const r = await rendered(v);
      const objects = placedFrom(r.objects);
      const monitors = objects.filter(
        (p) => p.obj.kind === "ServiceMonitor" && p.obj.metadata.name === RELEASES.nodeExporter,
      );
      assert.equal(monitors.length, 1, "one node-exporter ServiceMonitor (the parked release has none)");
      const ep = monitors[0].obj.spec.endpoints[0];
      assert.equal(ep.scheme, "https");
      assert.equal(ep.bearerTokenFile, SA_TOKEN_FILE);
      assert.deepEqual(ep.tlsConfig, { insecureSkipVerify: true });

      // The access, as the check reads it from the rendered proxy config: what the builder granted.
      const { targets } = proxiedTargets(objects);
      assert.equal(targets.length, 1, JSON.stringify(targets));
      const ns = monitors[0].obj.metadata.namespace!;
      assert.deepEqual(targets[0].access, nodeExporterProxyAccess(ns, RELEASES.nodeExporter));

      const { grants, findings } = scrapeGrants(objects);
      assert.equal(formatFindings(findings), "");
      const expected = scraperOf(v);
      assert.equal(grants.length, 1, `one scraper reads it: ${JSON.stringify(grants)}`);
      assert.match(grants[0].scraper, SCRAPER_KIND[expected]);
      assert.deepEqual(grants[0].grantedBy, [
        `RoleBinding ${ns}/${RELEASES.nodeExporter}-scrape -> Role ${RELEASES.nodeExporter}-scrape`,
      ]);

      // Exactly that and no more: one rule, one subject (the scraper), in node-exporter's namespace.
      const role = objects.find(
        (p) => p.obj.kind === "Role" && p.obj.metadata.name === `${RELEASES.nodeExporter}-scrape`,
      );
      assert.deepEqual(role?.obj.rules, [
        {
          apiGroups: [""],
          resources: ["services/node-exporter"],
          resourceNames: ["node-exporter"],
          verbs: ["get"],
        },
      ]);
      const binding = objects.find(isScrapeBinding)!;
      assert.deepEqual(
        binding.obj.subjects.map((s: any) => `${s.namespace}/${s.name}`),
        [grants[0].account],
      );

      // The privilege checks (scrape-authz is one) and Alloy's exact-RBAC check pass.
      assert.equal(formatFindings(checkPrivileges(objects)), "");
      assert.equal(formatFindings(checkAlloyRbac(objects).findings), "");
    });
  }

  it("the checks fail without the grant, with the grant bound to another account, and for an endpoint without token or TLS (one stack per scraper)", async () => {
    const cases: [Variant, RegExp][] = [
      [
        matrixVariants().find((x) => x.title === "production loki-fixed mimir")!,
        /Prometheus monitoring\/kps-prometheus/,
      ],
      [matrixVariants().find((x) => x.title === "staging kps-removed mimir")!, /Alloy .*alloy-cluster/],
      [stackFileVariants().find((x) => x.stack === "pi")!, /VMAgent monitoring\/vm /],
    ];
    for (const [v, scraper] of cases) {
      const objects = placedFrom((await rendered(v)).objects);
      assert.equal(formatFindings(checkPrivileges(objects)), "", `${v.title} passes as rendered`);

      const unbound = formatFindings(checkPrivileges(without(objects, isScrapeBinding)));
      assert.match(unbound, /\[scrape-authz\]/, v.title);
      assert.match(unbound, scraper, v.title);
      assert.match(
        unbound,
        /asks get services\/node-exporter node-exporter in monitoring(-agents)? .*every scrape gets 403/,
      );
      if (/Alloy/.test(scraper.source))
        assert.match(
          formatFindings(checkAlloyRbac(without(objects, isScrapeBinding)).findings),
          /calls get services\/node-exporter node-exporter/,
        );

      const rebound = objects.map((p) =>
        isScrapeBinding(p)
          ? {
              ...p,
              obj: {
                ...p.obj,
                subjects: [{ kind: "ServiceAccount", name: "someone-else", namespace: "monitoring" }],
              },
            }
          : p,
      );
      assert.match(formatFindings(checkPrivileges(rebound)), /\[scrape-authz\]/);

      const monitorWith = (patch: Record<string, unknown>) =>
        objects.map((p) =>
          p.obj.kind === "ServiceMonitor" && p.obj.metadata.name === RELEASES.nodeExporter
            ? {
                ...p,
                obj: {
                  ...p.obj,
                  spec: { ...p.obj.spec, endpoints: [{ ...p.obj.spec.endpoints[0], ...patch }] },
                },
              }
            : p,
        );
      assert.match(
        formatFindings(checkPrivileges(monitorWith({ bearerTokenFile: undefined }))),
        /presents no token .* answers 401/,
      );
      assert.match(formatFindings(checkPrivileges(monitorWith({ scheme: "http" }))), /serves HTTPS only/);
    }
  });

  it("an Alloy granted the access while no ServiceMonitor it reads asks it is flagged as wider than its config (alloy-rbac)", async () => {
    const v = matrixVariants().find((x) => x.title === "staging kps-removed mimir")!;
    const objects = placedFrom((await rendered(v)).objects);
    // Without the proxy's config the target asks nothing of Alloy: the grant has no need behind it.
    const noProxyConfig = without(
      objects,
      (p) => p.obj.kind === "ConfigMap" && p.obj.metadata.name === `${RELEASES.nodeExporter}-rbac-config`,
    );
    assert.match(
      formatFindings(checkAlloyRbac(noProxyConfig).findings),
      /is granted get services\/node-exporter node-exporter in monitoring-agents .*which no component of its config calls/,
    );
  });
});

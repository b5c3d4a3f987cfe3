import { strict as assert } from "assert";
import { checkNamedPorts } from "../../checks/namedPorts";
import { operatorObjects, type K8sObject, type Placed } from "../../checks/objects";
import { networkPolicy } from "../../builders/security/networkPolicies";

const NS = "monitoring";
const at = (obj: K8sObject, source = "release a"): Placed => ({ obj, urn: `urn:${source}`, source });

const deployment = (
  name: string,
  labels: Record<string, string>,
  ports: { name: string; containerPort: number }[],
  probePort?: string,
): K8sObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: NS },
  spec: {
    selector: { matchLabels: labels },
    template: {
      metadata: { labels },
      spec: {
        containers: [
          {
            name: "main",
            ports,
            ...(probePort ? { readinessProbe: { httpGet: { path: "/ready", port: probePort } } } : {}),
          },
        ],
      },
    },
  },
});
const service = (name: string, selector: Record<string, string>, ports: any[]): K8sObject => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name, namespace: NS, labels: selector },
  spec: { selector, ports },
});
const policy = (pods: Record<string, string>, ports: (string | number)[]): K8sObject =>
  networkPolicy({
    name: "p",
    namespace: NS,
    pods,
    ingress: [{ from: [{ namespace: NS, pods: { app: "client" } }], ports, why: "client -> server" }],
  }) as K8sObject;

const server = { app: "server" };
const good = (): Placed[] => [
  at(deployment("server", server, [{ name: "http-metrics", containerPort: 3100 }], "http-metrics")),
  at(service("server", server, [{ name: "http", port: 80, targetPort: "http-metrics" }])),
  at(policy(server, ["http-metrics"]), "resource np"),
  at({
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: { name: "server", namespace: NS },
    spec: { selector: { matchLabels: server }, endpoints: [{ port: "http" }] },
  }),
  at({
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: { name: "server", namespace: NS },
    spec: { selector: { matchLabels: server }, podMetricsEndpoints: [{ port: "http-metrics" }] },
  }),
];

/** A kube-prometheus-stack-like Prometheus CR with the given portName, and a policy admitting `admit`. */
const prometheusStack = (portName: string | undefined, admit: string): Placed[] => {
  const cr = at({
    apiVersion: "monitoring.coreos.com/v1",
    kind: "Prometheus",
    metadata: { name: "kps-prometheus", namespace: NS },
    spec: portName === undefined ? {} : { portName },
  });
  return [cr, at(policy({ "app.kubernetes.io/name": "prometheus" }, [admit]), "resource np")];
};

describe("rendered-stack check named-port", () => {
  it("passes ports named where the pods, containers and Services declare them", () => {
    const r = checkNamedPorts(good());
    assert.deepEqual(r.findings, []);
    assert.equal(r.resolved, 5);
  });

  it("fails a NetworkPolicy port no selected pod declares", () => {
    const objs = good().map((p) =>
      p.obj.kind === "NetworkPolicy" ? at(policy(server, ["web"]), "resource np") : p,
    );
    const f = checkNamedPorts(objs).findings;
    assert.equal(f.length, 1, f.map((x) => x.message).join("\n"));
    assert.match(f[0].message, /admits port "web", which none of the pods it selects declares/);
  });

  it("judges an egress rule's port name against the pods its peers lead to, not the pods it selects", () => {
    const client = { app: "client" };
    const egress = (port: string): Placed =>
      at(
        networkPolicy({
          name: "c",
          namespace: NS,
          pods: client,
          ingress: [],
          egress: [
            {
              to: [{ namespace: NS, pods: server }],
              ports: [{ port }],
              kind: "edge",
              why: "client -> server",
            },
          ],
        }) as K8sObject,
        "resource np",
      );
    const objs = [
      ...good(),
      at(deployment("client", client, [{ name: "web", containerPort: 8080 }])),
      egress("http-metrics"),
    ];
    assert.deepEqual(checkNamedPorts(objs).findings, []);
    // "web" is the client's own port, not the server's: the rule leads nowhere.
    const f = checkNamedPorts([...objs.slice(0, -1), egress("web")]).findings;
    assert.equal(f.length, 1, f.map((x) => x.message).join("\n"));
    assert.match(
      f[0].message,
      /egress rule 0 admits port "web", which none of the pods it leads to declares \(Deployment monitoring\/server/,
    );
  });

  it("fails a Service targetPort, a probe port and monitor ports the pods or Services lack", () => {
    const objs: Placed[] = [
      at(deployment("server", server, [{ name: "http-metrics", containerPort: 3100 }], "metrics")),
      at(service("server", server, [{ name: "http", port: 80, targetPort: "web" }])),
      at({
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: { name: "server", namespace: NS },
        spec: { selector: { matchLabels: server }, endpoints: [{ port: "metrics" }] },
      }),
      at({
        apiVersion: "operator.victoriametrics.com/v1beta1",
        kind: "VMPodScrape",
        metadata: { name: "server", namespace: NS },
        spec: { selector: { matchLabels: server }, podMetricsEndpoints: [{ port: "http" }] },
      }),
    ];
    const msgs = checkNamedPorts(objs).findings.map((x) => `${x.where}: ${x.message}`);
    assert.equal(msgs.length, 4, msgs.join("\n"));
    assert.ok(
      msgs.some((m) =>
        /Service monitoring\/server .*targets "web", which Deployment monitoring\/server/.test(m),
      ),
    );
    assert.ok(msgs.some((m) => /readinessProbe names port "metrics"/.test(m)));
    assert.ok(
      msgs.some((m) => /ServiceMonitor .*endpoint port "metrics" is no port of the Services/.test(m)),
    );
    assert.ok(msgs.some((m) => /VMPodScrape .*port "http" is no container port/.test(m)));
  });

  it("judges operator-made pods: a policy admitting web against a Prometheus named http-web fails, and the reverse", () => {
    for (const [portName, admit, ok] of [
      ["http-web", "http-web", true],
      ["http-web", "web", false],
      [undefined, "web", true], // the CRD's default
      [undefined, "http-web", false],
    ] as const) {
      const objs = prometheusStack(portName, admit);
      const f = checkNamedPorts(objs, operatorObjects(objs)).findings;
      assert.equal(
        f.length,
        ok ? 0 : 1,
        `portName ${portName}, policy ${admit}: ${f.map((x) => x.message).join("; ")}`,
      );
    }
  });

  it("judges VMAlertmanager's pods by spec.portName: its Service port http is no container port", () => {
    const am = (spec: Record<string, unknown>, admit: string): Placed[] => {
      const cr = at({
        apiVersion: "operator.victoriametrics.com/v1beta1",
        kind: "VMAlertmanager",
        metadata: { name: "vm", namespace: NS },
        spec,
      });
      return [cr, at(policy({ "app.kubernetes.io/name": "vmalertmanager" }, [admit]), "resource np")];
    };
    const findings = (objs: Placed[]) => checkNamedPorts(objs, operatorObjects(objs)).findings;
    assert.deepEqual(findings(am({}, "web")), []);
    assert.equal(findings(am({}, "http")).length, 1);
    assert.deepEqual(findings(am({ portName: "alerts" }, "alerts")), []);
  });

  it("a monitor's targetPort none of the pods behind it declares, made or not yet made, is one finding naming them all", () => {
    // Two Services of one label, each with its Deployment; the second's no operator makes yet
    // (checks/index.ts passes those as `unmade`).
    const scraped = { scrape: "yes" };
    const pair = (name: string) => [
      at(deployment(name, { app: name }, [{ name: "http", containerPort: 80 }])),
      at({
        ...service(name, { app: name }, [{ name: "http", port: 80 }]),
        metadata: { name, namespace: NS, labels: scraped },
      }),
    ];
    const [made, madeSvc] = pair("running");
    const unmade = pair("waiting");
    const monitor = at({
      apiVersion: "monitoring.coreos.com/v1",
      kind: "ServiceMonitor",
      metadata: { name: "m", namespace: NS },
      spec: { selector: { matchLabels: scraped }, endpoints: [{ targetPort: "nope" }] },
    });
    const r = checkNamedPorts([made, madeSvc, monitor], unmade, unmade);
    assert.deepEqual(
      r.findings.map((f) => f.message),
      [
        'endpoint targetPort "nope" is no port of the pods behind the Services it selects (Deployment monitoring/running (release a), and those no operator of the stack makes yet: Deployment monitoring/waiting (release a)): no target',
      ],
    );
    assert.deepEqual(r.latent, []);
    // Over the pods not made yet alone, it holds only once they are made: latent, not a finding.
    const later = checkNamedPorts([monitor], unmade, unmade);
    assert.deepEqual(later.findings, []);
    assert.deepEqual(
      later.latent.map((f) => f.message),
      [
        'endpoint targetPort "nope" is no port of the pods behind the Services it selects (Deployment monitoring/waiting (release a)): no target',
      ],
    );
  });

  /**
   * Three Deployments behind one label, each of its own release; only `has` declares the port
   * `metrics`, `web` and `api` lack it. One mistake of the selector's object: one finding, naming
   * both pods that lack it (not the one that has it), their releases and their containers.
   */
  const shared = { tier: "backend" };
  const backends = (): Placed[] =>
    (
      [
        ["has", "metrics"],
        ["web", "http"],
        ["api", "grpc"],
      ] as const
    ).map(([name, port]) =>
      at(deployment(name, shared, [{ name: port, containerPort: 8080 }]), `release ${name}`),
    );
  const oneFinding = (objs: Placed[], subject: Placed) => {
    const r = checkNamedPorts(objs);
    assert.equal(r.findings.length, 1, r.findings.map((f) => f.message).join("\n"));
    const [f] = r.findings;
    assert.deepEqual(f.releases, ["urn:release subject", "urn:release web", "urn:release api"]);
    assert.deepEqual(f.containers, ["web/main", "api/main"]);
    assert.equal(f.where, `${subject.obj.kind} monitoring/${subject.obj.metadata.name} (release subject)`);
    return f;
  };

  it("a Service targetPort two of the pods it selects lack is one finding naming each", () => {
    const svc = at(
      service("backend", shared, [{ name: "m", port: 9000, targetPort: "metrics" }]),
      "release subject",
    );
    const f = oneFinding([...backends(), svc], svc);
    assert.equal(
      f.message,
      'port m targets "metrics", which these pods it selects do not declare (Deployment monitoring/web (release web), Deployment monitoring/api (release api)): none of them is an endpoint of it',
    );
    assert.deepEqual(f.judged, ["targetPort", "ports"]);
  });

  for (const [kind, apiVersion] of [
    ["PodMonitor", "monitoring.coreos.com/v1"],
    ["VMPodScrape", "operator.victoriametrics.com/v1beta1"],
  ]) {
    it(`a ${kind} port two of the pods it selects lack is one finding naming each`, () => {
      const monitor = at(
        {
          apiVersion,
          kind,
          metadata: { name: "backend", namespace: NS },
          spec: { selector: { matchLabels: shared }, podMetricsEndpoints: [{ port: "metrics" }] },
        },
        "release subject",
      );
      const f = oneFinding([...backends(), monitor], monitor);
      assert.equal(
        f.message,
        'podMetricsEndpoint port "metrics" is no container port of these pods it selects (Deployment monitoring/web (release web), Deployment monitoring/api (release api)): no target of them',
      );
      assert.deepEqual(f.judged, ["podMetricsEndpoints.port", "ports"]);
    });
  }

  it("a pod monitor's port a running pod and a pod not made yet lack is one finding; the latter alone, latent", () => {
    const [has, web, api] = backends();
    const monitor = at({
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PodMonitor",
      metadata: { name: "backend", namespace: NS },
      spec: { selector: { matchLabels: shared }, podMetricsEndpoints: [{ port: "metrics" }] },
    });
    // `api` is one no operator of the stack makes yet (checks/index.ts passes it as `unmade`).
    const r = checkNamedPorts([has, web, monitor], [api], [api]);
    assert.deepEqual(
      r.findings.map((f) => f.message),
      [
        'podMetricsEndpoint port "metrics" is no container port of these pods it selects (Deployment monitoring/web (release web), and those no operator of the stack makes yet: Deployment monitoring/api (release api)): no target of them',
      ],
    );
    // Today's verdict rests on the running pod's release, not the one not made yet.
    assert.deepEqual(r.findings[0].releases, ["urn:release a", "urn:release web"]);
    assert.deepEqual(r.latent, []);
    const later = checkNamedPorts([has, monitor], [api], [api]);
    assert.deepEqual(later.findings, []);
    assert.deepEqual(
      later.latent.map((f) => f.message),
      [
        'podMetricsEndpoint port "metrics" is no container port of Deployment monitoring/api (release api): no target',
      ],
    );
  });
});

/**
 * The object-level checks on the rendered stack (schemas, duplicates, host ports, addresses, `${VAR}`s in configs, the order on an empty cluster), each shown to pass on a good case and to fail, with its message, on one change. The stack-wide runs are in rendered.test.ts.
 */
import * as path from "path";
import { referenceFilesRead } from "../../upstream/reference";
import { strict as assert } from "assert";
import { operatorObjects, type K8sObject, type Placed } from "../../checks/objects";
import { checkSchemas, decodedAsServed } from "../../checks/schema";
import { checkDuplicates, checkTransitionDuplicates } from "../../checks/duplicates";
import { checkHostPorts, checkTransitionHostPorts } from "../../checks/hostPorts";
import { checkAddresses } from "../../checks/addresses";
import { checkEnvVars } from "../../checks/envVars";
import { checkOrdering } from "../../checks/ordering";
import { PARKED_NODE_SELECTOR } from "../../builders/security/podSecurity";
import { daemonSet, NS } from "../support/objects";
import { clone, at, res, service, configMap, crd, widget, lokiReadingConfig } from "../support/checkCases";

describe("rendered-stack checks (unit): schemas, duplicates, host ports, addresses, ${VAR}s, ordering", () => {
  describe("schema", () => {
    const good = () => [at(daemonSet("ne", 9100)), at(crd, "urn:crds", "release crds"), at(clone(widget))];
    it("passes valid built-in objects and custom resources", () => {
      const r = checkSchemas(good());
      assert.deepEqual(r.findings, []);
      assert.equal(r.builtin, 2);
      assert.equal(r.custom, 1);
    });
    it("fails a built-in object with a wrongly typed field (kubernetes-models)", () => {
      const objs = good();
      objs[0].obj.spec.template.spec.containers[0].ports[0].containerPort = "9100";
      const f = checkSchemas(objs).findings;
      assert.equal(f.length, 1);
      assert.match(f[0].message, /containerPort must be integer, found string "9100"$/);
    });
    // The schema types minReplicas and maxReplicas only: chartValues.grafana.autoscaling
    // {enabled: true, minReplicas: 2, maxReplicas: 1} passed synth, and the API server refuses the
    // HPA (kubernetes validateHorizontalPodAutoscalerSpec), failing `pulumi up` on the release.
    describe("a HorizontalPodAutoscaler's maxReplicas below its minReplicas", () => {
      const hpa = (minReplicas: number, maxReplicas: number, metrics?: unknown[]) =>
        at({
          apiVersion: "autoscaling/v2",
          kind: "HorizontalPodAutoscaler",
          metadata: { name: "grafana", namespace: "monitoring" },
          spec: {
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "grafana" },
            minReplicas,
            maxReplicas,
            ...(metrics ? { metrics } : {}),
          },
        });
      it("fails, as the API server refuses it", () => {
        const f = checkSchemas([hpa(2, 1)]).findings;
        assert.equal(f.length, 1);
        assert.equal(
          f[0].message,
          'spec.maxReplicas: expected at least spec.minReplicas (2), got 1: the API server refuses the autoscaler ("must be greater than or equal to `minReplicas`"); raise maxReplicas or lower minReplicas',
        );
      });
      it("passes a maximum equal to the minimum", () =>
        assert.deepEqual(checkSchemas([hpa(2, 2)]).findings, []));

      // A minReplicas below 1 passed too (chartValues.grafana.autoscaling.minReplicas: 0, exit 0).
      // Kubernetes validation.go: minReplicas "must be greater than or equal to" 1, or 0 with the
      // feature gate HPAScaleToZero on (alpha, off by default), and then only beside an Object or
      // External metric (validateMetrics). Read, not run.
      /** The metric the grafana chart 12.3.1 renders (templates/hpa.yaml, autoscaling.targetCPU "60"). */
      const cpu = {
        type: "Resource",
        resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 60 } },
      };
      const external = {
        type: "External",
        external: { metric: { name: "queue_depth" }, target: { type: "AverageValue", averageValue: "10" } },
      };
      it("fails minReplicas 0 beside only a Resource metric: refused with the gate off and with it on", () => {
        const f = checkSchemas([hpa(0, 2, [cpu])]).findings;
        assert.equal(f.length, 1, JSON.stringify(f));
        assert.equal(
          f[0].message,
          'spec.minReplicas: expected at least 1, got 0: the API server refuses the autoscaler: without its feature gate HPAScaleToZero (alpha, off by default) minReplicas "must be greater than or equal to 1", and with it an autoscaler at 0 "must specify at least one Object or External metric", which spec.metrics has none of; set minReplicas to 1 or more',
        );
      });
      it("fails minReplicas 0 without metrics (autoscaling/v2 defaults them to a CPU Resource metric)", () =>
        assert.equal(checkSchemas([hpa(0, 2)]).findings.length, 1));
      it("fails a negative minReplicas whatever the metrics", () => {
        const f = checkSchemas([hpa(-1, 2, [external])]).findings;
        assert.equal(f.length, 1, JSON.stringify(f));
        assert.equal(
          f[0].message,
          'spec.minReplicas: expected at least 1, got -1: the API server refuses the autoscaler: minReplicas "must be greater than or equal to 1", or to 0 with its feature gate HPAScaleToZero (alpha, off by default) on; set minReplicas to 1 or more',
        );
      });
      // A cluster may run the alpha gate: no refusal of what it would take.
      it("passes minReplicas 0 beside an External metric (taken where HPAScaleToZero is on)", () =>
        assert.deepEqual(checkSchemas([hpa(0, 2, [external])]).findings, []));
    });
    it("says what was found beside a refused value, never a Secret's", () => {
      const objs = good();
      objs.push(
        at({
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name: "s", namespace: "monitoring" },
          stringData: { password: 7 },
        }),
      );
      const f = checkSchemas(objs).findings;
      assert.equal(f.length, 1, JSON.stringify(f));
      assert.match(f[0].message, /\/stringData\/password must be string, found a number \(not shown\)$/);
    });
    it("fails a kind Kubernetes does not serve", () => {
      const objs = good();
      objs[0].obj.kind = "DaemonSett";
      assert.match(
        checkSchemas(objs).findings[0].message,
        /apps\/v1 DaemonSett is not a kind Kubernetes serves/,
      );
    });
    it("fails a custom resource against its CRD: type, required, unknown field, pattern", () => {
      for (const [mutate, expect] of [
        [(w: any) => (w.spec.size = 0), /\/spec\/size must be >= 1, found number 0$/],
        [(w: any) => delete w.spec.size, /must have required property 'size'/],
        [(w: any) => (w.spec.sise = 3), /sise: unknown, the API server drops it/],
        [(w: any) => (w.spec.mode = "medium"), /\/spec\/mode must match pattern .*, found string "medium"$/],
        [(w: any) => (w.spec.port = true), /\/spec\/port must be integer,string/],
      ] as [(w: any) => void, RegExp][]) {
        const objs = good();
        mutate(objs[2].obj);
        const f = checkSchemas(objs).findings;
        assert.equal(f.length, 1, JSON.stringify(f));
        assert.match(f[0].message, expect);
      }
    });
    // Helm writes nulls (kube-prometheus-stack's `prometheusSpec.shards: ""` renders `shards:`); the
    // API server drops a null the CRD does not make nullable, or gives it the field's default, before
    // it validates (apiextensions-apiserver defaulting prunenulls.go and algorithm.go).
    it("judges a custom resource's nulls as the API server decodes them: dropped, defaulted, or kept where nullable or open", () => {
      const objs = good();
      objs[2].obj.spec.mode = null;
      objs[2].obj.spec.extra = { anything: null };
      assert.deepEqual(checkSchemas(objs).findings, []);
      // Dropped, a required field is missing, as the server says.
      objs[2].obj.spec.size = null;
      assert.match(checkSchemas(objs).findings[0]?.message ?? "", /must have required property 'size'/);
      const schema = {
        type: "object",
        properties: {
          shards: { type: "integer", default: 1 },
          note: { type: "string", nullable: true },
          ports: { type: "array", items: { type: "integer", default: 80 } },
          names: { type: "array", items: { type: "string" } },
        },
      };
      const obj = { shards: null, note: null, ports: [null, 8080], names: [null] } as unknown as K8sObject;
      assert.deepEqual(decodedAsServed(obj, schema), {
        shards: 1,
        note: null,
        ports: [80, 8080],
        names: [null],
      });
      assert.deepEqual(obj.shards, null, "the object itself is left as rendered");
    });
    describe("CEL rules (x-kubernetes-validations), which the API server runs and no JSON schema says", () => {
      // The widget CRD with rules of the shapes prometheus-operator's CRDs carry.
      const ruled = (): K8sObject => {
        const c = clone(crd);
        // Another CRD text than the plain widget's: the schema check keys its compiled schemas by annotations.
        c.metadata.annotations = { "example.com/schema": "with-rules" };
        const spec = c.spec.versions[0].schema.openAPIV3Schema.properties.spec;
        spec.properties.strategy = {
          type: "object",
          properties: {
            type: { type: "string", default: "RollingUpdate" },
            rollingUpdate: { type: "object", properties: { partition: { type: "integer" } } },
          },
          "x-kubernetes-validations": [
            {
              rule: "!(self.type != 'RollingUpdate' && has(self.rollingUpdate))",
              message: "rollingUpdate requires type to be RollingUpdate",
            },
          ],
        };
        spec.properties.auth = {
          type: "array",
          items: {
            type: "object",
            properties: {
              basic: { type: "object" },
              oauth2: { type: "object" },
              shards: { type: "integer" },
            },
            "x-kubernetes-validations": [
              { rule: "[has(self.basic), has(self.oauth2)].filter(x, x).size() <= 1" },
              {
                rule: "!has(self.shards) || self.shards > 1",
                reason: "FieldValueForbidden",
                message: "one shard",
              },
              { rule: "self.basic == oldSelf.basic", message: "immutable" },
            ],
          },
        };
        return c;
      };
      const objs = (mutate: (w: any) => void) => {
        const w = clone(widget);
        mutate(w);
        return [at(ruled(), "urn:crds", "release crds"), at(w)];
      };
      it("passes a custom resource that keeps every rule, counting the rules it evaluated", () => {
        const r = checkSchemas(
          objs((w) => {
            w.spec.strategy = { type: "RollingUpdate", rollingUpdate: { partition: 0 } };
            w.spec.auth = [{ basic: {}, shards: 2 }];
          }),
        );
        assert.deepEqual(r.findings, []);
        // Two rules on the item (the oldSelf one is a transition rule: not run on a create), one on strategy.
        assert.equal(r.celRules, 3);
        assert.deepEqual(r.celUnjudged, []);
      });
      it("fails each broken rule in the API server's words, at its path, after the schema's defaults", () => {
        const f = checkSchemas(
          objs((w) => {
            // type is absent: the schema's default RollingUpdate makes the rule hold.
            w.spec.strategy = { rollingUpdate: { partition: 0 } };
            w.spec.auth = [{ basic: {} }, { basic: {}, oauth2: {}, shards: 1 }];
          }),
        ).findings;
        assert.deepEqual(
          f.map((x) => x.message.replace(/ \(the CRD .*\)$/, "")),
          [
            `spec.auth[1]: Invalid value: "object": failed rule: [has(self.basic), has(self.oauth2)].filter(x, x).size() <= 1`,
            "spec.auth[1]: Forbidden: one shard",
          ],
        );
        const g = checkSchemas(
          objs((w) => (w.spec.strategy = { type: "OnDelete", rollingUpdate: {} })),
        ).findings;
        assert.equal(g.length, 1);
        assert.match(
          g[0].message,
          /^spec\.strategy: Invalid value: "object": rollingUpdate requires type to be RollingUpdate \(the CRD widgets\.example\.com's x-kubernetes-validations rule/,
        );
      });
      it("leaves a rule the evaluator cannot compile unjudged, never failed", () => {
        const c = ruled();
        c.spec.versions[0].schema.openAPIV3Schema.properties.spec["x-kubernetes-validations"] = [
          { rule: "isURL(self.mode)" },
        ];
        const r = checkSchemas([at(c, "urn:crds", "release crds"), at(clone(widget))]);
        assert.deepEqual(r.findings, []);
        assert.deepEqual(r.celUnjudged, ["widgets.example.com v1 spec: isURL(self.mode)"]);
      });
    });
    it("fails a custom resource whose CRD the stack does not ship", () => {
      const f = checkSchemas([at(clone(widget))]).findings;
      assert.match(f[0].message, /no CRD of the stack defines Widget.example.com/);
    });
    const route = (): K8sObject => ({
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name: "grafana", namespace: NS },
      spec: {
        parentRefs: [{ name: "public", namespace: "gateways" }],
        hostnames: ["grafana.example.net"],
        rules: [{ backendRefs: [{ name: "grafana", port: 80, group: "", kind: "Service", weight: 1 }] }],
      },
    });
    it("passes an HTTPRoute against the Gateway API's own schema (the cluster provides its CRD)", () => {
      const r = checkSchemas([at(route())]);
      assert.deepEqual(r.findings, []);
      assert.equal(r.custom, 1);
    });
    it("records where it looked for the Gateway API's models, so the check cache keys a verdict on them", () => {
      // Never cleared: the set is the process's record, which other checks' cached data relies on.
      checkSchemas([at(route())]);
      const pkg = path.join("node_modules", "@kubernetes-models", "gateway-api", "package.json");
      assert.ok(
        [...referenceFilesRead].some((f) => f.endsWith(pkg)),
        [...referenceFilesRead].join("\n"),
      );
    });
    it("fails an HTTPRoute with a host name or port the Gateway API refuses", () => {
      const bad = route();
      bad.spec.hostnames = ["Grafana.Example.NET!"];
      bad.spec.rules[0].backendRefs[0].port = "http";
      const f = checkSchemas([at(bad)]).findings;
      assert.equal(f.length, 1);
      assert.match(f[0].message, /\/spec\/hostnames\/0 must match pattern/);
      assert.match(f[0].message, /\/spec\/rules\/0\/backendRefs\/0\/port must be integer/);
    });
  });

  describe("duplicates", () => {
    it("fails the same kind/namespace/name from two sources, cluster-scoped namespace ignored", () => {
      const a = at(configMap("x", {}));
      const b = at(configMap("x", {}), "urn:b", "resource b");
      assert.deepEqual(checkDuplicates([a, at(configMap("y", {}), "urn:b")]), []);
      assert.match(
        checkDuplicates([a, b])[0].message,
        /ConfigMap monitoring\/x is rendered 2 times: .*release a.*resource b/,
      );
      const c1 = at({ ...clone(crd), metadata: { name: crd.metadata.name, namespace: "one" } });
      const c2 = at({ ...clone(crd), metadata: { name: crd.metadata.name, namespace: "two" } }, "urn:b");
      assert.equal(checkDuplicates([c1, c2]).length, 1);
    });
  });

  describe("duplicates across a transition", () => {
    const cm = (urn: string) => at(configMap("x", {}), urn, urn === "urn:a" ? "release a" : "release b");
    it("fails an object moving to another owner while the old one still holds it", () => {
      // The old owner is deleted at the end of the update.
      const gone = checkTransitionDuplicates(
        { objects: [cm("urn:a")] },
        { objects: [cm("urn:b")], resources: [res("urn:b")] },
      );
      assert.match(
        gone[0].message,
        /ConfigMap monitoring\/x moves from release a to release b while release a still owns it/,
      );
      // The old owner stays and drops it in its update: fine only when the new owner waits.
      const racing = { objects: [cm("urn:b")], resources: [res("urn:a"), res("urn:b")] };
      assert.equal(checkTransitionDuplicates({ objects: [cm("urn:a")] }, racing).length, 1);
      const waiting = { objects: [cm("urn:b")], resources: [res("urn:a"), res("urn:b", ["urn:a"])] };
      assert.deepEqual(checkTransitionDuplicates({ objects: [cm("urn:a")] }, waiting), []);
      // Same owner: an update in place.
      assert.deepEqual(checkTransitionDuplicates({ objects: [cm("urn:b")] }, racing), []);
    });
  });

  describe("host ports", () => {
    it("passes distinct ports and non-host ports; fails two workloads on one host port", () => {
      assert.deepEqual(checkHostPorts([at(daemonSet("a", 9100)), at(daemonSet("b", 9101))]), []);
      assert.deepEqual(checkHostPorts([at(daemonSet("a", 9100)), at(daemonSet("b", 9100, false))]), []);
      const f = checkHostPorts([at(daemonSet("a", 9100)), at(daemonSet("b", 9100), "urn:b", "release b")]);
      assert.equal(f.length, 1);
      assert.match(
        f[0].message,
        /host port TCP\/9100 is claimed by DaemonSet monitoring\/a \(release a\) and by DaemonSet monitoring\/b \(release b\)/,
      );
    });
    it("across a transition: a deleted release's DaemonSet coexists with the new one until the end", () => {
      const before = {
        objects: [at(daemonSet("kps-ne", 9100), "urn:kps", "release kps")],
        resources: [res("urn:kps")],
      };
      const after = {
        objects: [at(daemonSet("ne", 9100), "urn:ne", "release ne")],
        resources: [res("urn:ne")],
      };
      assert.match(
        checkTransitionHostPorts(before, after)[0].message,
        /during the update, host port TCP\/9100/,
      );
    });
    it("across a transition: an updated release dropping its DaemonSet clashes unless the new claimer waits for it", () => {
      const before = {
        objects: [at(daemonSet("kps-ne", 9100), "urn:kps", "release kps")],
        resources: [res("urn:kps")],
      };
      const newDs = at(daemonSet("ne", 9100), "urn:ne", "release ne");
      const racing = { objects: [newDs], resources: [res("urn:kps"), res("urn:ne")] };
      assert.equal(checkTransitionHostPorts(before, racing).length, 1);
      const waiting = { objects: [newDs], resources: [res("urn:kps"), res("urn:ne", ["urn:kps"])] };
      assert.deepEqual(checkTransitionHostPorts(before, waiting), []);
    });
    it("a parked DaemonSet (on no node) claims no host port", () => {
      const parked = daemonSet("old", 9100);
      parked.spec.template.spec.nodeSelector = { ...PARKED_NODE_SELECTOR };
      assert.deepEqual(checkHostPorts([at(parked, "urn:old"), at(daemonSet("new", 9100), "urn:new")]), []);
    });
    it("across a transition: a DaemonSet parked in place still holds its port until its release's update is done", () => {
      const before = {
        objects: [at(daemonSet("ne", 9100), "urn:old", "release old")],
        resources: [res("urn:old")],
      };
      const parked = clone(daemonSet("ne", 9100));
      parked.spec.template.spec.nodeSelector = { ...PARKED_NODE_SELECTOR };
      const moved = { ...daemonSet("ne", 9100), metadata: { name: "ne", namespace: "agents" } };
      const objects = [at(parked, "urn:old", "release old"), at(moved, "urn:new", "release new")];
      const racing = { objects, resources: [res("urn:old"), res("urn:new")] };
      assert.match(
        checkTransitionHostPorts(before, racing)[0].message,
        /host port TCP\/9100 is claimed by DaemonSet monitoring\/ne \(release old\) and by DaemonSet agents\/ne \(release new\)/,
      );
      const waiting = { objects, resources: [res("urn:old"), res("urn:new", ["urn:old"])] };
      assert.deepEqual(checkTransitionHostPorts(before, waiting), []);
    });
    it("across a transition: the same object updated in place is no clash", () => {
      const side = { objects: [at(daemonSet("ne", 9100), "urn:ne")], resources: [res("urn:ne")] };
      assert.deepEqual(checkTransitionHostPorts(side, clone(side)), []);
    });
  });

  describe("addresses", () => {
    const pod = daemonSet("loki", 3100, false);
    pod.spec.template.spec.containers[0].ports[0].name = "http-metrics";
    const good = () => [
      at(clone(pod)),
      at(service("loki", { app: "loki" }, 3100, "http-metrics")),
      at(
        configMap("agent", {
          "config.alloy": 'url = "http://loki.monitoring.svc.cluster.local:3100/loki/api/v1/push"',
        }),
      ),
    ];
    it("resolves an address to a Service port backed by a pod port (by name)", () => {
      const r = checkAddresses(good());
      assert.deepEqual(r.findings, []);
      assert.equal(r.resolved.length, 1);
      assert.equal(r.resolved[0].service, "loki");
      assert.equal(r.resolved[0].port, 3100);
    });
    it("fails a missing Service, a missing port, an empty selector and an unserved target port", () => {
      const cases: [(o: Placed[]) => void, RegExp][] = [
        [
          (o) => (o[2].obj.data["config.alloy"] = 'url = "http://lokii.monitoring.svc:3100"'),
          /no Service monitoring\/lokii/,
        ],
        [
          (o) => (o[2].obj.data["config.alloy"] = 'url = "http://loki.monitoring.svc"'),
          /has no port 80 \(it exposes 3100\)/,
        ],
        [(o) => (o[1].obj.spec.selector = { app: "other" }), /selects no pod/],
        [
          (o) => (o[1].obj.spec.ports[0].targetPort = "grpc"),
          /sends port 3100 to grpc, which no selected pod/,
        ],
      ];
      for (const [mutate, expect] of cases) {
        const objs = good();
        mutate(objs);
        const f = checkAddresses(objs).findings;
        assert.equal(f.length, 1, JSON.stringify(f));
        assert.match(f[0].message, expect);
      }
    });
    it("resolves pod DNS names of headless Services and Services the operators create", () => {
      const vm = at({
        apiVersion: "operator.victoriametrics.com/v1beta1",
        kind: "VMAlertmanager",
        metadata: { name: "vm", namespace: NS },
      });
      const user = at(
        configMap("c", {
          u: "http://vmalertmanager-vm-0.vmalertmanager-vm.monitoring.svc.cluster.local.:9093",
        }),
      );
      assert.equal(checkAddresses([vm, user]).findings.length, 1);
      const r = checkAddresses([vm, user], operatorObjects([vm]));
      assert.deepEqual(r.findings, []);
      assert.equal(r.resolved[0].service, "vmalertmanager-vm");
    });
    it("checks a Prometheus's Alertmanagers, named by Service and port name", () => {
      const prom = (port: string) =>
        at({
          apiVersion: "monitoring.coreos.com/v1",
          kind: "Prometheus",
          metadata: { name: "p", namespace: NS },
          spec: { alerting: { alertmanagers: [{ name: "loki", namespace: NS, port }] } },
        });
      const objs = good().slice(0, 2);
      assert.deepEqual(checkAddresses([...objs, prom("http")]).findings, []);
      assert.match(checkAddresses([...objs, prom("http-web")]).findings[0].message, /has no port http-web/);
    });
    it("reports addresses outside the stack's namespaces as external, and kube-dns as the cluster's", () => {
      const objs = good();
      objs[2].obj.data.x =
        "endpoint: http://minio.storage.svc.cluster.local:9000 resolver kube-dns.kube-system.svc.cluster.local.";
      objs.push(
        at({
          ...service("coredns", { k: "v" }, 9153, 9153),
          metadata: { name: "coredns", namespace: "kube-system" },
        }),
      );
      const r = checkAddresses(objs);
      assert.deepEqual(r.findings, []);
      assert.deepEqual(r.external.map((a) => `${a.service}.${a.namespace}`).sort(), [
        "kube-dns.kube-system",
        "minio.storage",
      ]);
    });
  });

  describe("${VAR} in configs", () => {
    const statefulSet = (args: string[], envFrom: any[], env: any[] = []): K8sObject =>
      lokiReadingConfig("docker.io/grafana/loki:3.7.6", args, { envFrom, env });
    const secret = (keys: string[]): K8sObject => ({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "creds", namespace: NS },
      data: Object.fromEntries(keys.map((k) => [k, "eA=="])),
    });
    const cfg = at(configMap("loki", { "config.yaml": "access_key_id: ${AWS_ACCESS_KEY_ID}" }));
    const good = () => [
      cfg,
      at(statefulSet(["-config.expand-env=true"], [{ secretRef: { name: "creds" } }])),
      at(secret(["AWS_ACCESS_KEY_ID"]), "urn:s"),
    ];
    it("passes an expanded variable that an existing Secret provides", () => {
      const r = checkEnvVars(good());
      assert.deepEqual(r.findings, []);
      assert.equal(r.checked, 1);
    });
    it("fails without -config.expand-env, without the Secret, without the key, without any source", () => {
      const cases: [Placed[], RegExp][] = [
        [
          [cfg, at(statefulSet([], [{ secretRef: { name: "creds" } }])), at(secret(["AWS_ACCESS_KEY_ID"]))],
          /lacks -config.expand-env=true/,
        ],
        [
          [cfg, at(statefulSet(["-config.expand-env=true"], [{ secretRef: { name: "creds" } }]))],
          /envFrom Secret monitoring\/creds, which nothing in the stack creates/,
        ],
        [
          [
            cfg,
            at(statefulSet(["-config.expand-env=true"], [{ secretRef: { name: "creds" } }])),
            at(secret(["OTHER"])),
          ],
          /is in none of envFrom Secret creds/,
        ],
        [[cfg, at(statefulSet(["-config.expand-env=true"], []))], /is provided by neither env nor envFrom/],
      ];
      for (const [objs, expect] of cases) {
        const f = checkEnvVars(objs).findings;
        assert.equal(f.length, 1, JSON.stringify(f));
        assert.match(f[0].message, expect);
      }
    });
    it("uses the key names a caller knows for Secrets whose data is a secret envelope", () => {
      const hidden: K8sObject = {
        ...secret([]),
        stringData: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" },
      };
      delete hidden.data;
      const objs = [cfg, good()[1], at(hidden)];
      assert.deepEqual(checkEnvVars(objs).findings, [], "unknown keys: existence is all that can be judged");
      const f = checkEnvVars(objs, () => ["SOMETHING_ELSE"]).findings;
      assert.match(f[0].message, /is in none of envFrom/);
    });
  });

  describe("ordering on an empty cluster", () => {
    const crdAt = at(crd, "urn:crds", "release crds");
    const w = at(clone(widget), "urn:app", "release app");
    it("fails a custom resource whose creator does not wait for the CRD's release", () => {
      const f = checkOrdering([crdAt, w], [res("urn:crds"), res("urn:app")]);
      assert.match(f[0].message, /creates Widget.example.com but does not wait for release crds/);
      assert.deepEqual(checkOrdering([crdAt, w], [res("urn:crds"), res("urn:app", ["urn:crds"])]), []);
    });
    it("counts a dependency on a component as one on all its descendants", () => {
      const comp = res("urn:comp", [], { custom: false, type: "homelab:metrics:PrometheusCrds" });
      const crdRel = res("urn:crds", [], { parent: "urn:comp" });
      assert.deepEqual(checkOrdering([crdAt, w], [comp, crdRel, res("urn:app", ["urn:comp"])]), []);
    });
    it("fails a resource creating objects in the stack's namespace without waiting for it", () => {
      const ns = at({ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } }, "urn:ns", "resource ns");
      const cm = at(configMap("c", {}), "urn:app", "release app");
      const f = checkOrdering([ns, cm], [res("urn:ns"), res("urn:app")]);
      assert.equal(f.length, 1);
      assert.match(f[0].message, /creates objects in namespace monitoring but does not wait for resource ns/);
      assert.deepEqual(checkOrdering([ns, cm], [res("urn:ns"), res("urn:app", ["urn:ns"])]), []);
    });
    it("fails a pod reading a Secret that nothing creates, or that it does not wait for", () => {
      const ss = at(
        {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: "g", namespace: NS },
          spec: {
            template: {
              spec: {
                containers: [
                  {
                    name: "g",
                    env: [{ name: "P", valueFrom: { secretKeyRef: { name: "admin", key: "p" } } }],
                  },
                ],
              },
            },
          },
        },
        "urn:app",
        "release app",
      );
      const s = at(
        { apiVersion: "v1", kind: "Secret", metadata: { name: "admin", namespace: NS } },
        "urn:s",
        "resource s",
      );
      assert.match(
        checkOrdering([ss], [res("urn:app")])[0].message,
        /reads Secret monitoring\/admin, which nothing in the stack creates/,
      );
      assert.match(checkOrdering([ss, s], [res("urn:app"), res("urn:s")])[0].message, /does not wait for it/);
      assert.deepEqual(checkOrdering([ss, s], [res("urn:app", ["urn:s"]), res("urn:s")]), []);
    });
  });
});

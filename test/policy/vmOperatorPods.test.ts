/**
 * How many pods the VictoriaMetrics operator makes of a custom resource, and which, beyond the main
 * container's (policy/lib/operatorDefaults.ts, read at v0.66.0): the budget counts what will run,
 * from the rendered CRs (the synthesis) and from the chart's values (a live preview's opaque
 * release) alike.
 */
import { strict as assert } from "assert";
import { runsVmReloader, vmReloaderImage } from "@homelab-observability/contract";
import { isNodeAgent, workloadsOf, vmOperatorEnv, type Workload } from "../../policy/lib/workloads";
import { computeBudget } from "../../policy/lib/budget";
import { arm64Problem } from "../../policy/images";
import type { Res } from "../../policy/lib/resources";
import { vmCr, vmOperatorDeployment, vmStackRelease } from "../support/vmOperator";
import { passes, res, stackInfo } from "../support/policyCases";

const SET = { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "64Mi" } };
const Mi = (n: number) => n * 2 ** 20;

/** The workloads of a rendered CR of `kind`. */
const ofCr = (kind: string, spec: Record<string, unknown>): Workload[] => {
  const res = vmCr(kind, spec);
  return workloadsOf(res, undefined, [], vmOperatorEnv([res]));
};

/** victoria-metrics-k8s-stack's release with `values`, opaque (a live preview). */
const release = vmStackRelease;
/** The release's workloads of the CR kind `kind`. */
const ofValues = (values: Record<string, unknown>, kind: string): Workload[] =>
  workloadsOf(release(values)).filter((w) => w.objectKind === kind);

const pool = {
  name: "pi5",
  arch: "arm64",
  count: 3,
  cpu: 4,
  memoryBytes: 8 * 2 ** 30,
  labels: {},
  taints: [],
};

describe("policy (workloads): the pods the VictoriaMetrics operator makes of a VMAgent (v0.66.0)", () => {
  it("counts every shard of a sharded VMAgent: shardCount workloads of replicaCount pods each", () => {
    const [w] = ofCr("VMAgent", { resources: SET, shardCount: 3, replicaCount: 2 });
    assert.equal(w.replicas, 6);
    assert.equal(w.kind, "Deployment");
    const [fromValues] = ofValues(
      { vmagent: { spec: { resources: SET, shardCount: 3, replicaCount: 2 } } },
      "VMAgent",
    );
    assert.equal(fromValues.replicas, 6);
    assert.equal(ofCr("VMAgent", { resources: SET, shardCount: 1, replicaCount: 2 })[0].replicas, 2);
  });

  it("counts a VMAgent in daemonSetMode as a DaemonSet, a pod on every node, whatever replicaCount and shardCount", () => {
    const spec = { resources: SET, daemonSetMode: true, replicaCount: 0, shardCount: 4 };
    const [w] = ofCr("VMAgent", spec);
    const [fromValues] = ofValues({ vmagent: { spec } }, "VMAgent");
    for (const x of [w, fromValues]) {
      assert.equal(x.kind, "DaemonSet", x.source.type);
      assert.equal(x.replicas, 1, x.source.type);
    }
    assert.deepEqual(fromValues.requests, w.requests);
    // Its own 64Mi and the config reloader's 25Mi, on each of the 3 nodes.
    assert.equal(computeBudget([w.source], [pool]).rows[0].sums.memory, 3 * Mi(64 + 25));
  });

  it("is no node agent the program places: a daemonSetMode VMAgent off a tainted pool is not refused as one", async () => {
    const [w] = ofCr("VMAgent", { resources: SET, daemonSetMode: true });
    assert.equal(isNodeAgent(w), false);
    const vmagent = res("kubernetes:operator.victoriametrics.com/v1beta1:VMAgent", {
      metadata: { name: "vm", namespace: "monitoring" },
      spec: { resources: SET, daemonSetMode: true },
    });
    const pools = [
      { name: "pi5", arch: "arm64" },
      { name: "gpu", arch: "amd64", taints: [{ key: "gpu", value: "true", effect: "NoSchedule" }] },
    ];
    await passes([stackInfo(pools), vmagent], "node-agents-on-every-pool");
  });
});

describe("policy (workloads): the vmbackupmanager sidecar the operator adds from `vmBackup` (v0.66.0)", () => {
  const backup = { acceptEULA: true, destination: "s3://b/vm" };
  const withOperator = (
    kind: string,
    spec: Record<string, unknown>,
    env: { name: string; value: string }[],
  ) => {
    const res = vmCr(kind, spec);
    return workloadsOf(res, undefined, [], vmOperatorEnv([vmOperatorDeployment(env), res]));
  };

  it("adds it to a VMSingle's pod at the operator's default resources, counted as injected", () => {
    const [w] = ofCr("VMSingle", { resources: SET, vmBackup: backup });
    assert.deepEqual(w.requests, { cpu: 0.16, memory: Mi(64 + 200) });
    assert.equal(w.limits.memory, Mi(64 + 500));
    assert.equal(w.injectedMemory, Mi(200));
    const [fromValues] = ofValues(
      { vmsingle: { enabled: true, spec: { resources: SET, vmBackup: backup } } },
      "VMSingle",
    );
    assert.deepEqual(fromValues.requests, w.requests);
  });

  it("adds none without acceptEULA or a license: the operator skips it", () => {
    const [w] = ofCr("VMSingle", { resources: SET, vmBackup: { destination: "s3://b/vm" } });
    assert.deepEqual(w.requests, { cpu: 0.01, memory: Mi(64) });
    const licensed = ofCr("VMSingle", {
      resources: SET,
      license: { keyRef: { name: "l", key: "k" } },
      vmBackup: { destination: "s3://b/vm" },
    })[0];
    assert.equal(licensed.requests.memory, Mi(64 + 200));
  });

  it("takes the backup's own resources, the operator's VM_VMBACKUP_ variables and useDefaultResources", () => {
    const own = ofCr("VMSingle", { resources: SET, vmBackup: { ...backup, resources: SET } })[0];
    assert.equal(own.requests.memory, Mi(128));
    const env = [{ name: "VM_VMBACKUP_RESOURCE_REQUEST_MEM", value: "100Mi" }];
    assert.equal(
      withOperator("VMSingle", { resources: SET, vmBackup: backup }, env)[0].requests.memory,
      Mi(164),
    );
    const off = ofCr("VMSingle", { resources: SET, useDefaultResources: false, vmBackup: backup })[0];
    assert.equal(off.requests.memory, Mi(64));
    // VMSingle's defaults off in the operator: the backup's own switch decides, true by default.
    const kindOff = [{ name: "VM_VMSINGLEDEFAULT_USEDEFAULTRESOURCES", value: "false" }];
    assert.equal(
      withOperator("VMSingle", { resources: SET, vmBackup: backup }, kindOff)[0].requests.memory,
      Mi(264),
    );
    const bothOff = [...kindOff, { name: "VM_VMBACKUP_USEDEFAULTRESOURCES", value: "false" }];
    assert.equal(
      withOperator("VMSingle", { resources: SET, vmBackup: backup }, bothOff)[0].requests.memory,
      Mi(64),
    );
  });

  it("adds it to a VMCluster's vmstorage pods, licensed by the VMCluster", () => {
    const parts = { vminsert: { resources: SET }, vmselect: { resources: SET } };
    const storage = (vmBackup: object) => ({ resources: SET, vmBackup });
    const byName = (ws: Workload[]) => new Map(ws.map((w) => [w.name.split("-")[0], w]));
    const eula = byName(ofCr("VMCluster", { ...parts, vmstorage: storage(backup) }));
    assert.equal(eula.get("vmstorage")?.requests.memory, Mi(264));
    assert.equal(eula.get("vmstorage")?.injectedMemory, Mi(200));
    assert.equal(eula.get("vminsert")?.requests.memory, Mi(64));
    const plain = { destination: "s3://b/vm" };
    const unlicensed = byName(ofCr("VMCluster", { ...parts, vmstorage: storage(plain) }));
    assert.equal(unlicensed.get("vmstorage")?.requests.memory, Mi(64));
    const licensed = { ...parts, license: { key: "x" }, vmstorage: storage(plain) };
    assert.equal(byName(ofCr("VMCluster", licensed)).get("vmstorage")?.requests.memory, Mi(264));
    const values = { vmcluster: { enabled: true, spec: licensed } };
    const fromValues = workloadsOf(release(values)).find((w) => w.name.endsWith("/vmstorage"));
    assert.equal(fromValues?.requests.memory, Mi(264));
  });
});

describe("policy (workloads): a VMCluster's vminsert or vmselect the chart leaves out", () => {
  // victoria-metrics-k8s-stack 0.80.0 templates/_helpers.tpl:330-339 (vm.cluster.spec): with
  // `vmcluster.spec.<part>.enabled` false the VMCluster's spec has no <part>, and the operator makes
  // no pod of a part the spec leaves out (as ofCr shows of the rendered CR).
  const spec = { vmstorage: { resources: SET }, vminsert: { resources: SET }, vmselect: { resources: SET } };
  const parts = (values: Record<string, unknown>) =>
    workloadsOf(release({ fullnameOverride: "vm", ...values }))
      .map((w) => w.object)
      .filter((o) => /^vm(storage|insert|select)-/.test(o ?? ""));

  for (const part of ["vminsert", "vmselect"] as const)
    it(`counts no ${part} pod (no share of the budget, no image judged) with vmcluster.spec.${part}.enabled false`, () => {
      const off = {
        ...spec,
        [part]: { enabled: false, resources: SET, image: { repository: "x/amd64-only" } },
      };
      const found = parts({ vmcluster: { enabled: true, spec: off } });
      assert.deepEqual(
        found,
        ["vmstorage-vm", "vminsert-vm", "vmselect-vm"].filter((o) => !o.startsWith(part)),
      );
      const rendered = Object.fromEntries(Object.entries(spec).filter(([k]) => k !== part));
      assert.deepEqual(
        ofCr("VMCluster", rendered).map((w) => w.object),
        found,
        "the same parts as the operator makes of the CR the chart renders",
      );
      assert.deepEqual(
        parts({ vmcluster: { enabled: true, spec: { ...spec, [part]: { enabled: true } } } }),
        ["vmstorage-vm", "vminsert-vm", "vmselect-vm"],
      );
    });

  // The chart tests the switch with Go template truth (`if not $clusterSpec.<part>.enabled`,
  // _helpers.tpl:330, :335), so 0 and "" leave the part out as false does, and the text "false"
  // keeps it. A null deletes the chart's default key (Helm's coalesce), which that `if` reads as
  // false; an omitted key is the default, true. Run: `helm template` (v3.17.3) of 0.80.0 with
  // vmcluster.enabled and each value: the VMCluster has no vminsert/vmselect for false, 0, "" and
  // null, and has both for true, 1, "false", "true" and the key left out.
  const ALL = ["vmstorage-vm", "vminsert-vm", "vmselect-vm"];
  for (const [value, on] of [
    [0, false],
    ["", false],
    [null, false],
    ["false", true],
    [1, true],
    [undefined, true],
  ] as const)
    it(`counts the ${on ? "vminsert and vmselect pods" : "vmstorage pod alone"} with their enabled ${JSON.stringify(value) ?? "left out"}, as the chart renders the VMCluster`, () => {
      const sw = value === undefined ? {} : { enabled: value };
      const found = parts({
        vmcluster: {
          enabled: true,
          spec: { ...spec, vminsert: { ...spec.vminsert, ...sw }, vmselect: { ...spec.vmselect, ...sw } },
        },
      });
      assert.deepEqual(found, on ? ALL : ["vmstorage-vm"]);
    });
});

describe("policy (workloads): a VMCluster's requests load balancer (v0.66.0)", () => {
  const lbOf = (ws: Workload[]) => ws.find((w) => w.object === "vmclusterlb-vm");
  const insert = { vminsert: { resources: SET, replicaCount: 2 } };

  it("counts the vmauth Deployment the operator runs while requestsLoadBalancer.enabled, at VMAuth's defaults", () => {
    const lb = lbOf(ofCr("VMCluster", { ...insert, requestsLoadBalancer: { enabled: true } }));
    assert.equal(lb?.kind, "Deployment");
    assert.equal(lb?.replicas, 1);
    assert.deepEqual(lb?.requests, { cpu: 0.05, memory: Mi(100) });
    assert.deepEqual(lb?.limits, { cpu: 0.2, memory: Mi(300) });
    const sized = { enabled: true, spec: { replicaCount: 3, resources: SET } };
    const own = lbOf(ofCr("VMCluster", { ...insert, requestsLoadBalancer: sized }));
    assert.equal(own?.replicas, 3);
    assert.deepEqual(own?.requests, { cpu: 0.01, memory: Mi(64) });
  });

  it("judges its vmauth image, the operator's VMAuth default where the spec names none, from the CR and the values", () => {
    const on = (spec: Record<string, unknown>) => ({
      ...insert,
      requestsLoadBalancer: { enabled: true, spec },
    });
    assert.deepEqual(
      lbOf(ofCr("VMCluster", on({})))?.images.map((i) => i.image),
      ["victoriametrics/vmauth"],
    );
    const own = { image: { repository: "example/vmauth", tag: "1" } };
    assert.deepEqual(
      lbOf(ofCr("VMCluster", on(own)))?.images.map((i) => i.image),
      ["example/vmauth:1"],
    );
    const values = (spec: Record<string, unknown>) =>
      lbOf(
        workloadsOf(release({ fullnameOverride: "vm", vmcluster: { enabled: true, spec: on(spec) } })),
      )?.images.map((i) => i.image);
    // The chart writes its tag into a spec naming no image (templates/_helpers.tpl:324-327).
    assert.deepEqual(values({}), ["docker.io/victoriametrics/vmauth:v1.144.0"]);
    assert.deepEqual(values(own), ["docker.io/example/vmauth:1"]);
  });

  it("counts none while it is not enabled, its spec set or not", () => {
    const off = { enabled: false, spec: { replicaCount: 3 } };
    assert.equal(lbOf(ofCr("VMCluster", { ...insert, requestsLoadBalancer: off })), undefined);
    assert.equal(lbOf(ofCr("VMCluster", insert)), undefined);
  });

  it("counts the same from the chart's values, only while the VMCluster renders", () => {
    const spec = { ...insert, requestsLoadBalancer: { enabled: true, spec: { replicaCount: 2 } } };
    const lb = lbOf(workloadsOf(release({ fullnameOverride: "vm", vmcluster: { enabled: true, spec } })));
    assert.equal(lb?.replicas, 2);
    assert.deepEqual(lb?.requests, { cpu: 0.05, memory: Mi(100) });
    assert.equal(
      lbOf(workloadsOf(release({ fullnameOverride: "vm", vmcluster: { enabled: false, spec } }))),
      undefined,
    );
    const off = { ...insert, requestsLoadBalancer: { enabled: false, spec: { replicaCount: 2 } } };
    assert.equal(
      lbOf(workloadsOf(release({ fullnameOverride: "vm", vmcluster: { enabled: true, spec: off } }))),
      undefined,
    );
  });
});

describe("policy (workloads): victoria-metrics-k8s-stack's global.license licenses the backup sidecar", () => {
  it("counts vmbackupmanager from the chart's values when only global.license is set, as the chart writes it into the CR", () => {
    const vmsingle = { enabled: true, spec: { resources: SET, vmBackup: { destination: "s3://b/vm" } } };
    const [unlicensed] = ofValues({ vmsingle }, "VMSingle");
    assert.equal(unlicensed.requests.memory, Mi(64));
    const [licensed] = ofValues(
      { vmsingle, global: { license: { keyRef: { name: "l", key: "k" } } } },
      "VMSingle",
    );
    assert.equal(licensed.requests.memory, Mi(264));
  });
});

describe("policy (workloads): a VMAuth's pods, as the other kinds are modelled (v0.66.0)", () => {
  it("counts its Deployment at VMAuth's default resources and its config reloader's", () => {
    const [w] = ofCr("VMAuth", { replicaCount: 2 });
    assert.equal(w.kind, "Deployment");
    assert.equal(w.replicas, 2);
    assert.deepEqual(w.requests, { cpu: 0.05 + 0.01, memory: Mi(125) });
    assert.equal(w.injectedMemory, Mi(25));
    const [fromValues] = ofValues({ vmauth: { enabled: true, spec: { replicaCount: 2 } } }, "VMAuth");
    assert.deepEqual([fromValues.replicas, fromValues.requests], [2, w.requests]);
    assert.deepEqual(ofValues({ vmauth: { spec: { replicaCount: 2 } } }, "VMAuth"), [], "off by default");
  });

  it("runs no reloader where its config is external: secretRef, localPath or the deprecated configSecret", () => {
    for (const spec of [
      { externalConfig: { secretRef: { name: "s", key: "config.yaml" } } },
      { externalConfig: { localPath: "/etc/vmauth/config.yaml" } },
      { configSecret: "s" },
    ]) {
      const [w] = ofCr("VMAuth", { resources: SET, ...spec });
      assert.equal(w.requests.memory, Mi(64), JSON.stringify(spec));
      assert.equal(runsVmReloader("VMAuth", spec), false);
    }
  });

  it("takes its reloader's image by the operator's rule: the pinned VM reloader, else VMAuth's own default", () => {
    const env = { VM_OPERATOR_VERSION: "v0.66.0" };
    assert.equal(
      vmReloaderImage("VMAuth", {}, env)?.image,
      "victoriametrics/operator:config-reloader-v0.66.0",
    );
    assert.deepEqual(vmReloaderImage("VMAuth", { useVMConfigReloader: false }, env), {
      image: "quay.io/prometheus-operator/prometheus-config-reloader:v0.82.1",
      from: "the operator's default VM_VMAUTHDEFAULT_CONFIGRELOADIMAGE",
    });
    const cr = vmCr("VMAuth", {});
    const [w] = workloadsOf(cr, undefined, [], vmOperatorEnv([vmOperatorDeployment([]), cr]));
    assert.deepEqual(
      w.images.map((i) => i.path),
      [
        "(vmauth image: the operator's default VM_VMAUTHDEFAULT_IMAGE)",
        "(config-reloader injected by the operator: the operator's default VM_CUSTOMCONFIGRELOADERIMAGE)",
      ],
    );
  });

  // The operator's VMAuth default image, VM_VMAUTHDEFAULT_IMAGE victoriametrics/vmauth (operator
  // v0.66.0 internal/config/config.go:393), where the spec names no repository, under
  // VM_CONTAINERREGISTRY as every image (build/defaults.go:551-557, container.go:203-216).
  it("judges its vmauth container's image: the spec's, else the operator's default, as the chart's values and the CR give it", () => {
    const main = (ws: Workload[]) => ws[0]?.images[0]?.image;
    const env = (registry: string) => [
      vmOperatorDeployment([{ name: "VM_CONTAINERREGISTRY", value: registry }]),
    ];
    const cr = (spec: Record<string, unknown>, more: Res[] = []) =>
      workloadsOf(vmCr("VMAuth", spec), undefined, [], vmOperatorEnv([...more, vmCr("VMAuth", spec)]));
    assert.equal(main(cr({ image: { tag: "v1.144.0" } })), "victoriametrics/vmauth:v1.144.0");
    assert.equal(main(cr({}, env("registry.local"))), "registry.local/victoriametrics/vmauth");
    assert.equal(main(cr({ image: { repository: "example/vmauth", tag: "1" } })), "example/vmauth:1");
    const values = (spec: Record<string, unknown>) =>
      main(ofValues({ vmauth: { enabled: true, spec } }, "VMAuth"));
    // The chart writes its tag into a spec naming no image (templates/_helpers.tpl:203, :246).
    assert.equal(values({}), "docker.io/victoriametrics/vmauth:v1.144.0");
    assert.equal(values({ image: { repository: "example/vmauth", tag: "1" } }), "docker.io/example/vmauth:1");
  });

  // victoria-metrics-k8s-stack 0.80.0 writes its own tag beside an image map naming none: vm.image.tag
  // (victoria-metrics-common templates/_image.tpl:17-33), its appVersion v1.144.0 (Chart.yaml:15),
  // merged under the values' map (templates/_helpers.tpl:246 VMAuth, :324-326 the load balancer).
  it("names the tag the chart writes beside a vmauth repository the values give without one, not latest", () => {
    const use = (values: Record<string, unknown>, kind: string) => ofValues(values, kind)[0]?.images[0];
    const repo = { image: { repository: "example/vmauth" } };
    const vmauth = use({ vmauth: { enabled: true, spec: repo } }, "VMAuth");
    assert.equal(vmauth?.image, "docker.io/example/vmauth:v1.144.0");
    assert.equal(vmauth?.written, '"docker.io/example/vmauth" (the chart writes tag v1.144.0 beside it)');
    const lb = workloadsOf(
      release({
        vmcluster: { enabled: true, spec: { requestsLoadBalancer: { enabled: true, spec: repo } } },
      }),
    ).find((w) => w.name === "vm/vmclusterlb");
    assert.equal(lb?.images[0]?.image, "docker.io/example/vmauth:v1.144.0");
    // A license or the image's variant makes the chart add to the tag (_image.tpl:23-33; helm
    // template writes v1.144.0-enterprise, v1.144.0-<variant>): the pack names what it adds.
    const licensed = use({ license: { key: "k" }, vmauth: { enabled: true, spec: repo } }, "VMAuth");
    assert.equal(licensed?.image, "docker.io/example/vmauth:v1.144.0-enterprise");
    const variant = { image: { repository: "example/vmauth", variant: "scratch" } };
    assert.equal(
      use({ vmauth: { enabled: true, spec: variant } }, "VMAuth")?.image,
      "docker.io/example/vmauth:v1.144.0-scratch",
    );
  });
});

describe("policy (workloads): VM_CONTAINERREGISTRY on an image the spec names (v0.66.0)", () => {
  // The operator puts the registry before every main container's repository, the spec's own too,
  // after filling in its default (internal/controller/operator/factory/build/defaults.go:395-398
  // vmstorage, :454 vminsert, :487 vmselect, :551-557 the other kinds; container.go:203-216
  // formatContainerImage; read, not run): the pod runs the registry's image, which is the one judged.
  const mirror = vmOperatorDeployment([{ name: "VM_CONTAINERREGISTRY", value: "mirror.local" }]);
  const mainImages = (kind: string, spec: Record<string, unknown>, more: Res[]) =>
    workloadsOf(vmCr(kind, spec), undefined, [], vmOperatorEnv([...more, vmCr(kind, spec)])).map(
      (w) => w.images[0]?.image,
    );
  const image = { repository: "example/vm", tag: "1" };
  it("judges a VMSingle's and a VMAgent's spec.image under the registry", () => {
    for (const kind of ["VMSingle", "VMAgent"]) {
      assert.deepEqual(mainImages(kind, { image }, [mirror]), ["mirror.local/example/vm:1"]);
      assert.deepEqual(mainImages(kind, { image }, []), ["example/vm:1"]);
    }
  });
  it("judges a VMCluster part's image under the registry, a quay.io prefix replaced", () => {
    const spec = {
      vmstorage: { image },
      vminsert: { image: { repository: "quay.io/example/vm", tag: "1" } },
    };
    assert.deepEqual(mainImages("VMCluster", spec, [mirror]), [
      "mirror.local/example/vm:1",
      "mirror.local/example/vm:1",
    ]);
  });
  it("judges the same image from an opaque release's values (a live preview, --no-render) as from its rendered CR", () => {
    // victoria-metrics-k8s-stack 0.80.0 writes a CR's spec.image as the values' map over its own tag
    // (templates/_helpers.tpl:132-141, :246), and the operator's VM_CONTAINERREGISTRY from the
    // subchart's env or global.image.registry (templates/server.yaml:59-77 of its operator subchart).
    const env = {
      "victoria-metrics-operator": { env: [{ name: "VM_CONTAINERREGISTRY", value: "mirror.local" }] },
    };
    const global = { global: { image: { registry: "mirror.local" } } };
    const quay = { repository: "quay.io/example/vm", tag: "1" };
    const cases: [string, Record<string, unknown>, string, Record<string, unknown>, string][] = [
      ["VMSingle", { vmsingle: { spec: { image } } }, "VMSingle", { image }, "mirror.local/example/vm:1"],
      [
        "VMAuth",
        { vmauth: { enabled: true, spec: {} } },
        "VMAuth",
        { image: { tag: "v1.144.0" } },
        "mirror.local/victoriametrics/vmauth:v1.144.0",
      ],
      [
        "VMAuth",
        { vmauth: { enabled: true, spec: { image: { repository: "example/vmauth" } } } },
        "VMAuth",
        { image: { repository: "example/vmauth", tag: "v1.144.0" } },
        "mirror.local/example/vmauth:v1.144.0",
      ],
      [
        "vmstorage",
        { vmcluster: { enabled: true, spec: { vmstorage: { image: quay } } } },
        "VMCluster",
        { vmstorage: { image: quay } },
        "mirror.local/example/vm:1",
      ],
    ];
    for (const registry of [env, global])
      for (const [kind, values, crKind, spec, expected] of cases) {
        const live = workloadsOf(release({ ...registry, ...values })).find(
          (w) => w.objectKind === kind || w.name === `vm/${kind}`,
        )?.images[0]?.image;
        assert.equal(live, expected, `${kind} from ${JSON.stringify({ ...registry, ...values })}`);
        assert.equal(mainImages(crKind, spec, [mirror])[0], expected, `${crKind} rendered`);
      }
    // A spec naming no repository runs the operator's default under the registry (config.go:240).
    assert.equal(
      ofValues(env, "VMAgent")[0]?.images[0]?.image,
      "mirror.local/victoriametrics/vmagent:v1.144.0",
    );
    const [single] = ofValues({ ...env, vmsingle: { spec: { image } } }, "VMSingle");
    assert.equal(
      single.images[0].written,
      '{repository: "example/vm", tag: "1"} under the operator\'s VM_CONTAINERREGISTRY "mirror.local"',
    );
    // Without the variable the image is the chart's, as before.
    assert.equal(
      ofValues({ vmsingle: { spec: { image } } }, "VMSingle")[0]?.images[0]?.image,
      "docker.io/example/vm:1",
    );
  });
  it("the arm64 advice on a CR image under the registry names the tag the chart writes, not latest", () => {
    // victoria-metrics-k8s-stack 0.80.0 writes vm.image.tag, its appVersion v1.144.0, into VMAlert's,
    // VMAgent's and VMSingle's spec.image (templates/_helpers.tpl:132, :191, :287): the pod runs that
    // tag, the one `docker manifest inspect` must be asked about.
    const env = {
      "victoria-metrics-operator": { env: [{ name: "VM_CONTAINERREGISTRY", value: "mirror.local" }] },
    };
    for (const [kind, repository] of [
      ["VMAgent", "vmagent"],
      ["VMAlert", "vmalert"],
      ["VMSingle", "victoria-metrics"],
    ]) {
      const advice =
        arm64Problem(ofValues({ ...env, vmsingle: { enabled: true } }, kind)[0].images[0].image, []) ?? "";
      assert.match(
        advice,
        new RegExp(`docker manifest inspect mirror\\.local/victoriametrics/${repository}:v1\\.144\\.0\``),
      );
      assert.ok(!advice.includes(":latest"), advice);
    }
  });
  it("finds the operator under the registry its chart pulls it from, as global.image.registry renders it", () => {
    // victoria-metrics-k8s-stack 0.80.0's operator subchart writes global.image.registry both
    // before its own image (templates/server.yaml:54; victoria-metrics-common
    // templates/_image.tpl:11-13, :53-55) and as VM_CONTAINERREGISTRY (server.yaml:74-76): helm
    // template renders image mirror.local/victoriametrics/operator:v0.66.0 beside it.
    const env = [{ name: "VM_CONTAINERREGISTRY", value: "mirror.local" }];
    for (const registry of ["mirror.local", "mirror.local:5000/hub"]) {
      const op = vmOperatorDeployment(env, `${registry}/victoriametrics/operator:v0.66.0`);
      assert.deepEqual(mainImages("VMSingle", { image }, [op]), ["mirror.local/example/vm:1"]);
    }
  });
});

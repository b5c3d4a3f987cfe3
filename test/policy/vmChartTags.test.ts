/**
 * The tag victoria-metrics-k8s-stack 0.80.0 and the VictoriaMetrics operator v0.66.0 give a CR's
 * image where the values name none, as the arm64 advice names it (policy/lib/charts.ts vmChartTag,
 * VMCLUSTER_PART_TAG): a license's `-enterprise`, an image variant, a VMCluster's clusterVersion;
 * never Docker's `latest`, which no pod of these runs. Each tag below is what `helm template` of the
 * pinned chart writes with those values.
 */
import { strict as assert } from "assert";
import { workloadsOf } from "../../policy/lib/workloads";
import { arm64Problem } from "../../policy/images";
import { vmStackRelease } from "../support/vmOperator";

/** victoria-metrics-k8s-stack's release with `values`, opaque (a live preview). */
const release = vmStackRelease;

/** The main image of the release's workload `name` and the arm64 advice on it. */
function imageOf(
  values: Record<string, unknown>,
  name: string,
): { image: string; advice: string; written?: string } {
  const w = workloadsOf(release(values)).find((x) => x.name === `vm/${name}`);
  assert.ok(w, `no workload vm/${name}`);
  const use = w.images[0];
  return { image: use.image, advice: arm64Problem(use.image, []) ?? "", written: use.written };
}

const LICENSE = { global: { license: { key: "a-key" } } };
const CLUSTER = { vmcluster: { enabled: true, spec: { requestsLoadBalancer: { enabled: true } } } };

describe("policy (arm64 advice): the tag a VictoriaMetrics CR's image runs where the values name none", () => {
  it("a license adds -enterprise to the chart's tag (VMSingle, VMAgent, VMAlert, VMAuth)", () => {
    for (const [name, repository] of [
      ["vmsingle", "victoria-metrics"],
      ["vmagent", "vmagent"],
      ["vmalert", "vmalert"],
      ["vmauth", "vmauth"],
    ]) {
      const values = { ...LICENSE, vmsingle: { enabled: name === "vmsingle" }, vmauth: { enabled: true } };
      const { image, advice } = imageOf(values, name);
      assert.equal(image, `docker.io/victoriametrics/${repository}:v1.144.0-enterprise`, name);
      assert.ok(advice.includes(`docker manifest inspect ${image}\``), advice);
      assert.ok(!advice.includes(":latest"), advice);
    }
    // The chart's own `license`, by a Secret's name, counts as global.license does.
    const byRef = imageOf({ license: { keyRef: { name: "vm-license", key: "key" } } }, "vmagent");
    assert.equal(byRef.image, "docker.io/victoriametrics/vmagent:v1.144.0-enterprise");
  });

  it("an image's own variant follows the tag, after -enterprise where licensed", () => {
    const variant = { vmagent: { spec: { image: { variant: "scratch" } } } };
    assert.equal(imageOf(variant, "vmagent").image, "docker.io/victoriametrics/vmagent:v1.144.0-scratch");
    assert.equal(
      imageOf({ ...variant, ...LICENSE }, "vmagent").image,
      "docker.io/victoriametrics/vmagent:v1.144.0-enterprise-scratch",
    );
    assert.equal(
      imageOf({ vmauth: { enabled: true, spec: { image: { variant: "v3" } } } }, "vmauth").image,
      "docker.io/victoriametrics/vmauth:v1.144.0-v3",
    );
  });

  it("a VMCluster's parts run its clusterVersion: the chart's tag and -cluster, or the one the values give", () => {
    for (const part of ["vmstorage", "vminsert", "vmselect"]) {
      const plain = imageOf(CLUSTER, part);
      assert.equal(plain.image, `docker.io/victoriametrics/${part}:v1.144.0-cluster`);
      assert.ok(!plain.advice.includes(":latest"), plain.advice);
      assert.match(plain.written ?? "", /tag v1\.144\.0-cluster, the VMCluster's clusterVersion/);
      assert.equal(
        imageOf({ ...CLUSTER, ...LICENSE }, part).image,
        `docker.io/victoriametrics/${part}:v1.144.0-enterprise-cluster`,
      );
      const own = { vmcluster: { enabled: true, spec: { clusterVersion: "v1.140.0-cluster" } } };
      assert.equal(imageOf(own, part).image, `docker.io/victoriametrics/${part}:v1.140.0-cluster`);
    }
  });

  it("the VMCluster's load balancer takes the license but no variant, its own or the cluster's", () => {
    const lb = (over: Record<string, unknown>) =>
      imageOf(
        {
          vmcluster: {
            enabled: true,
            spec: { image: { variant: "x" }, requestsLoadBalancer: { enabled: true, ...over } },
          },
        },
        "vmclusterlb",
      ).image;
    assert.equal(lb({ spec: { image: { variant: "other" } } }), "docker.io/victoriametrics/vmauth:v1.144.0");
    assert.equal(
      imageOf({ ...LICENSE, ...CLUSTER }, "vmclusterlb").image,
      "docker.io/victoriametrics/vmauth:v1.144.0-enterprise",
    );
  });

  it("judges the program's ownership-fix init container only where the values hold one: none, no image", () => {
    const images = (values: Record<string, unknown>, name: string) =>
      workloadsOf(release(values))
        .find((x) => x.name === `vm/${name}`)!
        .images.map((i) => `${i.path} ${i.image}`);
    // Without one, nothing runs it: the chart's bare repository would be advised on as `latest`.
    for (const [name, values] of [
      ["vmsingle", { vmsingle: { enabled: true } }],
      ["vmagent", {}],
      ["vmstorage", CLUSTER],
    ] as const)
      assert.ok(!images(values, name).some((i) => i.includes("initContainers")), name);
    const fix = { name: "fix-data-ownership", image: "docker.io/library/busybox:1.37.0" };
    assert.ok(
      images({ vmsingle: { enabled: true, spec: { initContainers: [fix] } } }, "vmsingle").includes(
        "values.vmsingle.spec.initContainers.0.image docker.io/library/busybox:1.37.0",
      ),
    );
  });

  it("under VM_CONTAINERREGISTRY, a spec naming no repository is said as the tag it holds, not as a repository", () => {
    const env = {
      "victoria-metrics-operator": { env: [{ name: "VM_CONTAINERREGISTRY", value: "mirror.local" }] },
    };
    const { image, written } = imageOf(env, "vmagent");
    assert.equal(image, "mirror.local/victoriametrics/vmagent:v1.144.0");
    assert.equal(
      written,
      'unset (the chart writes {tag: "v1.144.0"}), naming no repository (the operator\'s default "victoriametrics/vmagent" runs) under the operator\'s VM_CONTAINERREGISTRY "mirror.local"',
    );
    const given = imageOf({ ...env, vmagent: { spec: { image: { tag: "v1.140.0" } } } }, "vmagent");
    assert.equal(given.image, "mirror.local/victoriametrics/vmagent:v1.140.0");
    assert.match(given.written ?? "", /^\{tag: "v1\.140\.0"\}, naming no repository/);
  });
});

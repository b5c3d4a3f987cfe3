import { strict as assert } from "assert";
import { PHASES } from "../../config/resolve";
import { podSecurityLabels } from "../../builders/security/podSecurity";
import { mentions } from "../../apply/ordering";
import type { ExportResource } from "../../synth/synthesize";
import { stackNames } from "../../config/paths";
import { atPhase, onBackend, roomFor, ROOT, synth } from "../support/helpers";
import { BACKENDS } from "../../model/phases";

const CRD_RELEASE = "prometheus-operator-crds";
const nameOf = (urn: string) => urn.split("::").pop();
const dependsOn = (r: ExportResource, on: ExportResource) => (r.dependencies ?? []).includes(on.urn);
const isK8s = (r: ExportResource) => r.custom && r.type.startsWith("kubernetes:");

describe("ordering as data: every stack x phase x backend", function () {
  this.timeout(120000);
  for (const stack of stackNames(ROOT)) {
    for (const backend of BACKENDS) {
      for (const phase of PHASES) {
        it(`${stack} ${backend} ${phase}: namespace first, CRDs before custom resources, Secrets before their consumers`, async () => {
          const over = { ...atPhase(stack, phase), ...onBackend(backend), ...roomFor(stack, phase, backend) };
          const rs = (await synth(stack, over)).export.deployment.resources;
          const k8s = rs.filter(isK8s);

          // The program owns both namespaces: the stack's enforces baseline (warning at restricted),
          // the node agents' enforces privileged, each with its policy version pinned.
          const nss = k8s.filter((r) => r.type === "kubernetes:core/v1:Namespace");
          assert.deepEqual(
            nss.map((n) => n.inputs.metadata.name),
            ["monitoring", "monitoring-agents"],
          );
          const levels = (n: ExportResource) =>
            Object.fromEntries(
              Object.entries(n.inputs.metadata.labels as Record<string, string>).filter(([k]) =>
                k.startsWith("pod-security.kubernetes.io/"),
              ),
            );
          assert.deepEqual(levels(nss[0]), podSecurityLabels("baseline", "restricted"));
          assert.deepEqual(levels(nss[1]), podSecurityLabels("privileged"));
          for (const r of k8s.filter((x) => !nss.includes(x)))
            for (const ns of nss)
              assert.ok(dependsOn(r, ns), `${r.type} ${nameOf(r.urn)} depends on ${ns.inputs.metadata.name}`);

          // Every release and custom resource waits for the release that installs the CRDs.
          const crd = k8s.find(
            (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === CRD_RELEASE,
          );
          assert.ok(crd, "the CRD release exists in every phase");
          const needCrds = k8s.filter(
            (r) =>
              r !== crd &&
              (r.type === "kubernetes:helm.sh/v3:Release" ||
                r.type.split(":")[1].startsWith("monitoring.coreos.com/")),
          );
          assert.ok(needCrds.length > 0);
          for (const r of needCrds)
            assert.ok(dependsOn(r, crd), `${r.type} ${nameOf(r.urn)} depends on the CRD release`);

          // Every resource naming a Secret the program makes depends on that Secret.
          const secrets = k8s.filter((r) => r.type === "kubernetes:core/v1:Secret");
          let edges = 0;
          for (const secret of secrets) {
            // A Secret the program reads (takeover) is named by its ID, `<namespace>/<name>`.
            const name = (
              secret.external ? secret.id!.split("/").pop() : secret.inputs.metadata.name
            ) as string;
            for (const r of k8s.filter((x) => x !== secret && mentions(x.inputs, name))) {
              assert.ok(
                dependsOn(r, secret),
                `${r.type} ${nameOf(r.urn)} uses Secret ${name} and depends on it`,
              );
              edges++;
            }
          }
          // Grafana's admin Secret always has its consumer.
          assert.ok(edges >= 1, "at least one Secret consumer");
        });
      }
    }
  }
});

/**
 * The programs the rendered-object checks model are known by their image as the pack knows an
 * operator (contract isImageOf): the pin's repository, itself or through a registry mirror the stack
 * declares (`imageMirrors`, read from its stack-info ConfigMap), never a trailing path. Production
 * with `chartValues.kube-prometheus-stack.prometheusOperator.image.registry: ghcr.io` and
 * `prometheusOperator.extraArgs: [--log-level=verbose]` was judged by process-args as
 * prometheus-operator v0.93.0 ("prometheus-operator, given the command line [...], refuses
 * --log-level=verbose as it starts"): `ghcr.io/prometheus-operator/prometheus-operator` ends with the
 * pin's path, so its arguments were read against the pin's flag table, and an image at another
 * registry with the config reloader's path was taken not to dial the files it watches
 * (checks/readers.ts). Likewise `chartValues.alloy.image.registry: ghcr.io`: its DaemonSets got
 * Alloy's host paths (/var/log, /var/lib/alloy) from the host-path check and the pack's
 * host-paths-for-agents-only alike.
 */
import { strict as assert } from "assert";
import { encodeStackInfo } from "@homelab-observability/contract";
import { stackInfoConfigMap } from "../../builders/stackInfo";
import { checkProcessArgs } from "../../checks/processArgs";
import { checkHostPaths } from "../../checks/privileges";
import type { K8sObject, Placed } from "../../checks/objects";
import { oneContainer } from "../support/checkCases";
import {
  LINK,
  NS,
  alertmanagerConfig,
  alertmanagerPod,
  holding,
  podRefusals,
} from "../support/operatorReaders";

const MIRRORS = { "quay.io": "registry.home.lan/quay" };

/**
 * The stack-info ConfigMap as the program writes it (builders/stackInfo.ts, contract
 * encodeStackInfo), recording `mirrors` as the stack's `imageMirrors`.
 */
const mirrorsInfo = (mirrors: Record<string, string>): K8sObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  ...stackInfoConfigMap(
    NS,
    encodeStackInfo({
      cluster: "lab",
      phase: "kps-removed",
      production: false,
      nodePools: [],
      imageMirrors: mirrors,
    }),
  ),
});
const placed = (obj: K8sObject): Placed => ({ obj, urn: "urn:info", source: "stack-info" });

/** Alertmanager's pin, a copy at the declared mirror, at a prefix no mirror declares, and another registry's build. */
const AM = {
  pin: "quay.io/prometheus/alertmanager:v0.28.1",
  mirror: "registry.home.lan/quay/prometheus/alertmanager:v0.28.1",
  undeclared: "registry.home.lan/other/prometheus/alertmanager:v0.28.1",
  elsewhere: "ghcr.io/prometheus/alertmanager:v0.28.1",
};

describe("programs known by their image: the pin's repository or a declared mirror's copy, never a trailing path", () => {
  it("process-args judges the pin and a declared mirror's copy, and no other registry's image of the same path", () => {
    // `-config.file=` is kingpin's unknown short flag `-c`: Alertmanager refuses it and exits 1.
    const judged = (image: string, mirrors?: Record<string, string>) => {
      const pod = oneContainer({
        kind: "StatefulSet",
        name: "am",
        app: "am",
        container: "c",
        image,
        args: ["-config.file=/x"],
        urn: "urn:am",
        source: "release am",
      });
      const report = checkProcessArgs(mirrors ? [pod, placed(mirrorsInfo(mirrors))] : [pod]);
      return { judged: report.judged, refused: report.findings.map((f) => f.message.split(",")[0]) };
    };
    const refused = { judged: 1, refused: ["Alertmanager"] };
    assert.deepEqual(judged(AM.pin), refused);
    assert.deepEqual(judged(AM.mirror, MIRRORS), refused);
    assert.deepEqual(judged(AM.elsewhere), { judged: 0, refused: [] });
    assert.deepEqual(judged(AM.elsewhere, MIRRORS), { judged: 0, refused: [] });
    assert.deepEqual(judged(AM.undeclared, MIRRORS), { judged: 0, refused: [] });
    // The same copy with no mirror declared is an image of registry.home.lan, not quay.io's.
    assert.deepEqual(judged(AM.mirror), { judged: 0, refused: [] });
  });

  /**
   * prometheus-config-reloader dials only its --reload-url: a file it watches (--watched-dir) and
   * does not expand (--config-file) holds no address it connects to (checks/readers.ts isReloader).
   * Any other container seeing the file is held to dial it.
   */
  it("a config reloader is one by its image: another registry's build of the same path dials what it watches", () => {
    const refusals = (image: string, mirrors?: Record<string, string>) => {
      const watcher: K8sObject = {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "watcher", namespace: NS },
        spec: {
          selector: { matchLabels: { app: "watcher" } },
          template: {
            metadata: { labels: { app: "watcher" } },
            spec: {
              containers: [
                {
                  name: "reloader",
                  image,
                  args: ["--watched-dir=/etc/watched", "--reload-url=http://127.0.0.1:9093/-/reload"],
                  volumeMounts: [{ name: "watched", mountPath: "/etc/watched" }],
                },
              ],
              volumes: [{ name: "watched", configMap: { name: "watched" } }],
            },
          },
        },
      };
      const objects = [watcher, holding("ConfigMap", "watched"), ...(mirrors ? [mirrorsInfo(mirrors)] : [])];
      return podRefusals(objects, "watcher");
    };
    const path = "prometheus-operator/prometheus-config-reloader:v0.93.0";
    assert.equal(refusals(`quay.io/${path}`), 0);
    assert.equal(refusals(`registry.home.lan/quay/${path}`, MIRRORS), 0);
    assert.equal(refusals(`ghcr.io/${path}`, MIRRORS), 1);
    assert.equal(refusals(`registry.home.lan/other/${path}`, MIRRORS), 1);
  });

  it("an Alertmanager is one by its image: another registry's build dials the notification templates it sees", () => {
    const refusals = (image: string, mirrors?: Record<string, string>) => {
      const am = alertmanagerPod({ image, args: ["--config.file=/etc/alertmanager/alertmanager.yml"] });
      const files = { "alertmanager.yml": alertmanagerConfig(), "links.tmpl": LINK };
      const objects = [
        am,
        holding("ConfigMap", "alertmanager", files),
        ...(mirrors ? [mirrorsInfo(mirrors)] : []),
      ];
      return podRefusals(objects, "alertmanager");
    };
    assert.equal(refusals(AM.pin), 0);
    assert.equal(refusals(AM.mirror, MIRRORS), 0);
    assert.equal(refusals(AM.elsewhere, MIRRORS), 1);
    assert.equal(refusals(AM.undeclared, MIRRORS), 1);
  });

  it("the host-path check gives an agent's host paths to its image at its registry or a declared mirror, not elsewhere", () => {
    const findings = (image: string, mirrors?: Record<string, string>) => {
      const alloy = oneContainer({
        kind: "DaemonSet",
        name: "alloy",
        app: "alloy",
        container: "alloy",
        image,
        args: [],
        urn: "urn:alloy",
        source: "release alloy",
      });
      const spec = alloy.obj.spec.template.spec;
      spec.volumes = [{ name: "varlog", hostPath: { path: "/var/log" } }];
      spec.containers[0].volumeMounts = [{ name: "varlog", mountPath: "/var/log", readOnly: true }];
      return checkHostPaths(mirrors ? [alloy, placed(mirrorsInfo(mirrors))] : [alloy]).map((f) => f.message);
    };
    const path = "grafana/alloy:v1.12.0";
    const dockerHub = { "docker.io": "registry.home.lan/dockerhub" };
    assert.deepEqual(findings(`docker.io/${path}`), []);
    assert.deepEqual(findings(`registry.home.lan/dockerhub/${path}`, dockerHub), []);
    const [elsewhere, ...rest] = findings(`ghcr.io/${path}`, dockerHub);
    assert.deepEqual(rest, []);
    assert.match(
      elsewhere,
      /mounts the host's \/var\/log: it does not need it as a node agent \(no node agent image\): it runs ghcr\.io\/grafana\/alloy:v1\.12\.0, none of the node agents' images \(docker\.io\/grafana\/alloy, docker\.io\/timberio\/vector, quay\.io\/prometheus\/node-exporter\); an agent is known by its image's repository, at its registry or through a mirror of it the stack declares in its imageMirrors key/,
    );
    assert.equal(findings(`registry.home.lan/dockerhub/${path}`).length, 1);
  });
});

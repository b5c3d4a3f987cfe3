/**
 * A Loki ruler's rule files hold no address Loki dials (checks/readers.ts lokiRuleFile): it parses
 * them as rule groups (grafana/loki v3.7.6 pkg/ruler/grouploader.go:29-59), evaluates their LogQL
 * and sends their labels and annotations in the alerts; a link in an annotation is the reader's to
 * click. staging with a rule file mounted in the ruler's directory (/etc/loki/rules/fake, beside the
 * program's) whose `annotations.runbook_url` is http://grafana.monitoring.svc.cluster.local/d/x
 * failed with network.egress: enforced (exit 1, "[network-egress] StatefulSet monitoring/loki
 * (release loki): http://grafana...: no egress rule of monitoring/loki lets ... out to Deployment
 * monitoring/grafana on port 3000"), and a link to a Service the stack lacks was an address
 * finding. What Loki does dial from its files still counts: a file outside its local rule store,
 * one its config or flags name, and every file where the store is not known.
 */
import { strict as assert } from "assert";
import { checkAddresses } from "../../checks/addresses";
import { operatorObjects, type K8sObject, type Placed } from "../../checks/objects";
import { lokiReadingConfig } from "../support/checkCases";
import { ADDRESS, NS, holding, podRefusals } from "../support/operatorReaders";

const rules = (url: string) =>
  `groups:\n- name: extra\n  rules:\n  - alert: LinesDropped\n    expr: 'sum(rate({job="x"} |= "dropped" [5m])) > 1'\n    annotations:\n      runbook_url: ${url}\n`;
/** The loki chart's ruler storage as the program sets it (builders/logging/lokiValues.ts rulerConfig). */
const LOCAL = "ruler:\n  storage:\n    type: local\n    local:\n      directory: /etc/loki/rules\n";

/** Loki with `config`, and ConfigMap `rules` (its extra.yaml linking to `url`) mounted at `mountPath`. */
function loki(
  config: string,
  mountPath = "/etc/loki/rules/fake",
  args: string[] = [],
  url = `http://${ADDRESS}`,
) {
  const pod = lokiReadingConfig("docker.io/grafana/loki:3.7.6", args);
  const spec = pod.spec.template.spec;
  spec.volumes.push({ name: "rules", configMap: { name: "rules" } });
  spec.containers[0].volumeMounts.push({ name: "rules", mountPath });
  return [
    pod,
    holding("ConfigMap", "loki", { "config.yaml": config }),
    holding("ConfigMap", "rules", { "extra.yaml": rules(url) }),
  ];
}

describe("network policies: a link in a Loki ruler's rule file is not its connection", () => {
  it("a rule file in a tenant's folder of the ruler's local store holds no address Loki dials", () => {
    assert.equal(podRefusals(loki(LOCAL), "loki"), 0);
    const thanos = `storage_config:\n  use_thanos_objstore: true\nruler_storage:\n  backend: local\n  local:\n    directory: /etc/loki/rules\n`;
    assert.equal(podRefusals(loki(thanos), "loki"), 0);
  });

  it("a file outside the store's tenant folders, or a store not local, is still dialled", () => {
    assert.equal(podRefusals(loki(LOCAL, "/etc/loki/other"), "loki"), 1);
    assert.equal(podRefusals(loki(LOCAL, "/etc/loki/rules"), "loki"), 1);
    assert.equal(podRefusals(loki(LOCAL, "/etc/loki/rules/fake/deeper"), "loki"), 1);
    // With the thanos object store on, Loki reads ruler_storage and ignores ruler.storage
    // (pkg/loki/modules.go:1611-1636).
    assert.equal(podRefusals(loki(`${LOCAL}storage_config:\n  use_thanos_objstore: true\n`), "loki"), 1);
    assert.equal(podRefusals(loki("ruler:\n  storage:\n    type: s3\n"), "loki"), 1);
  });

  it("a rule file its config or a flag names, or a store a flag may move, is still dialled", () => {
    const named = `${LOCAL}runtime_config:\n  file: /etc/loki/rules/fake/extra.yaml\n`;
    assert.equal(podRefusals(loki(named), "loki"), 1);
    assert.equal(
      podRefusals(loki(LOCAL, undefined, ["-ruler.storage.local.directory=/etc/loki/x"]), "loki"),
      1,
    );
    assert.equal(
      podRefusals(loki(LOCAL, undefined, ["-runtime-config.file=/etc/loki/rules/fake/extra.yaml"]), "loki"),
      1,
    );
  });
});

describe("addresses: a link in a Loki ruler's rule file is not resolved", () => {
  it("a runbook link to a Service the stack lacks is no finding in a rule file, and one elsewhere", () => {
    const findings = (objects: K8sObject[]) => {
      const placed: Placed[] = objects.map((obj) => ({ obj, urn: "urn:loki", source: "release loki" }));
      return checkAddresses(placed, operatorObjects(placed)).findings.length;
    };
    const nowhere = `http://nowhere.${NS}.svc.cluster.local:80/runbook`;
    assert.equal(findings(loki(LOCAL, undefined, [], nowhere)), 0);
    assert.equal(findings(loki(LOCAL, "/etc/loki/other", [], nowhere)), 1);
  });
});

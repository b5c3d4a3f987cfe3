/**
 * pod-security-levels on a workload that is no node agent, though its pods ask for the host, names
 * the override that is a cause of it: the key choosing its kind (alloy's `controller.type`), not a
 * key asking for the host beside the program's own host paths (`controller.hostNetwork`), whose
 * removal leaves the pods asking for /var/log and the message standing.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { stackCopy, synthCli, synthMessages } from "../support/helpers";

/** synth of staging with `controller` (YAML lines under alloy's, indented eight spaces): exit, messages and the stack file's lines. */
async function stagingWithAlloyController(
  controller: string,
): Promise<{ status: number | null; messages: string[]; lines: string[] }> {
  const { dir, file } = stackCopy("hosting-kind", "staging");
  const text = fs.readFileSync(file, "utf8").trimEnd();
  fs.writeFileSync(
    file,
    `${text}\n  homelab-observability:chartValues:\n    alloy:\n      controller:\n${controller}`,
  );
  const lines = fs.readFileSync(file, "utf8").split("\n");
  const r = await synthCli("--dir", dir, "--stack", "staging", "--out", path.join(dir, "out"), "--quiet");
  const messages = synthMessages(r, "staging");
  return { status: r.status, messages, lines };
}

/** The lines of a message that name the overrides it follows from. */
const fromLines = (m: string) => m.split("\n").filter((l) => /^ {6}from the stack's chart values /.test(l));

describe("synth: pod-security-levels on a workload that is no node agent names the key choosing its kind", function () {
  this.timeout(120_000);

  it("controller.type deployment beside controller.hostNetwork: the refusal in the agents' namespace is traced to controller.type alone", async () => {
    const { status, messages, lines } = await stagingWithAlloyController(
      "        type: deployment\n        hostNetwork: true\n",
    );
    assert.equal(status, 1, messages.join("\n---\n"));
    const typeLine = lines.indexOf("        type: deployment") + 1;
    // Said on its own or as a place of the message controller.type leads: either way, its cause.
    const m = messages.find((x) => /Namespace "agents-namespace"/.test(x));
    assert.ok(m, messages.join("\n---\n"));
    assert.match(
      m,
      /is no node agent \(only DaemonSets are\), though its pods ask for the host \(hostPath \/var\/log as volume varlog, .*hostNetwork\)|\[pod-security-levels\] kubernetes:core\/v1:Namespace "agents-namespace"/,
    );
    const from = fromLines(m);
    assert.equal(from.length, 1, m);
    assert.match(
      from[0],
      new RegExp(
        `^ {6}from the stack's chart values override chartValues\\.alloy\\.controller\\.type \\(\\S*Pulumi\\.staging\\.yaml:${typeLine}\\): change or remove it in the stack file`,
      ),
    );
    assert.doesNotMatch(from[0], /controller\.hostNetwork/);
  });

  it("controller.hostNetwork on a DaemonSet alloy in a baseline namespace: the refusal still names controller.hostNetwork", async () => {
    const { status, messages, lines } = await stagingWithAlloyController(
      "        type: daemonset\n        hostNetwork: true\n",
    );
    assert.equal(status, 1, messages.join("\n---\n"));
    const hostLine = lines.indexOf("        hostNetwork: true") + 1;
    assert.equal(messages.length, 1, messages.join("\n---\n"));
    const [m] = messages;
    assert.match(
      m,
      /enforces baseline, which refuses the pods of .*DaemonSet "alloy-cluster\/monitoring\/alloy-cluster" \(host paths or host network, asked for by chartValues\.alloy\.controller\.hostNetwork\)/,
    );
    assert.deepEqual(
      fromLines(m).map((l) => l.replace(/ \(\S*Pulumi\.staging\.yaml:(\d+)\)/, " (:$1)")),
      [
        `      from the stack's chart values override chartValues.alloy.controller.hostNetwork (:${hostLine}): change or remove it in the stack file (that clears every place above; the first line's own advice answers pod-security-levels alone, not host-port, pod-security, network-policy, network-egress)`,
      ],
    );
  });
});

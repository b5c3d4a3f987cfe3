import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { PROJECT } from "../../model/names";
import { ROOT, stackCopy, synth } from "../support/helpers";
import { againstChecks } from "../support/changeStates";
import { shownFile } from "../../config/paths";

/**
 * The refusal of Grafana's admin password source replaced (change/grafanaAdmin.ts) where either
 * side is the operator's Secret that `takeover.secrets.grafanaAdmin` names, which the program reads
 * and never writes: the key's move is said with both names and its line, and the Secret the update
 * is said to write is one it writes (the program's own), never the operator's.
 */
describe("change check: Grafana's admin Secret named by takeover.secrets.grafanaAdmin replaced (--against)", function () {
  this.timeout(240000);
  const { write, check } = againstChecks("grafana-admin-existing");
  const adminLine = (text: string) => text.split("\n").find((l) => l.startsWith("REFUSED Grafana admin"));
  const file = parse(fs.readFileSync(path.join(ROOT, "Pulumi.takeover.yaml"), "utf8")).config;
  const block = file[`${PROJECT}:takeover`];
  /** The takeover block with its Grafana admin Secret `secret`, or without one. */
  const takeoverWith = (secret?: string) => {
    const secrets = { ...block.secrets };
    delete secrets.grafanaAdmin;
    return { takeover: { ...block, secrets: secret ? { ...secrets, grafanaAdmin: secret } : secrets } };
  };

  it("the key naming another Secret: one refusal naming the key at its line, both Secrets, and what Grafana reads", async () => {
    const previous = write((await synth("takeover")).export, "credentials");
    const copy = stackCopy("grafana-admin-existing", "takeover");
    const text = fs.readFileSync(copy.file, "utf8");
    const line = text.split("\n").findIndex((l) => l.includes("grafanaAdmin: grafana-admin-credentials")) + 1;
    assert.ok(line > 0, "the stack file names the operator's Secret");
    fs.writeFileSync(
      copy.file,
      text.replace("grafanaAdmin: grafana-admin-credentials", "grafanaAdmin: grafana-admin-other"),
    );
    const r = await copy.against(previous);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const refused = adminLine(r.stdout);
    assert.ok(refused, r.stdout);
    assert.ok(
      refused.startsWith(
        `REFUSED Grafana admin password existing -> existing: takeover.secrets.grafanaAdmin (${shownFile(copy.file)}:${line}) names grafana-admin-other where it named grafana-admin-credentials. `,
      ),
      refused,
    );
    // The program only reads the operator's Secrets: the update writes neither of them.
    assert.doesNotMatch(refused, /the update writes/);
    assert.match(
      refused,
      /Grafana reads it from Secret monitoring\/grafana-admin-other, which the program reads and never writes/,
    );
    assert.match(
      refused,
      /Keep the source: keep takeover\.secrets\.grafanaAdmin: grafana-admin-credentials\./,
    );
    assert.match(refused, /get secret --namespace monitoring grafana-admin-credentials /);
    assert.match(
      refused,
      /reset-admin-password "\$\(kubectl .* get secret --namespace monitoring grafana-admin-other /,
    );
    assert.match(r.stdout, /; 1 refused \(1 stack-wide, above the objects\)/);
  });

  it("the key dropped: the update writes the new password into the program's own Secret, not the operator's", async () => {
    const previous = write((await synth("takeover")).export, "dropped-before");
    const c = await check("takeover", takeoverWith(), previous);
    const refused = adminLine(c.text);
    assert.ok(refused, c.text);
    assert.match(
      refused,
      /^REFUSED Grafana admin password existing -> onepassword: takeover\.secrets\.grafanaAdmin \(.*\) no longer names grafana-admin-credentials\. /,
    );
    assert.match(refused, /the update writes the new one into Secret monitoring\/grafana-admin\. /);
    assert.doesNotMatch(refused, /writes the new one into Secret monitoring\/grafana-admin-credentials/);
  });

  it("the key set where the program wrote the Secret: Grafana reads the operator's, which the update does not write", async () => {
    const previous = write((await synth("takeover", takeoverWith())).export, "set-before");
    const c = await check("takeover", {}, previous);
    const refused = adminLine(c.text);
    assert.ok(refused, c.text);
    assert.match(
      refused,
      /^REFUSED Grafana admin password onepassword -> existing: takeover\.secrets\.grafanaAdmin \(.*\) now names grafana-admin-credentials\. /,
    );
    assert.match(
      refused,
      /Grafana reads it from Secret monitoring\/grafana-admin-credentials, which the program reads and never writes/,
    );
    assert.doesNotMatch(refused, /the update writes the new one/);
    // Undone with the key unset again: the backend alone is not what moved.
    assert.match(
      refused,
      /Keep the source: keep secrets\.backend onepassword with the same item, and leave takeover\.secrets\.grafanaAdmin unset\./,
    );
  });
});

import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT, stackCopy, synth } from "../support/helpers";
import { againstChecks } from "../support/changeStates";
import { VAULT_ITEMS_DOC, vaultItemsVerdict } from "../../change/vaultItems";
import type { StackExport } from "../../synth/synthesize";

/**
 * Switching `secrets.backend` from onepassword to config drops the generated credentials' items
 * from the program, and deleting an item's resource deletes it from the vault. The program retains
 * them on delete, but the engine reads that from the old state: `--against` refuses the switch
 * once, stack-wide, while the previous state holds items not retained, naming the key with its
 * line, each item, and the update that records the option first.
 */
const ITEM = "onepassword:index/item:Item";
const itemsLine = (text: string) => text.split("\n").find((l) => l.startsWith("REFUSED 1Password items"));

/** `exp` as a state an earlier version recorded: its items carry no retainOnDelete (all, or those titled `only`). */
function recordedBefore(exp: StackExport, only?: string): StackExport {
  const copy = structuredClone(exp);
  for (const r of copy.deployment.resources)
    if (r.type === ITEM && (only === undefined || r.inputs.title === only)) delete r.retainOnDelete;
  return copy;
}

describe("change check: 1Password items deleted by a switch of secrets.backend (--against)", function () {
  this.timeout(180000);
  const { write, check } = againstChecks("vault-items");

  it("onepassword -> config on a state whose items are not retained: refused once, naming secrets.backend at its line, each item and the way through", async () => {
    const previous = write(recordedBefore((await synth("production")).export), "not-retained");
    const c = await check("production", { secrets: { backend: "config" } }, previous);
    const line = itemsLine(c.text);
    assert.ok(line, c.text);
    assert.match(
      line,
      /^REFUSED 1Password items deleted: secrets\.backend \(Pulumi\.production\.yaml:\d+\) changed from onepassword to config\. /,
    );
    assert.ok(
      line.includes(
        `items "production-loki (MinIO)" and "production-mimir (MinIO)" from vault 6qf2homelabvault0000000000:`,
      ),
      line,
    );
    // Each command names the stack checked; the checkout's own, so no other folder.
    assert.match(
      line,
      /run pulumi up --stack production once with this version \(it records retainOnDelete in the state/,
    );
    assert.ok(line.includes("export the state again (pulumi stack export --stack production)"), line);
    assert.ok(line.endsWith(`(${VAULT_ITEMS_DOC})`), line);
    // The other refusal of the same switch is Grafana's admin source (change/grafanaAdmin.ts).
    assert.equal(c.refused, 2, c.text);
    assert.equal(c.code, 1);
  });

  it("silent where nothing leaves the vault: items retained, the backend kept (an item renamed), no 1Password ever", async () => {
    const onepassword = (await synth("production")).export;
    const config = (await synth("production", { secrets: { backend: "config" } })).export;
    const old = recordedBefore(onepassword);
    // The control: the same switch from a state that does not retain them is refused.
    assert.ok(vaultItemsVerdict(old, config));
    // A state that ran this version: its items are retained, so they stay in the vault.
    assert.equal(vaultItemsVerdict(onepassword, config), undefined);
    // The backend stays: an item under another URN (an alias, or a renamed user) is not the switch.
    const renamed = structuredClone(onepassword);
    for (const r of renamed.deployment.resources) if (r.type === ITEM) r.urn = `${r.urn}-renamed`;
    assert.equal(vaultItemsVerdict(old, renamed), undefined);
    // A stack that never used 1Password (staging: secrets.backend config) has no items to lose.
    const staging = (await synth("staging")).export;
    assert.equal(vaultItemsVerdict(staging, staging), undefined);
  });

  it("only the items the previous state does not retain are named", async () => {
    const onepassword = (await synth("production")).export;
    const config = (await synth("production", { secrets: { backend: "config" } })).export;
    const v = vaultItemsVerdict(recordedBefore(onepassword, "production-mimir (MinIO)"), config);
    assert.ok(v);
    assert.match(v.line, /the generated credential's item "production-mimir \(MinIO\)" from vault /);
    assert.ok(!v.line.includes("production-loki"), v.line);
  });

  it("docs/how-to/1password.md: its secrets block, written into Pulumi.production.yaml, is accepted, and the check refuses what the doc says", async () => {
    const doc = fs.readFileSync(path.join(ROOT, "docs/how-to/1password.md"), "utf8");
    const section = doc.slice(doc.indexOf("## Switching to the config backend"));
    const block = /```yaml\n(homelab-observability:secrets:\n[^`]*)```/.exec(section)?.[1];
    assert.ok(block, section);
    const { dir, file, against } = stackCopy("vault-items-doc", "production");
    const stackFile = fs.readFileSync(file, "utf8");
    // The stack file's secrets block (its comments too), replaced by the doc's.
    const old = /\n {2}homelab-observability:secrets:\n(?: {4}.*\n)+/.exec(stackFile)?.[0];
    assert.ok(old !== undefined && old.includes("vault:"), stackFile);
    fs.writeFileSync(file, stackFile.replace(old, `\n${block.replace(/^(?=.)/gm, "  ")}`));
    const previous = path.join(dir, "before.json");
    fs.writeFileSync(previous, JSON.stringify(recordedBefore((await synth("production")).export)));
    const r = await against(previous);
    // Accepted as a stack file (it was refused for the vault and connectUrl the doc left in it), and
    // refused by the change check alone: the items, and Grafana's admin source.
    assert.doesNotMatch(r.stdout + r.stderr, /invalid stack configuration/, r.stdout + r.stderr);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /\nREFUSED 1Password items deleted: secrets\.backend \(/);
    assert.match(r.stdout, /\nREFUSED Grafana admin password onepassword -> generated: /);
    assert.match(r.stdout, /production: FAIL \(exit 1\): the change: 2 refused \(above\)/);
  });

  it("the docs have the section the refusal names", () => {
    const [file, anchor] = VAULT_ITEMS_DOC.split("#");
    const doc = fs.readFileSync(path.join(ROOT, file), "utf8");
    assert.match(doc, new RegExp(`^## ${anchor.replace(/-/g, " ")}$`, "im"));
  });
});

/**
 * The `--against` refusal of a switch of `secrets.backend` from onepassword to config while the
 * previous state holds generated credentials' 1Password items that are not retained on delete.
 * With the onepassword backend the program writes each generated credential (the object store's
 * users and keys) back to the vault as an item (components/secrets/secrets.ts `record`). The switch
 * drops every item from the program, and deleting the resource deletes the vault's item
 * (terraform-provider-onepassword v2.1.2, b942ecfa, internal/provider/onepassword_item_resource.go
 * `Delete` calls `DeleteItem`: Connect's item DELETE, or `op item delete` without `--archive`,
 * internal/onepassword/cli/op.go). The credentials live on in the state and the Secrets; the
 * operator's copy outside the cluster is gone.
 *
 * The program now marks the items `retainOnDelete`, but the engine reads that option from the old
 * state when it deletes (pulumi/pulumi 1b594989 pkg/resource/deploy/step.go DeleteStep.Apply,
 * `s.old.RetainOnDelete`): an item recorded by an earlier version keeps being deleted until one
 * update has run with the option, which writes it into the state without touching the item
 * (pkg/backend/snapshot.go `mustWrite`). A real `pulumi stack export` shows it (`retainOnDelete`);
 * so the refusal lists the items the export does not show retained, and its way through is that
 * update.
 *
 * Not judged: an item deleted while the backend stays onepassword (a renamed or removed object
 * store user takes its credential with it: the item left behind names a user that is gone), and an
 * item kept under another URN by an alias (the engine never deletes it).
 */
import type { ExportResource, StackExport } from "../synth/synthesize";
import { stackKeyAt, type OverridePlace } from "../synth/report";
import { plainValue } from "./describe";
import { listed } from "../model/words";
import type { MoveProject } from "../model/phases";
import { pulumiCommand } from "../config/paths";
import { shellWord } from "../model/running";

/** Where the way through is written down (its heading's anchor). */
export const VAULT_ITEMS_DOC = "docs/how-to/1password.md#switching-to-the-config-backend";

/** The generated items' type and the provider the onepassword backend makes (@1password/pulumi-onepassword 1.1.3 item.js). */
export const ITEM = "onepassword:index/item:Item";
const PROVIDER = "pulumi:providers:onepassword";

/** `"loki (MinIO)"`, or the resource's name where the export hides the title. */
export function itemName(r: ExportResource): string {
  const title = plainValue(r.inputs?.title);
  return typeof title === "string" && title ? JSON.stringify(title) : (r.urn.split("::").pop() ?? r.urn);
}

/**
 * One refusal when the previous export used the onepassword backend, the new state does not, and
 * the update deletes generated items the previous state does not retain. Nothing when the backend
 * stays (the provider is in both), the previous export has no items (config backend, or no object
 * store user), or every item it has is retained. `project`: the stack and project folder its
 * `pulumi` commands run against.
 */
export function vaultItemsVerdict(
  previous: StackExport,
  next: StackExport,
  at?: OverridePlace,
  project?: MoveProject,
): { line: string; refused: true } | undefined {
  const before = previous.deployment.resources;
  const after = next.deployment.resources;
  if (!before.some((r) => r.type === PROVIDER) || after.some((r) => r.type === PROVIDER)) return undefined;
  const kept = new Set(after.map((r) => r.urn));
  const lost = before.filter((r) => r.type === ITEM && !r.external && !r.retainOnDelete && !kept.has(r.urn));
  if (lost.length === 0) return undefined;
  const vaults = [
    ...new Set(lost.map((r) => plainValue(r.inputs?.vault)).filter((v) => typeof v === "string")),
  ];
  const where = vaults.length === 1 ? ` from vault ${String(vaults[0])}` : " from the vault";
  const one = lost.length === 1;
  const pulumi = (command: string) =>
    `${pulumiCommand(project?.dir)} ${command}${project ? ` --stack ${shellWord(project.stack)}` : ""}`;
  return {
    line:
      `REFUSED 1Password items deleted: ${stackKeyAt("secrets.backend", at)} changed from onepassword to config. ` +
      `The update deletes the generated credential${one ? "'s item" : "s' items"} ${listed(lost.map(itemName))}${where}: ` +
      `the previous state does not retain ${one ? "it" : "them"} on delete (recorded before the program marked them retainOnDelete), and deleting the resource deletes the vault's item. ` +
      `The credentials live on in the Pulumi state and the Kubernetes Secrets; the vault's copy would be gone. ` +
      `Keep ${one ? "it" : "them"}: with secrets.backend onepassword, run ${pulumi("up")} once with this version (it records retainOnDelete in the state and changes no item), export the state again (${pulumi("stack export")}), and then switch: ` +
      `the items stay in the vault, no longer updated (${VAULT_ITEMS_DOC})`,
    refused: true,
  };
}

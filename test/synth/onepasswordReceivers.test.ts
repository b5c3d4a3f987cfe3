import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { RECEIVER_TYPES } from "../../upstream/alertmanagerReceivers";
import { ROOT, synthCli, tmpDir } from "../support/helpers";

/*
 * docs/how-to/alert-receivers.md: with `secrets.backend: onepassword` each receiver's credential is
 * the field of its item named as the credential. Offline the synthesis reads no vault: its stand-in
 * items (synth/mocks.ts) must hold every field the program asks of one, or a valid stack is refused
 * with a message about a vault nobody read.
 */

describe("synth: 1Password receivers offline (synth/mocks.ts)", function () {
  this.timeout(60000);

  it("production with a receiver of every type synthesizes: no refusal naming a field of a vault it never read", async () => {
    const dir = tmpDir("onepassword-receivers");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const doc = parse(fs.readFileSync(path.join(ROOT, "Pulumi.production.yaml"), "utf8"));
    const receivers = RECEIVER_TYPES.map((type) => ({
      name: `r-${type}`,
      type,
      ...(type === "email"
        ? {
            to: "ops@example.net",
            from: "am@example.net",
            smarthost: "smtp.example.net:587",
            auth_username: "am",
          }
        : {}),
      ...(type === "telegram" ? { chat_id: 1 } : {}),
    }));
    const key = "homelab-observability:alerting";
    doc.config[key] = { ...(doc.config[key] ?? {}), receivers };
    fs.writeFileSync(path.join(dir, "Pulumi.production.yaml"), stringify(doc));
    const r = await synthCli(
      "--stack",
      "production",
      "--dir",
      dir,
      "--out",
      tmpDir("out"),
      "--no-render",
      "--quiet",
    );
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stderr, /has no field/);
  });
});

import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT, synthCli, tmpDir } from "../support/helpers";

/**
 * docs/how-to/move-to-garage.md step 4 on production (secrets.backend onepassword): the admin token
 * comes from the item secrets.items.garageAdmin, field `credential`. The offline synthesis stands
 * in for 1Password and must answer that field as it answers the others.
 */
describe("move to Garage on a 1Password stack, offline (audit 16)", function () {
  this.timeout(120000);
  it("synthesizes production switched to Garage (the admin token's `credential` field read from 1Password)", async () => {
    const dir = tmpDir("audit16-garage");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const file = fs.readFileSync(path.join(ROOT, "Pulumi.production.yaml"), "utf8");
    const garage = file.replace(
      /^ {2}homelab-observability:objectStore:\n(?: {4}.*\n)+/m,
      [
        "  homelab-observability:objectStore:",
        "    type: garage",
        "    endpoint: http://garage.storage.svc.cluster.local:3900",
        "    adminEndpoint: http://localhost:3903",
        "    region: garage",
        "    bucketPrefix: production",
        "",
      ].join("\n"),
    );
    assert.notEqual(garage, file, "production's objectStore block");
    fs.writeFileSync(path.join(dir, "Pulumi.production.yaml"), garage);
    const r = await synthCli(
      "--dir",
      dir,
      "--stack",
      "production",
      "--quiet",
      "--no-render",
      "--out",
      path.join(dir, "out"),
    );
    assert.doesNotMatch(r.stderr + r.stdout, /unexpected error/);
    assert.equal(r.status, 0, r.stderr + r.stdout);
  });
});

/**
 * Quantities the API server takes but a stack file refuses ("+16Gi", "1e3", a sign or an
 * exponent, contract/quantity.ts STACK_FILE_QUANTITY): the message spells out the form a stack
 * file takes, so a value Kubernetes would accept does not read as wrongly refused.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../support/helpers";
import { refusal } from "../support/stackText";

const staging = fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8");

describe("a quantity in a form only the API server takes", () => {
  for (const [key, from, to] of [
    ["memory", "      memory: 16Gi\n", '      memory: "+16Gi"\n'],
    ["memory", "      memory: 16Gi\n", '      memory: "1e3"\n'],
    ["cpu", '      cpu: "4"\n', '      cpu: "+4"\n'],
    ["cpu", '      cpu: "4"\n', '      cpu: "4e0"\n'],
  ])
    it(`${to.trim()} names the form a stack file takes: no sign or exponent`, () => {
      const e = refusal(staging.replace(from, to));
      const mine = e.problems.filter((p) => p.startsWith(`homelab-observability:nodePools[0].${key}:`));
      assert.equal(mine.length, 1, e.message);
      assert.match(mine[0], /digits, an optional fraction and .*unit.*no sign or exponent/, e.message);
    });
});

describe("a quantity of zero, in a form the stack file takes", () => {
  // "0Gi" and "0" match the digits-and-unit form the message spells out: the rule they break is the
  // one above zero, which the message must say, or nothing in it tells what to change.
  for (const [key, from, to] of [
    ["memory", "      memory: 16Gi\n", "      memory: 0Gi\n"],
    ["cpu", '      cpu: "4"\n', '      cpu: "0"\n'],
  ])
    it(`${to.trim()} is refused as not above zero`, () => {
      const e = refusal(staging.replace(from, to));
      const mine = e.problems.filter((p) => p.startsWith(`homelab-observability:nodePools[0].${key}:`));
      assert.equal(mine.length, 1, e.message);
      assert.match(mine[0], /expected a Kubernetes quantity above zero like/, e.message);
    });
});

describe("a CPU count written with a word or a blank", () => {
  // A CPU quantity's "m" is a thousandth and its "M" a million: the byte units a memory value is
  // offered never fit it ("4000 m" was offered "4000Mi", four billion CPUs).
  for (const [to, meant] of [
    ["4000 m", "4000m"],
    ["4 cores", "4"],
    ["2 vCPU", "2"],
    ["500 millicores", "500m"],
  ])
    it(`cpu: ${to} is offered "${meant}"`, () => {
      const e = refusal(staging.replace('      cpu: "4"\n', `      cpu: ${to}\n`));
      const mine = e.problems.filter((p) => p.startsWith("homelab-observability:nodePools[0].cpu:"));
      assert.equal(mine.length, 1, e.message);
      assert.ok(
        mine[0].endsWith(`, got string ${JSON.stringify(to)}; did you mean ${JSON.stringify(meant)}?`),
        mine[0],
      );
    });
});

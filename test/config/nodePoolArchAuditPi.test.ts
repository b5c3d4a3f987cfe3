/**
 * A pool of 32-bit ARM nodes (`arch: arm`, `armv7`, `armv7l`) is another machine, not arm64
 * misspelt: the refusal says what it is and what to do (a 64-bit OS, then arm64), offers no "did
 * you mean arm64" (which `arm`, its prefix, drew), and the rules between keys do not read it as
 * arm64.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../support/helpers";
import { P, refusal } from "../support/stackText";

const piWith = (arch: string) =>
  refusal(fs.readFileSync(path.join(ROOT, "Pulumi.pi.yaml"), "utf8").replace("arch: arm64", `arch: ${arch}`));

describe("config: a node pool of 32-bit ARM (audit hPi)", () => {
  for (const arch of ["arm", "armv7", "armv7l", "armhf"]) {
    it(`arch: ${arch} is named 32-bit ARM with the way to arm64, not read as arm64`, () => {
      const e = piWith(arch);
      const line = e.problems.find((p) => p.startsWith(`${P("nodePools[0].arch")}:`));
      assert.ok(line, e.message);
      assert.match(
        line,
        new RegExp(
          `expected one of amd64 \\| arm64, got string "${arch}"; "${arch}" is 32-bit ARM \\(kubernetes.io/arch "arm"\\), which nodePools and the arm64-images policy do not model .*set "arm64"; otherwise install a 64-bit OS`,
        ),
      );
      assert.ok(!line.includes("did you mean"), line);
      assert.ok(!e.notes.some((n) => n.includes(`"${arch}" as "arm64"`)), e.notes.join("\n"));
    });
  }
  it("aarch64 keeps its uname -m hint", () => {
    const line = piWith("aarch64").problems.find((p) => p.startsWith(`${P("nodePools[0].arch")}:`));
    assert.match(line ?? "", /did you mean "arm64"\? \(`uname -m` prints "aarch64"/);
  });
});

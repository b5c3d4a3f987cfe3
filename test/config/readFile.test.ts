import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { checkedStackConfig } from "../../config/stackCheck";
import { readFailure } from "../../config/readFile";
import { readPackConfig } from "../../synth/pack";
import { stackProject } from "../support/stackText";

/** The message of what `run` throws. */
function thrown(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    return (e as Error).message;
  }
  return assert.fail("the file was read");
}

/**
 * Puts `make`'s kind of unreadable file at `file`. (A missing stack file is told apart before any
 * read, naming the stack: config/stackFile.ts; a missing pack config: test/cli/packConfigAudit.test.ts.)
 */
const KINDS: [name: string, make: (file: string) => void, says: string][] = [
  [
    "a folder",
    (f) => {
      fs.rmSync(f, { force: true });
      fs.mkdirSync(f);
    },
    "it is a folder, not a file; name the file itself",
  ],
  [
    "not UTF-8 (Latin-1 text)",
    (f) => fs.writeFileSync(f, Buffer.from([0x63, 0x6f, 0x6e, 0x66, 0x69, 0x67, 0x3a, 0x20, 0xe9, 0x0a])),
    "not UTF-8 text; save it as UTF-8",
  ],
];

describe("a stack file or a policy pack config that cannot be read: one wording wherever it is read", () => {
  for (const [name, make, says] of KINDS)
    it(`${name}: the file, the reason in words and what to do, the same from the stack check and the pack config`, () => {
      const dir = stackProject("");
      const stack = path.join(dir, "Pulumi.s.yaml");
      make(stack);
      const pack = path.join(dir, "pack.json");
      make(pack);
      const fromStack = thrown(() => checkedStackConfig(dir, "s", {}, { allowAbsentSecrets: true }));
      const fromPack = thrown(() => readPackConfig(pack));
      assert.equal(fromStack, `cannot read ${stack}: ${says}`);
      assert.equal(fromPack, `cannot read ${pack}: ${says}`);
    });

  it("no permission (root reads anything, so the error is the one fs gives): the reason in words, no errno text", () => {
    const e = Object.assign(new Error("EACCES: permission denied, open '/x/Pulumi.s.yaml'"), {
      code: "EACCES",
    });
    assert.equal(
      readFailure("/x/Pulumi.s.yaml", e),
      "cannot read /x/Pulumi.s.yaml: permission denied; give this user read access to it (chmod u+r, or to each folder on its path u+x)",
    );
  });

  it("an error without words of its own: the system's reason without its code and the path it repeats", () => {
    const e = Object.assign(new Error("EMFILE: too many open files, open '/x/a.json'"), { code: "EMFILE" });
    assert.equal(
      readFailure("/x/a.json", e),
      "cannot read /x/a.json: too many open files; check the file and its path",
    );
  });
});

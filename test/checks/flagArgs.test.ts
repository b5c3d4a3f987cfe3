/**
 * A container's `-flag=value` arguments as Go's flag package reads them (checks/writtenPaths.ts
 * flagsOf and flagPairs): the one reading every check of a component's flags shares.
 */
import { strict as assert } from "assert";
import { flagPairs, flagsOf } from "../../checks/writtenPaths";

describe("checks: a container's -flag=value arguments, as Go's flag package reads them", () => {
  it("takes everything after the first '=' as the value, newlines included, and the last repeat", () => {
    const flags = flagsOf(["-config.file=/etc/loki/a.yaml\n", "--target=read=x", "-target=all"]);
    assert.equal(flags.get("config.file"), "/etc/loki/a.yaml\n");
    assert.equal(flags.get("target"), "all");
  });

  it("lists every pair with repeats only when every argument is of the -flag=value form", () => {
    assert.deepEqual(flagPairs(["-rule.templates=/a/*.tpl", "-rule.templates=/b/*.tpl", "--x=1\n2"]), [
      ["rule.templates", "/a/*.tpl"],
      ["rule.templates", "/b/*.tpl"],
      ["x", "1\n2"],
    ]);
    assert.deepEqual(flagPairs(undefined), []);
    // A value in the next argument, a bare boolean, a name Go refuses (`---x`, `-=x`): not known.
    for (const args of [["-config.file", "/etc/a"], ["-envflag.enable"], ["---x=1"], ["-=x"], [3]])
      assert.equal(flagPairs(args), undefined, JSON.stringify(args));
  });
});

/**
 * A Loki or Mimir container's flags as Go's flag package reads them (checks/writtenPaths.ts
 * engineFlags and flagPairs over upstream/goflag.ts): the one reading every check of an engine's
 * flags shares. They were read as `-flag=value` pairs only, so `-config.file /etc/a.yaml` left the
 * config file unknown and `-target read` left Mimir's target at `all`.
 */
import { strict as assert } from "assert";
import { engineFlags, engineFlagSet, flagPairs } from "../../checks/writtenPaths";

describe("checks: an engine container's flags, as Go's flag package reads them", () => {
  const flags = (...args: string[]) => engineFlags({ args }, "loki");

  it("takes everything after the first '=' as the value, newlines included, and the last repeat", () => {
    const read = flags("-config.file=/etc/loki/a.yaml\n", "--target=read=x", "-target=all");
    assert.equal(read.flags.get("config.file"), "/etc/loki/a.yaml\n");
    assert.equal(read.flags.get("target"), "all");
  });

  it("takes a value flag's value from the next argument, and a bare boolean as true", () => {
    const read = flags("-config.expand-env", "-config.file", "/etc/loki/a.yaml", "--target", "read");
    assert.equal(read.unread, undefined);
    assert.equal(read.flags.get("config.file"), "/etc/loki/a.yaml");
    assert.equal(read.flags.get("target"), "read");
    assert.equal(read.flags.get("config.expand-env"), "true");
    // Mimir's flags from its reference: -target takes the next argument there too.
    assert.equal(engineFlags({ args: ["-target", "ingester"] }, "mimir").flags.get("target"), "ingester");
  });

  it("reads no flag after `--` or the first argument that is not one, nor under a command that is not the binary", () => {
    assert.equal(flags("-target=read", "--", "-target=write").flags.get("target"), "read");
    assert.equal(flags("-target=read", "x", "-target=write").flags.get("target"), "read");
    assert.equal(
      engineFlags({ command: ["/usr/bin/loki"], args: ["-target=read"] }, "loki").flags.get("target"),
      "read",
    );
    assert.match(
      engineFlags({ command: ["sh", "-c"], args: ["-target=read"] }, "loki").unread ?? "",
      /not the engine's binary/,
    );
  });

  it("does not guess: a bare flag it does not list, or a command line Go refuses, leaves the flags unknown", () => {
    assert.match(flags("-some.hidden-flag", "-target=read").unread ?? "", /depends on its type/);
    assert.match(flags("-config.file").unread ?? "", /flag needs an argument: -config.file/);
    assert.match(flags("---x=1").unread ?? "", /bad flag syntax/);
    assert.equal(flags("-config.file").flags.size, 0);
  });

  it("lists every pair with repeats only when the arguments are read whole as flags", () => {
    const loki = engineFlagSet("loki");
    assert.deepEqual(flagPairs(["-ruler.storage.type=local", "-ruler.storage.type=s3", "--x=1\n2"], loki), [
      ["ruler.storage.type", "local"],
      ["ruler.storage.type", "s3"],
      ["x", "1\n2"],
    ]);
    assert.deepEqual(flagPairs(["-config.file", "/etc/a"], loki), [["config.file", "/etc/a"]]);
    assert.deepEqual(flagPairs(undefined, loki), []);
    // With no table (vmalert's), a bare flag is not known; nor is an argument after the flags.
    const none = { flags: {}, partial: true };
    for (const args of [
      ["-config.file", "/etc/a"],
      ["-envflag.enable"],
      ["---x=1"],
      ["-=x"],
      [3],
      ["-a=1", "b"],
    ])
      assert.equal(flagPairs(args, none), undefined, JSON.stringify(args));
  });
});

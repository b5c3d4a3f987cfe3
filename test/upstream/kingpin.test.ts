import { strict as assert } from "assert";
import { CONFIG_RELOADER_FLAGS, kingpinArgs } from "../../upstream/kingpin";

/**
 * prometheus-config-reloader parses its arguments with kingpin v2.4.0, not Go's flag package: the
 * reloader's `--config-file` was read as `-flag=value` pairs only, so `--config-file value` left it
 * unknown and `-config-file=value`, which kingpin refuses, was read as given. Each expectation below
 * is what kingpin v2.4.0 answered, run with the reloader's flags as its main.go declares them.
 */
describe("kingpin's reading of prometheus-config-reloader's arguments (upstream/kingpin.ts)", () => {
  const read = (...args: string[]) => kingpinArgs(args, CONFIG_RELOADER_FLAGS);
  const flag = (name: string, ...args: string[]) => {
    const r = read(...args);
    assert.ok("flags" in r, JSON.stringify(r));
    return r.flags.get(name);
  };

  it("takes --flag=value and --flag value alike, the value after the first =, a lone - as empty", () => {
    assert.deepEqual(flag("config-file", "--config-file=/a"), ["/a"]);
    assert.deepEqual(flag("config-file", "--config-file", "/a"), ["/a"]);
    assert.deepEqual(flag("config-file", "--config-file=/a=b"), ["/a=b"]);
    assert.deepEqual(flag("config-file", "--config-file="), [""]);
    assert.deepEqual(flag("config-file", "--config-file", "-"), [""]);
    assert.deepEqual(flag("config-file", "--config-file=@x"), ["@x"]);
    assert.deepEqual(flag("config-file", "--config-file", "--", "/a"), ["/a"]);
    assert.equal(flag("config-file", "--reload-url", "http://x"), undefined);
  });

  it("takes --flag and --no-flag for a boolean, refuses --flag=value for one and --no- for any other", () => {
    assert.deepEqual(flag("version", "--version"), ["true"]);
    assert.deepEqual(flag("version", "--no-version"), ["false"]);
    assert.deepEqual(read("--version=false"), { refused: "unexpected false" });
    assert.deepEqual(read("--no-config-file"), { refused: "unknown long flag '--no-config-file'" });
  });

  it("refuses single-dash long flags, unknown flags, a missing value, a repeat and a stray argument", () => {
    assert.deepEqual(read("-config-file=/a"), { refused: "unknown short flag '-c'" });
    assert.deepEqual(read("-config-file", "/a"), { refused: "unknown short flag '-c'" });
    assert.deepEqual(read("-h"), { refused: "unknown short flag '-h'" });
    assert.deepEqual(read("--unknown=1"), { refused: "unknown long flag '--unknown'" });
    assert.deepEqual(read("--config-file"), { refused: "expected argument for flag '--config-file'" });
    assert.deepEqual(read("--config-file", "--watched-dir=/x"), {
      refused: "expected argument for flag '--config-file'",
    });
    assert.deepEqual(read("--config-file", "--"), { refused: "expected argument for flag '--config-file'" });
    assert.deepEqual(read("--config-file=/a", "--config-file=/b"), {
      refused: "flag 'config-file' cannot be repeated",
    });
    assert.deepEqual(read("--no-short-version", "--short-version"), {
      refused: "flag 'short-version' cannot be repeated",
    });
    assert.deepEqual(read("stray"), { refused: "unexpected stray" });
    assert.deepEqual(read("--", "--config-file=/a"), { refused: "unexpected --config-file=/a" });
    assert.deepEqual(read("-"), { refused: "unexpected " });
  });

  it("accumulates a Strings() flag (--watched-dir) in order", () => {
    assert.deepEqual(flag("watched-dir", "--watched-dir=/x", "--watched-dir", "/y"), ["/x", "/y"]);
  });

  it("leaves an @file argument unknown: kingpin reads more arguments from that file in the container", () => {
    assert.deepEqual(read("@/etc/args"), { unknown: "@/etc/args" });
    assert.deepEqual(read("--config-file", "@x"), { unknown: "@x" });
  });
});

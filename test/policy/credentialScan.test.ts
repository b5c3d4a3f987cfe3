import { strict as assert } from "assert";
import * as fs from "fs";
import fc from "fast-check";
import { SECRET_SIG_KEY } from "@homelab-observability/contract";
import { CREDENTIAL_WORDS, mayHoldCredential } from "../../policy/credentials";
import { someCandidate, someCandidateByCharacter } from "../../policy/lib/credentialScan";
import {
  assembleCredentialScan,
  formatCredentialScanModule,
  MODULE_FILE,
} from "../../scripts/genCredentialScan";
import { plainCredentialFilter } from "../support/credentialFilter";

// The credential filter's first pass runs in WebAssembly (policy/lib/credentialScan.wat): the
// positions it hands over must be exactly those a character-by-character reading of the same pairs
// finds, wherever a text is long, wide or full of them; and the filter built on it must say what
// the plainest statement of it says (test/support/credentialFilter.ts).

/** Every position `scan` hands over when `at` never accepts one. */
function positions(scan: (text: string, at: (p: number) => boolean) => boolean, text: string): number[] {
  const found: number[] = [];
  scan(text, (p) => {
    found.push(p);
    return false;
  });
  return found;
}

/**
 * Characters that make and break pairs: the pairs' own in both cases, characters above U+00FF
 * whose low byte is one of them (U+0163 is read as `c`, U+0172 as `r`, U+012F as `/`, U+015F as
 * `_`, U+0138 as `8`, U+0164 as `d`), a surrogate pair, and others.
 */
const unit = fc.constantFrom(
  ...'cCrRsSkKeEuU/_:@x9 \n"8dD'.split(""),
  "\u0138",
  "\u0164",
  "\u0163",
  "\u0172",
  "\u012f",
  "\u015f",
  "\u0173",
  "\u0165",
  "\u00e9",
  "\ud83d\ude00",
  "\u4e00",
);
const text = fc.oneof(
  fc.array(unit, { maxLength: 80 }).map((u) => u.join("")),
  fc
    .array(
      fc.oneof(
        unit,
        fc.constantFrom(...CREDENTIAL_WORDS),
        fc.string({ maxLength: 3 }),
        // The signature whole, in another case, and cut (its pair with no signature before it).
        fc.constantFrom(SECRET_SIG_KEY, SECRET_SIG_KEY.toUpperCase(), SECRET_SIG_KEY.slice(1)),
      ),
      {
        maxLength: 30,
      },
    )
    .map((u) => u.join("")),
);

describe("policy (credentials): the WebAssembly scan of the filter's first pass", () => {
  it("is what wabt assembles from policy/lib/credentialScan.wat (npx tsx scripts/genCredentialScan.ts)", async () => {
    const bytes = await assembleCredentialScan();
    assert.equal(
      fs.readFileSync(MODULE_FILE, "utf8"),
      formatCredentialScanModule(bytes),
      "policy/lib/credentialScanModule.ts is stale: run npx tsx scripts/genCredentialScan.ts",
    );
  });

  it("hands over exactly the positions the by-character scan finds, in order (property)", () =>
    fc.assert(
      fc.property(text, (t) => {
        assert.deepEqual(
          positions(someCandidate, t),
          positions(someCandidateByCharacter, t),
          JSON.stringify(t),
        );
      }),
      { numRuns: 3000 },
    ));

  it("reads a text past its out area and its first memory page, with a pair at every step", () => {
    // 300,000 characters: past the first 64 KiB page, and 18,750 steps with a candidate each,
    // more than the out area's 1,024.
    const long = "ss_C//kE".repeat(37_500);
    const found = positions(someCandidate, long);
    assert.equal(found.length, 4 * 37_500);
    assert.deepEqual(found, positions(someCandidateByCharacter, long));
    // A short text after it: nothing of the long one left in memory is taken for its own.
    assert.deepEqual(positions(someCandidate, "x".repeat(40)), []);
    assert.deepEqual(positions(someCandidate, "xx:ss"), [3]);
  });

  it("stops at the first position accepted", () => {
    const seen: number[] = [];
    assert.equal(
      someCandidate("a cr b ss c ke", (p) => {
        seen.push(p);
        return p === 7;
      }),
      true,
    );
    assert.deepEqual(seen, [2, 7]);
  });

  it("hands over a Pulumi secret's signature by its last two characters, and the filter finds it there", () => {
    // The filter reads no text a second time for the signature: the scan's pair is where it ends.
    for (const before of ["", "x", "y".repeat(47), "\u0138".repeat(20)]) {
      const t = `${before}${SECRET_SIG_KEY}`;
      assert.ok(positions(someCandidate, t).includes(before.length + SECRET_SIG_KEY.length - 2), before);
      assert.equal(mayHoldCredential(`${t}: c`), true, before);
      assert.equal(mayHoldCredential(`{"${t}":"v"}`), true, before);
    }
    // Its pair without the signature before it, or the signature in another case: no finding.
    assert.equal(mayHoldCredential(`a ${SECRET_SIG_KEY.slice(1)} 8d`), false);
    assert.equal(mayHoldCredential(SECRET_SIG_KEY.toUpperCase()), false);
  });

  it("finds the same without WebAssembly (node --jitless, --no-expose-wasm)", () => {
    const t = 'x: 1\npassword: "hunter2"\nurl: "https://u:p@h/"\n';
    const withWasm = positions(someCandidate, t);
    const own = Object.getOwnPropertyDescriptor(globalThis, "WebAssembly")!;
    delete (globalThis as any).WebAssembly;
    try {
      assert.equal(typeof WebAssembly, "undefined");
      assert.deepEqual(positions(someCandidate, t), withWasm);
      assert.equal(mayHoldCredential(t), true);
    } finally {
      Object.defineProperty(globalThis, "WebAssembly", own);
    }
  });

  it("the filter says what the plainest statement of it says, wide characters included (property)", () =>
    fc.assert(
      fc.property(text, (t) => {
        assert.equal(mayHoldCredential(t), plainCredentialFilter(t), JSON.stringify(t));
      }),
      { numRuns: 3000 },
    ));
});

import { CREDENTIAL_SCAN_WASM } from "./credentialScanModule";

// The credential filter's first pass (policy/credentials.ts mayHoldCredential): the positions of a
// text where a word of the filter may stand, found 16 characters a step by the WebAssembly module
// of ./credentialScan.wat (where the pairs and the memory's layout are stated). JavaScript reads
// at most a character a step however it searches (a regex, indexOf per needle, a loop by hand:
// policy/credentials.ts says what each cost), and the filter reads every ConfigMap text whole.

/** The out area: steps with a candidate, two i32 each (the step's address, its lane mask). */
const OUT = 16;
const OUT_END = OUT + 8 * 1024;
/** Where a text is copied: after the out area, at a step's alignment. */
const TEXT = OUT_END;
/** Room after a text: the last step reads up to 16 bytes past its end (its 16 and the next byte). */
const TAIL = 32;
const PAGE = 65536;

interface Scanner {
  memory: WebAssembly.Memory;
  scan: (i: number, end: number, out: number, outEnd: number) => number;
  /** Views of `memory.buffer`, made again when the memory grows (growing detaches the old buffer). */
  bytes: Buffer;
  words: Int32Array;
}
let scanner: Scanner | undefined;

function instantiate(): Scanner {
  const module = new WebAssembly.Module(Buffer.from(CREDENTIAL_SCAN_WASM, "base64"));
  const { memory, scan } = new WebAssembly.Instance(module, {}).exports as unknown as Pick<
    Scanner,
    "memory" | "scan"
  >;
  return { memory, scan, bytes: Buffer.from(memory.buffer), words: new Int32Array(memory.buffer) };
}

/**
 * The scanner with room for `length` characters, its views over the memory as it is now. The
 * memory grows to the longest text scanned and stays that size for the process.
 */
function scannerFor(length: number): Scanner {
  const s = (scanner ??= instantiate());
  const need = TEXT + length + TAIL;
  if (need > s.memory.buffer.byteLength) {
    s.memory.grow(Math.ceil((need - s.memory.buffer.byteLength) / PAGE));
    s.bytes = Buffer.from(s.memory.buffer);
    s.words = new Int32Array(s.memory.buffer);
  }
  return s;
}

/**
 * Calls `at` with each position of `text` where one of the filter's words may hold a pair (the
 * .wat lists them: `cr`, `ss`, `ke` and `_u`, `_c` in any case of their letters, `//` and the
 * secret signature's last two characters `8d` as they are), in order, until it returns true;
 * whether one did. A position is where the pair starts: the word starts there or before it
 * (`secret`, `pass` and `token` two before, `://` one, the signature 30), and `at` checks
 * the text itself. Every position a word of the filter holds its pair at is called; others may be
 * too (a character above U+00FF is read by its low byte). `at` must not scan a text itself: the
 * memory holds one text at a time.
 */
export function someCandidate(text: string, at: (position: number) => boolean): boolean {
  const length = text.length;
  if (length < 2) return false;
  // A node without WebAssembly (`--jitless`, `--no-expose-wasm`) finds the same positions slower.
  if (typeof WebAssembly !== "object") return someCandidateByCharacter(text, at);
  const s = scannerFor(length);
  s.bytes.write(text, TEXT, "latin1");
  const end = TEXT + length;
  for (let step = TEXT; step < end;) {
    const out = s.scan(step, end, OUT, OUT_END);
    const words = s.words;
    for (let o = OUT >> 2; o < out >> 2; o += 2) {
      const base = words[o] - TEXT;
      for (let mask = words[o + 1]; mask !== 0; mask &= mask - 1) {
        const position = base + 31 - Math.clz32(mask & -mask);
        // A pair needs the character after it: from the text's last character on, a lane read
        // bytes after the text (left by a longer one, or zero), no pair of this text.
        if (position >= length - 1) break;
        if (at(position)) return true;
      }
    }
    step = words[0];
  }
  return false;
}

/**
 * {@link someCandidate}'s positions read a character a step, as the module reads each byte: the
 * low byte of each code unit, `| 0x20` where the pair's letter may be either case. The scan where
 * a node has no WebAssembly, and what the module is held to in the tests.
 */
export function someCandidateByCharacter(text: string, at: (position: number) => boolean): boolean {
  let b = text.charCodeAt(0) & 0xff;
  for (let p = 0; p + 1 < text.length; p++) {
    const a = b;
    b = text.charCodeAt(p + 1) & 0xff;
    const la = a | 32;
    const lb = b | 32;
    const pair =
      (la === 99 && lb === 114) || // cr
      (la === 115 && lb === 115) || // ss
      (la === 107 && lb === 101) || // ke
      (a === 47 && b === 47) || // //
      (a === 95 && (lb === 117 || lb === 99)) || // _u, _c
      (a === 56 && b === 100); // 8d
    if (pair && at(p)) return true;
  }
  return false;
}

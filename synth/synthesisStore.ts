import type { StackConfigInput } from "./synthesize";

/** What a synthesis is made from: {@link SynthesisStore}'s key material. */
export interface SynthesisInputs {
  /** The project folder the stack file was read from (a takeover's `running` folder is relative to it). */
  projectDir: string;
  stack: string;
  /** The stack file as read, overrides applied (synth/synthesize.ts readStackConfig). */
  cfg: StackConfigInput;
}

/**
 * Gives the synthesis of `inputs`: `compute()`'s, or one kept from an earlier call with the same
 * inputs. It must treat as input everything else the program reads (its sources and data, the
 * chart cache, the environment), or give a stale stack.
 */
export type SynthesisStore = <T>(inputs: SynthesisInputs, compute: () => Promise<T>) => Promise<T>;

/**
 * None in the product: every `npm run synth`, `verify` and change check synthesizes afresh. The
 * test suite sets its fixture cache here while it runs a CLI in process (test/support/helpers.ts
 * withSyntheses; fixtureSyntheses there has the figures). A module of its own, that imports
 * nothing, so that setting it loads nothing.
 */
let store: SynthesisStore | undefined;

/** Sets (or, with undefined, removes) the store synthStack (synth/run.ts) goes through. */
export function setSynthesisStore(s: SynthesisStore | undefined): void {
  store = s;
}

/** The store set, if any. */
export function synthesisStore(): SynthesisStore | undefined {
  return store;
}

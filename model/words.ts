/** How a message lists what it names: the contract's, which the refreshers' messages use too. */
export { listed } from "@homelab-observability/contract";

/** `text` as a regular expression matches it: each character the syntax gives a meaning escaped. */
export const regExpText = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Small counts as a message words them (`two`, `three`); past five, the figure. */
export const countWord = (n: number): string => ["", "", "two", "three", "four", "five"][n] ?? String(n);

/** How a message lists what it names: the contract's, which the refreshers' messages use too. */
export { listed } from "@homelab-observability/contract";

/** `text` as a regular expression matches it: each character the syntax gives a meaning escaped. */
export const regExpText = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

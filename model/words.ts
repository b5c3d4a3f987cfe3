/** How a message lists what it names: the contract's, which the refreshers' messages use too. */
export { listed } from "@homelab-observability/contract";

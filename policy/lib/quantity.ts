// One quantity parser for the program and the pack: the shared contract's.
export { parseQuantity } from "@homelab-observability/contract";

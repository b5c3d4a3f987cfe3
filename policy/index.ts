import * as path from "path";
import { PolicyPack } from "@pulumi/policy";
import { allPolicies } from "./policies";
import { withStackKeyPlaces } from "./lib/stackKeys";

// Constructing the pack starts its gRPC server for the Pulumi CLI, so only this entry point does;
// the offline checker imports `allPolicies` instead (and places the stack keys a message names
// itself). Under the engine the pack places them in the stack file of the folder holding it, the
// project folder of this checkout, when that file holds what was judged (lib/stackKeys.ts).
new PolicyPack("homelab-observability", {
  description: "Stops the configuration mistakes that take a homelab observability stack down.",
  policies: withStackKeyPlaces(allPolicies(), path.dirname(__dirname)),
});

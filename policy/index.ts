import { PolicyPack } from "@pulumi/policy";
import { allPolicies } from "./policies";

// Constructing the pack starts its gRPC server for the Pulumi CLI, so only this entry point does;
// the offline checker imports `allPolicies` instead.
new PolicyPack("homelab-observability", {
  description: "Stops the configuration mistakes that take a homelab observability stack down.",
  policies: allPolicies(),
});

/** The Pulumi project name; config keys are `homelab-observability:<key>`. */
export const PROJECT = "homelab-observability";

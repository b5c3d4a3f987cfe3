import { PROJECT } from "../model/names";

/**
 * The label on every object the program writes itself (charts label their own): what the stack
 * owns is one selector away (`kubectl get ... -l app.kubernetes.io/part-of=homelab-observability`).
 */
export const PART_OF_LABEL = { "app.kubernetes.io/part-of": PROJECT } as const;

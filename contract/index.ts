/**
 * The program-pack contract: what components/ writes and policy/ reads. Both import this package
 * (`@homelab-observability/contract`); components/ never imports policy/ and policy/ never imports
 * components/.
 */
export * from "./quantity";
export * from "./secret";
export * from "./sizing";
export * from "./stackInfo";
export * from "./podSecurity";
export * from "./rendered";
export * from "./privileges";
export * from "./sidecar";
export * from "./exceptions";
export * from "./expansion";
export * from "./image";
export * from "./mistakes";
export * from "./locate";
export * from "./closest";
export * from "./labelSelector";
export * from "./lokiRemoved";
export * from "./lokiCompactor";
export * from "./scheduling";
export * from "./helmHooks";
export * from "./words";
export * from "./vmReloader";
export * from "./template";

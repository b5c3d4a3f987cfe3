/**
 * Names of 32-bit ARM as a stack file may give a pool's `arch`: Kubernetes' and Go's `arm` (the
 * node's kubernetes.io/arch label), `uname -m`'s armv6l/armv7l/armv8l, Debian's armhf/armel and the
 * OCI platform variants (image-spec image-index.md: ARM 32-bit v6, v7 and v8 are architecture
 * `arm`). None is a spelling of arm64: a pool of them is another machine, which the pools and the
 * arm64-images policy do not model, so no "did you mean arm64" is offered for them.
 */
const ARM32 = new Set(["arm", "arm32", "armv6", "armv6l", "armv7", "armv7l", "armv8l", "armhf", "armel"]);

/** Whether a pool's `arch` as given names 32-bit ARM. */
export function isArm32(arch: string): boolean {
  return ARM32.has(
    arch
      .toLowerCase()
      .replace(/^linux\//, "")
      .replace(/\//g, ""),
  );
}

/** What to do about a pool of 32-bit ARM nodes: the hint after "expected one of amd64 | arm64". */
export function arm32Hint(arch: string): string {
  return (
    `; "${arch}" is 32-bit ARM (kubernetes.io/arch "arm"), which nodePools and the arm64-images policy ` +
    `do not model (amd64 and arm64 only). A Raspberry Pi 3, 4 or 5 can run a 64-bit OS: if ` +
    `\`kubectl get nodes -L kubernetes.io/arch\` shows "arm64" (\`uname -m\` "aarch64"), set "arm64"; ` +
    `otherwise install a 64-bit OS (Raspberry Pi OS 64-bit) on the node first`
  );
}

import { strict as assert } from "assert";
import { parseImage } from "../../contract";

/*
 * Image references as a container runtime names them (distribution/reference normalize.go): Docker
 * Hub's implicit registry and `library/` namespace filled in, so one repository is one name however
 * a values file or the pack config spells it (the arm64 list, the pins, the node agents' images).
 */
const DIGEST = `sha256:${"a".repeat(64)}`;
/** Each reference, and `<repository>:<tag>` as parseImage should read it. */
const READ: Record<string, string> = {
  busybox: "docker.io/library/busybox:latest",
  "docker.io/busybox:1.36": "docker.io/library/busybox:1.36",
  // The legacy name of Docker Hub: its official images are under library/ too.
  "index.docker.io/busybox:1.36": "docker.io/library/busybox:1.36",
  "index.docker.io/grafana/grafana:12.3.1": "docker.io/grafana/grafana:12.3.1",
  "myuser/grafana": "docker.io/myuser/grafana:latest",
  [`registry.lan:5000/homelab/grafana:1@${DIGEST}`]: "registry.lan:5000/homelab/grafana:1",
  "localhost/vector": "localhost/vector:latest",
};

describe("contract: parseImage names a repository as Docker's normalization does", () => {
  for (const [ref, read] of Object.entries(READ))
    it(`${ref.replace(DIGEST, "sha256:…")} is ${read}`, () => {
      const { repository, tag } = parseImage(ref);
      assert.equal(`${repository}:${tag}`, read);
    });
});

import { strict as assert } from "assert";
import { config } from "../support/helpers";
import { BASE, P, refusal, STORE } from "../support/stackText";

/*
 * `imageMirrors`: a registry the pins pull from, mapped to the prefix of a mirror (a pull-through
 * cache). A prefix the image reference grammar would not read as a registry is refused at its
 * line, with the form and the value meant where there is one.
 */
const mirrors = (lines: string[]) =>
  `${BASE}${STORE}  ${P("imageMirrors")}:\n${lines.map((l) => `    ${l}\n`).join("")}`;

const FORM =
  'expected a registry mirror prefix: a host (with a "." or a :port, or localhost), an optional :port and an optional /path, no scheme and no trailing "/", like "registry.home.lan/dockerhub"';

describe("config: imageMirrors, a registry mirror prefix per pinned registry", () => {
  it("takes a host with a path, a host with a port and localhost, each registry its own prefix", () => {
    const cfg = config({
      imageMirrors: {
        "docker.io": "registry.home.lan/dockerhub",
        "quay.io": "registry.home.lan:5000",
        "ghcr.io": "localhost/ghcr",
      },
    });
    assert.deepEqual(cfg.imageMirrors, {
      "docker.io": "registry.home.lan/dockerhub",
      "quay.io": "registry.home.lan:5000",
      "ghcr.io": "localhost/ghcr",
    });
    assert.deepEqual(config({}).imageMirrors, {}, "none by default");
  });

  it("refuses a URL with a scheme, a trailing '/' and a first part no host, each at its line with the form, what was found and the prefix meant", () => {
    const e = refusal(
      mirrors([
        "docker.io: https://registry.home.lan/dockerhub",
        "quay.io: registry.home.lan/quay/",
        "ghcr.io: mirror/ghcr",
      ]),
      "lab",
    );
    assert.deepEqual(
      e.problems,
      [
        `${P('imageMirrors["docker.io"]')}: ${FORM} (an image reference names no scheme), got string "https://registry.home.lan/dockerhub"; did you mean "registry.home.lan/dockerhub"? (no scheme)`,
        `${P('imageMirrors["quay.io"]')}: ${FORM} (it ends in "/"), got string "registry.home.lan/quay/"; did you mean "registry.home.lan/quay"? (no trailing "/")`,
        `${P('imageMirrors["ghcr.io"]')}: ${FORM} (its first part "mirror" has no "." or ":port" and is not localhost, so an image named through it is read as Docker Hub's docker.io/mirror/ghcr/…), got string "mirror/ghcr"`,
      ],
      e.message,
    );
    assert.deepEqual(
      e.places.map((p) => p?.line),
      [8, 9, 10],
      e.message,
    );
    assert.match(e.message, /Pulumi\.lab\.yaml:8:/);
  });

  it("refuses a registry no pin pulls from, naming the ones that are, and Docker Hub's other names as docker.io", () => {
    const e = refusal(
      mirrors(["gcr.io: registry.home.lan/gcr", "index.docker.io: registry.home.lan/dockerhub"]),
      "lab",
    );
    assert.deepEqual(
      e.problems,
      [
        `${P('imageMirrors["gcr.io"]')}: unknown key, expected a registry the pinned images are pulled from: docker.io | ghcr.io | quay.io | registry.k8s.io (docs/reference/versions.md)`,
        `${P('imageMirrors["index.docker.io"]')}: unknown key; did you mean "docker.io"? (the pinned images name Docker Hub docker.io, as image references do)`,
      ],
      e.message,
    );
    assert.deepEqual(
      e.places.map((p) => p?.line),
      [8, 9],
      e.message,
    );
  });

  it("refuses a registry mirrored at itself, at its line", () => {
    const e = refusal(mirrors(["quay.io: registry.home.lan/quay", "docker.io: docker.io"]), "lab");
    assert.deepEqual(
      e.problems,
      [
        `${P('imageMirrors["docker.io"]')}: expected a prefix other than the registry itself (the images are named at docker.io without a mirror: leave the key out), got string "docker.io"`,
      ],
      e.message,
    );
    assert.equal(e.places[0]?.line, 9, e.message);
  });

  it("refuses two registries at one prefix, at the second", () => {
    const e = refusal(
      mirrors(["docker.io: registry.home.lan/cache", "quay.io: registry.home.lan/cache"]),
      "lab",
    );
    assert.deepEqual(
      e.problems,
      [
        `${P('imageMirrors["quay.io"]')}: expected a prefix of its own (docker.io is pulled through it too: a name under it could stand for either registry's image, and neither the mirror nor image-pins could tell which), got string "registry.home.lan/cache"`,
      ],
      e.message,
    );
    assert.equal(e.places[0]?.line, 9, e.message);
  });
});

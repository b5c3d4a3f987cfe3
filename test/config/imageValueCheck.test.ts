import { strict as assert } from "assert";
import { imageReferenceProblem, imageValueProblems } from "../../config/imageValueCheck";
import { BASE, P, refusal, STORE } from "../support/stackText";

/*
 * An image reference a chartValues override sets, judged by the image reference grammar
 * (github.com/distribution/reference regexp.go) at config time (issue 51 item 3): Helm rendered
 * `grafana/grafana:12.3.1 ` as written, the image pins compared it trimmed, and the synthesis
 * passed a reference the node refuses to pull.
 */
const overrides = (yaml: string) => `${BASE}${STORE}  ${P("chartValues")}:\n${yaml}`;

describe("config: image references in chartValues, judged by the reference grammar (issue 51)", () => {
  it("refuses a tag with a space at its file:line, with the form, the source and what was found, and the tag meant", () => {
    const e = refusal(overrides(`    grafana:\n      image:\n        tag: "12.3.1 "\n`), "lab");
    assert.deepEqual(
      e.problems,
      [
        `${P("chartValues.grafana.image.tag")}: expected a tag (a letter, digit or '_', then at most 127 letters, digits, '_', '.' or '-'), like "12.3.1" (the image reference grammar, github.com/distribution/reference regexp.go), got string "12.3.1 " (it has spaces around it); did you mean "12.3.1"?`,
      ],
      e.message,
    );
    assert.equal(e.places[0]?.line, 10, e.message);
  });

  it("refuses a reference with no tag after ':', a short digest, a tag holding a digest and a name in capitals, one message each", () => {
    const e = refusal(
      overrides(
        [
          "    grafana:",
          "      image:",
          '        tag: "latest@sha256:abc"',
          "      sidecar:",
          "        image:",
          "          repository: Kiwigrid/k8s-sidecar",
          "      extraContainers:",
          "        - name: a",
          '          image: "busybox:"',
          "        - name: b",
          "          image: docker.io/library/busybox:1.36@sha256:1234",
          "    alloy:",
          "      image:",
          "        digest: sha256:1234",
          "",
        ].join("\n"),
      ),
      "lab",
    );
    assert.deepEqual(
      e.problems.map((p) => p.split(": expected")[0]),
      [
        "chartValues.grafana.image.tag",
        "chartValues.grafana.sidecar.image.repository",
        "chartValues.grafana.extraContainers[0].image",
        "chartValues.grafana.extraContainers[1].image",
        "chartValues.alloy.image.digest",
      ].map(P),
      e.message,
    );
    assert.deepEqual(
      e.places.map((p) => p?.line),
      [10, 13, 16, 18, 21],
    );
    assert.match(
      e.problems[1],
      /got string "Kiwigrid\/k8s-sidecar" \(it has capital letters\); did you mean "kiwigrid\/k8s-sidecar"\?$/,
    );
    assert.match(e.problems[2], /got string "busybox:" \(it has ':' and no tag after it\)$/);
    assert.match(e.problems[3], /\(its digest "sha256:1234" is not sha256: and 64 lowercase hex digits\)$/);
  });

  it("takes what the grammar takes, an empty part (the chart's own) and a template", () => {
    const hex = "a".repeat(64);
    assert.deepEqual(
      imageValueProblems(
        {
          grafana: {
            image: { registry: "registry.lan:5000", repository: "grafana/grafana", tag: "12.3.1", sha: hex },
            downloadDashboardsImage: { repository: "curlimages/curl", tag: "" },
            extraContainers: [
              { image: `docker.io/library/busybox:1.36@sha256:${hex}` },
              { image: "{{ .Values.x }}" },
              { image: "localhost:5000/my_app__x/a-b.c:v1_2" },
            ],
          },
          alloy: { image: { digest: `sha256:${hex}` } },
        },
        "p",
      ),
      [],
    );
  });

  it("takes the forms the pinned charts document: a digest's hex alone where the chart adds sha256: (alloy, vector), a registry with a mirror's path", () => {
    const hex = "a".repeat(64);
    assert.deepEqual(
      imageValueProblems(
        {
          alloy: { image: { digest: hex }, configReloader: { image: { digest: hex } } },
          vector: { image: { digest: hex } },
          grafana: { image: { registry: "harbor.lan:8443/dockerhub", repository: "grafana/grafana" } },
        },
        "p",
      ),
      [],
    );
    // A chart that writes `@<digest>` as given still needs the algorithm, and a registry a valid host.
    assert.deepEqual(
      imageValueProblems(
        {
          "kube-prometheus-stack": { "prometheus-node-exporter": { image: { digest: hex } } },
          grafana: { image: { registry: "harbor.lan/Dockerhub" } },
        },
        "p",
      ).map((p) => p.split(": expected")[0]),
      [
        "p:chartValues.kube-prometheus-stack.prometheus-node-exporter.image.digest",
        "p:chartValues.grafana.image.registry",
      ],
    );
  });

  it("judges no `secure:` value (offline its placeholder, decrypted a secret not to print), and still the plain ones beside it", () => {
    const e = refusal(
      overrides(
        [
          "    grafana:",
          "      image:",
          "        repository:",
          "          secure: AAABAGhlYXJ0YmVhdC11cmwtY2lwaGVydGV4dA==",
          '        tag: "12.3.1 "',
          "      extraContainers:",
          "        - name: a",
          "          image:",
          "            secure: AAABAGhlYXJ0YmVhdC11cmwtY2lwaGVydGV4dA==",
          "",
        ].join("\n"),
      ),
      "lab",
    );
    assert.deepEqual(
      e.problems.map((p) => p.split(": expected")[0]),
      [P("chartValues.grafana.image.tag")],
      e.message,
    );
    assert.doesNotMatch(e.message, /synth-secret/);
    // The program's run: the CLI marks chartValues secret when a value under it is `secure:`.
    const secret = "Registry.Example/Private:1";
    assert.deepEqual(
      imageValueProblems({ grafana: { extraContainers: [{ image: secret }] } }, "p", undefined, () => true),
      [],
    );
  });

  it("names the part of a whole reference that fails, and hints only a reference that would pass", () => {
    assert.equal(imageReferenceProblem("grafana/grafana:12.3.1"), undefined);
    assert.equal(imageReferenceProblem("grafana/grafana:12.3.1 "), "it has spaces around it");
    assert.equal(
      imageReferenceProblem("Docker.io/Library/Busybox:1.36"),
      'its name "Docker.io/Library/Busybox" has capital letters',
    );
    const [p] = imageValueProblems(
      { grafana: { extraContainers: [{ image: "Docker.io/Library/Busybox:1.36" }] } },
      "p",
    );
    assert.match(p, /; did you mean "Docker\.io\/library\/busybox:1\.36"\?$/);
    assert.equal(
      imageValueProblems(
        { grafana: { extraContainers: [{ image: p.replace(/.*did you mean "|"\?$/g, "") }] } },
        "p",
      ).length,
      0,
    );
  });
});

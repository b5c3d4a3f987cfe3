import { imagePinProblems } from "../../config/chartPins";
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { PROJECT } from "../../config/resolve";
import { placedFrom } from "../../checks";
import { checkImageDigests, imageUses } from "../../checks/imageDigests";
import { synthStack } from "../../synth/run";
import { DIGEST_FORM, imageString, imageValues, versions, type ImageRef } from "../../model/versions";
import { ROOT } from "../support/helpers";
import { cached, cacheKey } from "../support/fixtureCache";
import {
  renderStack,
  stackFileVariants,
  variant,
  VM_CLUSTER_VARIANT,
  type Variant,
} from "../support/rendered";

type MutableImages = Record<string, { digest?: string }>;
const images = versions.images as unknown as MutableImages;

/** A digest per pin, made up and distinct (sha256 of its name): no registry is reachable here. */
const fakeDigest = (name: string) => `sha256:${crypto.createHash("sha256").update(name).digest("hex")}`;

/** A Deployment of one container running `image`, as the rendered-object checks take it. */
const running = (image: string) => [
  {
    urn: "urn:x",
    source: "release grafana",
    obj: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "grafana", namespace: "monitoring" },
      spec: { template: { spec: { containers: [{ name: "c", image }] } } },
    },
  },
];

/** The line of versions.images.grafana's `grafana: {` in model/versions.ts (its chart's is one line). */
const grafanaLine = () =>
  fs
    .readFileSync(path.join(ROOT, "model/versions.ts"), "utf8")
    .split("\n")
    .findIndex((l) => /^\s*grafana: \{$/.test(l)) + 1;

describe("image digests: model/versions.ts's digest reaches every container it pins", function () {
  this.timeout(300_000);

  it("a pin's digest, when present, takes the OCI form sha256:<64 hex>", () => {
    for (const [name, i] of Object.entries(versions.images) as [string, ImageRef][])
      if (i.digest !== undefined) assert.match(i.digest, DIGEST_FORM, `versions.images.${name}.digest`);
    assert.ok(!DIGEST_FORM.test("sha256:abc"), "the form check can fail");
  });

  it("a pin's digest not of that form is one problem on the pin, naming its line and the form, judged with the chart pins and not per rendered container", () => {
    const saved = images.grafana.digest;
    const short = `sha256:${"a".repeat(63)}`;
    images.grafana.digest = short;
    try {
      const pin = versions.images.grafana as ImageRef;
      assert.deepEqual(imagePinProblems(), [
        `model/versions.ts:${grafanaLine()}: images.grafana.digest: expected sha256:<64 lowercase hex digits> (the OCI image spec's algorithm:encoded), got "${short}", which no registry resolves; write the digest \`crane digest docker.io/grafana/grafana:${pin.tag}\` prints (or remove it: Renovate's pinDigests writes it)`,
      ]);
      // The rendered check says nothing more of it: each stack that runs the image would repeat it.
      const r = checkImageDigests(running(imageString(pin)).concat(running(imageString(pin))));
      assert.deepEqual(
        r.findings.filter((f) => f.message.includes("digest:")),
        [],
      );
    } finally {
      if (saved === undefined) delete images.grafana.digest;
      else images.grafana.digest = saved;
    }
  });

  it("no floating tags: every pin names a full major.minor.patch release (a variant suffix, or an image's name before it, allowed)", () => {
    // `config-reloader-v0.66.0`: the VictoriaMetrics operator publishes its reloader as a tag of its own repository.
    const full = /^([a-z][a-z-]*-)?v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
    for (const [name, i] of Object.entries(versions.images) as [string, ImageRef][])
      assert.match(i.tag, full, `versions.images.${name}.tag`);
    assert.ok(!full.test("1.29-alpine") && full.test("1.29.5-alpine"), "the rule can fail");
    assert.ok(
      !full.test("config-reloader-v0.66") && !full.test("config-reloader-latest"),
      "the rule can fail",
    );
  });

  it("each chart's digest form: digest, sha (hex), sha with its prefix, or on the tag", () => {
    const i: ImageRef = { registry: "r.io", repository: "a/b", tag: "v1", digest: fakeDigest("x") };
    const hex = i.digest!.slice("sha256:".length);
    assert.deepEqual(imageValues(i, "digest"), {
      registry: "r.io",
      repository: "a/b",
      tag: "v1",
      digest: i.digest,
    });
    assert.deepEqual(imageValues(i, "sha"), { registry: "r.io", repository: "a/b", tag: "v1", sha: hex });
    assert.deepEqual(imageValues(i, "sha-prefixed"), {
      registry: "r.io",
      repository: "a/b",
      tag: "v1",
      sha: i.digest,
    });
    assert.deepEqual(imageValues(i, "tag"), { registry: "r.io", repository: "a/b", tag: `v1@${i.digest}` });
    assert.equal(imageString(i), `r.io/a/b:v1@${i.digest}`);
    // Without a digest nothing changes.
    assert.deepEqual(imageValues({ ...i, digest: undefined }, "sha"), {
      registry: "r.io",
      repository: "a/b",
      tag: "v1",
    });
  });

  describe("every stack, rendered with the real Helm while every pin has a digest", () => {
    const saved = new Map<string, string | undefined>();
    before(() => {
      for (const [name, i] of Object.entries(images)) {
        saved.set(name, i.digest);
        i.digest = fakeDigest(name);
      }
    });
    after(() => {
      for (const [name, d] of saved) {
        if (d === undefined) delete images[name].digest;
        else images[name].digest = d;
      }
    });

    const variants: Variant[] = [
      ...stackFileVariants(),
      variant("staging", "dual-write", "mimir"),
      variant("production", "backend-primary", "victoriametrics"),
      VM_CLUSTER_VARIANT,
    ];
    for (const v of variants)
      it(`${v.title}: every image reference is a pin and carries its digest (charts' own digest keys, the operators' CRs, the reloader flag)`, async () => {
        // Synthesized here, not by synth(): the digests are set in this process only. Through the
        // fixture cache all the same, keyed by the digests in force as well (the sources' hash
        // covers model/versions.ts), so a warm run synthesizes none of these stacks again.
        const overrides = Object.fromEntries(
          Object.entries(v.over).map(([k, x]) => [
            `${PROJECT}:${k}`,
            typeof x === "string" ? x : JSON.stringify(x),
          ]),
        );
        const digests = Object.entries(images).map(([name, i]) => [name, i.digest]);
        const s = await cached(
          "synth-digests",
          cacheKey("synth-digests", [v.stack, overrides, digests]),
          () => synthStack(ROOT, v.stack, overrides),
        );
        const { objects } = await renderStack(s.export);
        const placed = placedFrom(objects);
        const report = checkImageDigests(placed);
        assert.ok(report.images > 10, `only ${report.images} image references found`);
        assert.deepEqual(report.byTagOnly, []);
        assert.deepEqual(
          report.findings.map((f) => `${f.where}: ${f.message}`),
          [],
        );
        // The check can fail: the same objects with one digest dropped. Dropped by a JSON copy of
        // the objects holding it as an image (checkImageDigests reads nothing but imageUses), the
        // rest shared: a copy of every object (the CRDs' schemas are most of a stack's 3 MB) for
        // each of these variants was about 0.3 s of the file's CPU (see the commit for the figures).
        const first = imageUses(placed).find((u) => u.ref.includes("@"))!;
        const broken = placed.map((p) =>
          imageUses([p]).some((u) => u.ref === first.ref)
            ? (JSON.parse(JSON.stringify(p).split(first.ref).join(first.ref.split("@")[0])) as typeof p)
            : p,
        );
        assert.ok(
          checkImageDigests(broken).findings.some((f) => f.message.includes("does not carry")),
          "dropping a digest is found",
        );
      });
  });

  it("a pinned repository at another tag, or with a digest the pin lacks, is a finding naming the pin and its line", () => {
    const pin = versions.images.grafana as ImageRef;
    const other = `docker.io/grafana/grafana:13.0.1`;
    assert.notEqual(pin.tag, "13.0.1", "the test needs a tag other than the pin's");
    assert.deepEqual(
      checkImageDigests(running(other)).findings.map((f) => f.message),
      [
        `spec.template.spec.containers[0].image: image ${other} is not the pin ${imageString(pin)} (versions.images.grafana, model/versions.ts:${grafanaLine()}): its tag 13.0.1 is not the pin's ${pin.tag}, so nothing reviewed it, keeps it current (Renovate) or knows it runs on arm64; use the pinned image (remove the image override) or change the pin in model/versions.ts`,
      ],
    );
    if (pin.digest === undefined) {
      const withDigest = `${imageString(pin)}@${fakeDigest("x")}`;
      assert.match(
        checkImageDigests(running(withDigest)).findings[0]?.message ?? "",
        new RegExp(`it carries digest ${fakeDigest("x")}, the pin none`),
      );
    }
    // The pin itself passes.
    assert.deepEqual(checkImageDigests(running(imageString(pin))).findings, []);
  });

  it("an image that is not one of the pins is a finding (a chart default slipping through)", () => {
    const placed = [
      {
        urn: "urn:x",
        source: "release x",
        obj: {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: "x", namespace: "monitoring" },
          spec: {
            template: { spec: { containers: [{ name: "c", image: "docker.io/library/busybox:1.36" }] } },
          },
        },
      },
    ];
    const r = checkImageDigests(placed);
    assert.equal(r.findings.length, 1);
    assert.match(r.findings[0].message, /busybox:1\.36 is not pinned in model\/versions\.ts/);
  });
});

/**
 * A third-party scanner over every rendered object of every stack file: @monokle/validation's Pod
 * Security Standards and practices plugins (test/support/scanner.ts), offline. It accepts exactly
 * the scanner findings named in the accepted-exceptions list (contract/exceptions.ts), item by
 * item: a new finding fails, and so does a listed one no stack produces any more.
 */
import { strict as assert } from "assert";
import { ACCEPTED_EXCEPTIONS, acceptedExceptionsFor } from "../../contract/exceptions";
import { placedFrom, type Placed } from "../../checks";
import { stackNamespaces } from "../../checks/privileges";
import { assertRendered, rendered, stackFileVariants } from "../support/rendered";
import { scan, scanCached } from "../support/scanner";
import type { K8sObject } from "../../checks/objects";

const key = (subject: string, finding: string) => `${subject} | ${finding}`;
/** The scanner's entries as written (namespaces by role, contract/exceptions.ts). */
const written = ACCEPTED_EXCEPTIONS.filter((a) => a.finding.startsWith("monokle:"));
/** Each written entry by its subject in the namespaces one stack's objects use. */
const listedIn = (objects: Placed[]) =>
  new Map(
    written.flatMap((a) =>
      acceptedExceptionsFor(stackNamespaces(objects), [a]).map(
        (r) => [key(r.subject, r.finding), a] as const,
      ),
    ),
  );

describe("third-party scanner (@monokle/validation, offline) over the rendered stack files", function () {
  this.timeout(300_000);

  it("finds a root, host-network pod and a role that execs into pods (the scanner runs and reports)", async () => {
    const pod: K8sObject = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "bad", namespace: "x" },
      spec: {
        selector: { matchLabels: { a: "b" } },
        template: {
          metadata: { labels: { a: "b" } },
          spec: { hostNetwork: true, containers: [{ name: "c", image: "example/c:1" }] },
        },
      },
    };
    const role: K8sObject = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "exec" },
      rules: [{ apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] }],
    };
    const found = (await scan([pod, role])).map((f) => key(f.subject, f.finding));
    for (const f of [
      "Deployment x/bad | monokle:PSS102",
      "Deployment x/bad | monokle:KBP102",
      "ClusterRole exec | monokle:KBP108",
    ])
      assert.ok(found.includes(f), `${f} in ${found.join("; ")}`);
  });

  const seen = new Set<(typeof written)[number]>();
  for (const v of stackFileVariants())
    it(`${v.title}: every finding is a listed exception`, async () => {
      const r = await rendered(v);
      assertRendered(r);
      const objects = placedFrom(r.objects);
      const listed = listedIn(objects);
      const findings = await scanCached(
        objects.map((p) => p.obj),
        r.inputsId,
      );
      for (const f of findings) {
        const a = listed.get(key(f.subject, f.finding));
        if (a) seen.add(a);
      }
      const unlisted = findings
        .filter((f) => !listed.has(key(f.subject, f.finding)))
        .map((f) => `${key(f.subject, f.finding)}: ${f.message}`);
      assert.deepEqual(unlisted, [], "fix them, or name each with a reason in contract/exceptions.ts");
    });

  it("every listed scanner exception still occurs in some stack file", () => {
    assert.ok(seen.size > 0, "the stack files were scanned");
    assert.deepEqual(
      written.filter((a) => !seen.has(a)).map((a) => key(a.subject, a.finding)),
      [],
      "listed exceptions that no stack has any more: remove them",
    );
  });
});

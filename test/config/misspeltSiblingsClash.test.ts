import { strict as assert } from "assert";
import { BASE, P, refusal, STORE } from "../support/stackText";

/*
 * Two misspelt maps of one map, both closest to one key it lacks, that hold the same entry
 * (`ingres: {host: a}` beside `ingrss: {host: b}`): "move what the other holds into it" alone,
 * followed, wrote `host` twice in one map (no YAML the Pulumi CLI reads), and no line named the
 * clash. Each line now names the entries both hold and says to keep one value of each.
 */

const GRAFANA = (maps: string) => `${BASE}${STORE}  ${P("grafana")}:\n${maps}`;

/** The refusal of grafana holding `maps`: `count` problems, each ending with `advice` and its ")". */
function eachAdvises(maps: string, count: number, advice: string): void {
  const e = refusal(GRAFANA(maps));
  assert.equal(e.problems.length, count, e.message);
  for (const p of e.problems) assert.ok(p.endsWith(`${advice})`), p);
}

describe("config: misspelt maps to merge into one key name the entries they both hold", function () {
  this.timeout(20000);

  it("two maps both holding host: each line names host and says to keep one value of it", () => {
    const e = refusal(
      GRAFANA(
        "    ingres:\n      host: a.example.com\n    ingrss:\n      host: b.example.com\n      controllerNamespace: ingress-nginx\n",
      ),
    );
    assert.deepEqual(e.problems, [
      `${P("grafana.ingres")}: unknown key; did you mean "ingress"? (${P("grafana.ingrss")} is closest to ingress too, and ingress can be set only once: rename one of the two and move what the other holds into it, keeping one value of host, which both hold, then remove the other)`,
      `${P("grafana.ingrss")}: unknown key; did you mean "ingress"? (${P("grafana.ingres")} is closest to ingress too, and ingress can be set only once: rename one of the two and move what the other holds into it, keeping one value of host, which both hold, then remove the other)`,
    ]);
  });

  it("an entry nested in maps both hold is named by its path; maps both hold are merged, not a clash", () => {
    eachAdvises(
      "    ingres:\n      host: a.example.com\n      controllerNamespace: ingress-nginx\n      tls:\n        secretName: a-tls\n" +
        "    ingrss:\n      className: nginx\n      tls:\n        secretName: b-tls\n        clusterIssuer: letsencrypt\n",
      2,
      "rename one of the two and move what the other holds into it, keeping one value of tls.secretName, which both hold, then remove the other",
    );
  });

  it("maps holding no entry in common keep the plain advice", () => {
    eachAdvises(
      "    ingres:\n      host: a.example.com\n    ingrss:\n      controllerNamespace: ingress-nginx\n      tls:\n        secretName: b-tls\n",
      2,
      "rename one of the two and move what the other holds into it, then remove the other",
    );
  });

  it("three maps: the entries held by more than one are named, each once", () => {
    eachAdvises(
      "    ingres:\n      host: a.example.com\n      className: a\n    ingrss:\n      host: b.example.com\n" +
        "    ingreess:\n      controllerNamespace: ingress-nginx\n      className: c\n",
      3,
      "rename one of the three and move what the others hold into it, keeping one value of host and className, which more than one of them holds, then remove the others",
    );
  });
});

import { strict as assert } from "assert";
import { BASE, P, refusal, STORE } from "../support/stackText";

/*
 * Two misspelt keys of one map, both closest to one key the map lacks (`lokii:` and `lok:` beside
 * no `loki:`), each got "did you mean "loki"?": followed for both, the file holds `loki:` twice, a
 * YAML error (or, written with `pulumi config set`, one overwrites the other). Each line now names
 * the other and says only one of them can be renamed; the rules between keys read only the first as
 * the key meant (at the top level the second overwrote the first, and both were said read as it).
 */

const POOL = (keys: string) => `  ${P("nodePools")}:
    - ${keys}
      arch: amd64
      count: 3
      cpu: "4"
      memory: 16Gi
`;

describe("config: misspelt keys of one map sent to one key each say the other", function () {
  this.timeout(20000);

  it("two top-level keys closest to one key the file lacks: each names the other, one is read as it", () => {
    const e = refusal(
      `${BASE}${STORE}  ${P("lokii")}:\n    retention: 7d\n  ${P("lok")}:\n    retention: 8d\n`,
    );
    assert.deepEqual(e.problems, [
      `${P("lokii")}: unknown key; did you mean "loki"? (${P("lok")} is closest to loki too, and loki can be set only once: rename one of the two and move what the other holds into it, keeping one value of retention, which both hold, then remove the other)`,
      `${P("lok")}: unknown key; did you mean "loki"? (${P("lokii")} is closest to loki too, and loki can be set only once: rename one of the two and move what the other holds into it, keeping one value of retention, which both hold, then remove the other)`,
    ]);
    const read = e.notes.filter((n) => / read \S+ as homelab-observability:loki, /.test(n));
    assert.deepEqual(read, [
      `(the rules between keys (which keys need which) read ${P("lokii")} as ${P("loki")}, the key it is closest to)`,
    ]);
  });

  it("two keys of a nested map closest to one key it lacks; not keys closest to two, nor beside the key meant", () => {
    const e = refusal(`${BASE}${STORE}  ${P("loki")}:\n    retntion: 7d\n    retenton: 8d\n`);
    assert.deepEqual(e.problems, [
      `${P("loki.retntion")}: unknown key; did you mean "retention"? (${P("loki.retenton")} is closest to retention too, and retention can be set only once: rename the one whose value is meant and remove the other)`,
      `${P("loki.retenton")}: unknown key; did you mean "retention"? (${P("loki.retntion")} is closest to retention too, and retention can be set only once: rename the one whose value is meant and remove the other)`,
    ]);
    // Keys closest to different keys, or beside the key meant, keep their own words.
    const apart = refusal(`${BASE}${STORE}  ${P("loki")}:\n    retntion: 7d\n    modee: Monolithic\n`);
    assert.deepEqual(apart.problems, [
      `${P("loki.retntion")}: unknown key; did you mean "retention"?`,
      `${P("loki.modee")}: unknown key; did you mean "mode"?`,
    ]);
    const set = refusal(
      `${BASE}${STORE}  ${P("loki")}:\n    retention: 7d\n    retntion: 8d\n    retenton: 9d\n`,
    );
    assert.equal(set.problems.length, 2, set.message);
    for (const p of set.problems)
      assert.match(
        p,
        /did you mean "retention"\? \(homelab-observability:loki\.retention is already set: move what this key holds into it, then remove this key\)$/,
      );
  });

  it("two keys of a list's item closest to its required key: each names the other", () => {
    const e = refusal(`${BASE}${STORE}${POOL("nmae: workers\n      naem: w2")}`);
    assert.equal(e.problems.length, 2, e.message);
    assert.match(
      e.problems[0],
      /^homelab-observability:nodePools\[0\]\.nmae: unknown key; did you mean "name"\? \(homelab-observability:nodePools\[0\]\.naem is closest to name too, and name can be set only once: rename the one whose value is meant and remove the other\)/,
    );
    assert.equal(
      e.problems[1],
      `${P("nodePools[0].naem")}: unknown key; did you mean "name"? (${P("nodePools[0].nmae")} is closest to name too, and name can be set only once: rename the one whose value is meant and remove the other)`,
    );
  });

  it("a slip whose value the key meant refuses, beside another slip: the refusal, no 'rename this key'", () => {
    // Each line says to rename the one whose value is meant: "rename this key" on the one whose
    // value is refused sent the user to rename the wrong one (nmae holds the pool's name).
    const second = refusal(`${BASE}${STORE}${POOL("nmae: workers\n      naem: 5")}`);
    assert.equal(second.problems.length, 2, second.message);
    assert.equal(
      second.problems[1],
      `${P("nodePools[0].naem")}: unknown key; did you mean "name"? (${P("nodePools[0].nmae")} is closest to name too, and name can be set only once: rename the one whose value is meant and remove the other) (as name: expected text (quote it: "5"), got number 5)`,
    );
    // The first, whose line also says the key meant is missing, says no rename either.
    const first = refusal(`${BASE}${STORE}${POOL("nmae: 5\n      naem: workers")}`);
    assert.equal(first.problems.length, 2, first.message);
    for (const p of first.problems) assert.doesNotMatch(p, /rename this key/, first.message);
    assert.match(
      first.problems[0],
      /\(as name: expected text \(quote it: "5"\), got number 5\)/,
      first.message,
    );
  });

  it("the first slip refused as the key meant, the second read as it: no note says the key unset", () => {
    // Read as name after the first was cut, naem made the notes say both that the rules ran with
    // nodePools[0].name unset and that they read naem as it (they did: the pool's rules ran).
    const e = refusal(`${BASE}${STORE}${POOL("nmae: 5\n      naem: workers")}`);
    const about = e.notes.filter((n) => n.includes("nodePools[0].")).map((n) => n.replace(/, the .*$/, ""));
    assert.deepEqual(
      about,
      [
        `(the rules between keys (which keys need which) read ${P("nodePools[0].naem")} as ${P("nodePools[0].name")}`,
      ],
      e.message,
    );
  });

  it("two maps to merge into one key: each judged with the other's keys, a key both lack said once", () => {
    // Each judged alone as grafana.ingress, the two lines said controllerNamespace missing twice,
    // and ingrss's `hots` line said host "required and missing: rename this key", though ingres
    // holds host: merged as both lines say, the map would hold host twice.
    const e = refusal(
      `${BASE}${STORE}  ${P("grafana")}:\n    ingres:\n      host: a.example.net\n    ingrss:\n      hots: b.example.net\n`,
    );
    const missing = e.problems.filter((p) => /controllerNamespace.*required/.test(p));
    assert.equal(missing.length, 1, e.message);
    assert.match(
      missing[0],
      /^homelab-observability:grafana\.ingres\.controllerNamespace \(read as ingress\.controllerNamespace\): required/,
    );
    const hots = e.problems.filter((p) => p.includes("hots"));
    assert.equal(hots.length, 1, e.message);
    assert.doesNotMatch(hots[0], /host is required and missing|rename this key/, e.message);
  });

  it("an entry read as set under the key meant is named where the file writes it, in its own map or the other", () => {
    // Read as grafana.ingress, `hots` beside `host` said "grafana.ingress.host is already set",
    // a key the file does not hold: it writes ingres.host (ingrss's own map, or ingres merged with it).
    const alone = refusal(
      `${BASE}${STORE}  ${P("grafana")}:\n    ingres:\n      host: a.example.net\n      hots: b\n`,
    );
    const merged = refusal(
      `${BASE}${STORE}  ${P("grafana")}:\n    ingres:\n      host: a.example.net\n    ingrss:\n      hots: b\n`,
    );
    for (const [e, slip] of [
      [alone, "ingres"],
      [merged, "ingrss"],
    ] as const) {
      const hots = e.problems.filter((p) => p.includes("hots"));
      assert.equal(hots.length, 1, e.message);
      assert.equal(
        hots[0],
        `${P(`grafana.${slip}.hots`)} (read as ingress.hots): unknown key; did you mean "host"? (${P("grafana.ingres.host")} is already set: move what this key holds into it, then remove this key)`,
      );
    }
  });

  it("three keys closest to one: each names the two others", () => {
    const e = refusal(
      `${BASE}${STORE}  ${P("loki")}:\n    retntion: 7d\n    retenton: 8d\n    retentio: 9d\n`,
    );
    assert.equal(e.problems.length, 3, e.message);
    assert.equal(
      e.problems[0],
      `${P("loki.retntion")}: unknown key; did you mean "retention"? (${P("loki.retenton")} and ${P("loki.retentio")} are closest to retention too, and retention can be set only once: rename the one whose value is meant and remove the others)`,
    );
  });

  it("two slips of a discriminated union's discriminator: each names the other, none says it is set", () => {
    const e = refusal(
      `${BASE}  ${P("objectStore")}:\n    tpye: minio\n    tyep: minio\n    endpoint: http://minio.storage.svc:9000\n`,
    );
    assert.equal(e.problems.length, 2, e.message);
    assert.match(
      e.problems[0],
      /^homelab-observability:objectStore\.tpye: unknown key; did you mean "type"\? \(homelab-observability:objectStore\.tyep is closest to type too, and type can be set only once: rename the one whose value is meant and remove the other\)/,
    );
    assert.equal(
      e.problems[1],
      `${P("objectStore.tyep")}: unknown key; did you mean "type"? (${P("objectStore.tpye")} is closest to type too, and type can be set only once: rename the one whose value is meant and remove the other) (judged as type "minio", what tpye holds)`,
    );
  });

  it("two keys closest to one beside a discriminator judged as the variant closest to it", () => {
    const e = refusal(
      `${BASE}  ${P("objectStore")}:\n    type: minoi\n    endpont: http://minio.storage.svc:9000\n    endpoit: http://localhost:9000\n`,
    );
    const twin = (k: string, o: string) =>
      `${P(`objectStore.${k}`)}: unknown key; did you mean "endpoint"? (${P(`objectStore.${o}`)} is closest to endpoint too, and endpoint can be set only once: rename the one whose value is meant and remove the other)`;
    assert.equal(e.problems.length, 3, e.message);
    assert.ok(e.problems[1].startsWith(twin("endpont", "endpoit")), e.message);
    assert.equal(
      e.problems[2],
      `${twin("endpoit", "endpont")} (judged as type "minio", the closest to "minoi")`,
    );
  });

  it("list entries outside the options: one beside the option it means, two closest to one option", () => {
    const bucket = (list: string) => `${BASE}${STORE}    keepUnusedBuckets: ${list}\n`;
    const options = "expected one of loki-ruler | loki-admin | mimir-alertmanager";
    assert.deepEqual(refusal(bucket(`["loki-ruler", "loki-rulr"]`)).problems, [
      `${P("objectStore.keepUnusedBuckets[1]")}: ${options}, got string "loki-rulr"; did you mean "loki-ruler"? (${P("objectStore.keepUnusedBuckets[0]")} is "loki-ruler" already, and the list needs it once: remove this entry, unless another option is meant)`,
    ]);
    assert.deepEqual(refusal(bucket(`["loki-rulr", "loki-rule", "loki-admin"]`)).problems, [
      `${P("objectStore.keepUnusedBuckets[0]")}: ${options}, got string "loki-rulr"; did you mean "loki-ruler"? (${P("objectStore.keepUnusedBuckets[1]")} "loki-rule" is closest to "loki-ruler" too, and the list needs it once: rename one of the two and remove the other, unless another option is meant)`,
      `${P("objectStore.keepUnusedBuckets[1]")}: ${options}, got string "loki-rule"; did you mean "loki-ruler"? (${P("objectStore.keepUnusedBuckets[0]")} "loki-rulr" is closest to "loki-ruler" too, and the list needs it once: rename one of the two and remove the other, unless another option is meant)`,
    ]);
    assert.deepEqual(refusal(bucket(`["loki-rulr", "loki-admn"]`)).problems, [
      `${P("objectStore.keepUnusedBuckets[0]")}: ${options}, got string "loki-rulr"; did you mean "loki-ruler"?`,
      `${P("objectStore.keepUnusedBuckets[1]")}: ${options}, got string "loki-admn"; did you mean "loki-admin"?`,
    ]);
  });
});

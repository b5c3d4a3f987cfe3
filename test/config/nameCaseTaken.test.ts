import { strict as assert } from "assert";
import { checkedStackConfig } from "../../config/stackCheck";
import { BASE, P, refusal, stackProject, STORE } from "../support/stackText";

/*
 * A list item's name in capitals ("Pi", "Team") was told `did you mean "pi"?` by its lowercase
 * (config/errors.ts caseHint) even where another item of the list has that name: followed, the
 * next run refused it as a second of the name (each pool's and each receiver's name is unique).
 */
const POOL = (name: string) => `    - name: ${name}
      arch: amd64
      count: 1
      cpu: "4"
      memory: 16Gi
`;
const RECEIVERS = (first: string) => `  ${P("alerting")}:
    pushover: false
    heartbeat: false
    receivers:
      - type: slack
        name: ${first}
      - type: slack
        name: team
`;
const stack = (pool: string, receiver: string) =>
  `${BASE}${STORE}  ${P("nodePools")}:\n${POOL("pi")}${POOL(pool)}${RECEIVERS(receiver)}`;

/** The problem of `text` at `key`. */
function at(text: string, key: string): string {
  const e = refusal(text);
  const found = e.problems.filter((p) => p.startsWith(`${P(key)}: `));
  assert.equal(found.length, 1, e.message);
  return found[0];
}

describe("config: a name in capitals is not told the lowercase another item of its list has (config/errors.ts caseHint)", () => {
  it("offers no name a sibling pool or receiver holds", () => {
    const text = stack("Pi", "Team");
    assert.ok(!at(text, "nodePools[1].name").includes("did you mean"), at(text, "nodePools[1].name"));
    assert.ok(
      !at(text, "alerting.receivers[0].name").includes("did you mean"),
      at(text, "alerting.receivers[0].name"),
    );
  });

  it("offers no lowercase name to two items that would both take it: followed, each would be refused as a second of it", () => {
    const text = `${BASE}${STORE}  ${P("nodePools")}:\n${POOL("Edge")}${POOL("EDGE")}`;
    for (const key of ["nodePools[0].name", "nodePools[1].name"])
      assert.ok(!at(text, key).includes("did you mean"), at(text, key));
  });

  it("still offers a free lowercase name, and that name, followed, passes", () => {
    const text = stack("Edge", "Ops");
    assert.match(at(text, "nodePools[1].name"), /; did you mean "edge"\?$/);
    assert.match(at(text, "alerting.receivers[0].name"), /; did you mean "ops"\?$/);
    const dir = stackProject(stack("edge", "ops"));
    assert.doesNotThrow(() => checkedStackConfig(dir, "s", {}, { allowAbsentSecrets: true }));
  });
});

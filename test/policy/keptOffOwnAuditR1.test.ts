/**
 * A workload the program writes itself (Mimir's StatefulSet: Mimir is no chart, and `chartValues`
 * has no key for it, docs/reference/configuration.md) kept off every pool by a taint: no chart
 * value gives it a toleration, so resource-budget must not tell the user to give it one "in the
 * chart values that schedule it". Every pool tainted reaches this since b3d6c4d8 (the config no
 * longer refuses such pools first): the only ways are the taint's removal or a pool without it.
 */
import { strict as assert } from "assert";
import { check, res, stackInfo, v4Chart, workload } from "../support/policyCases";

const P = "resource-budget";
const tainted = () =>
  stackInfo([
    {
      name: "monitoring",
      arch: "amd64",
      count: 3,
      taints: [{ key: "dedicated", value: "monitoring", effect: "NoSchedule" }],
    },
  ]);
const spec = {
  containers: [
    {
      name: "c",
      image: "docker.io/grafana/mimir",
      resources: { requests: { cpu: "100m", memory: "128Mi" } },
    },
  ],
};
const mimir = () => {
  const w = workload("StatefulSet", "mimir", spec);
  return res(w.type, w.inputs, { name: "mimir" });
};
const messages = async (resources: Parameters<typeof check>[0]) =>
  (await check(resources, P)).map((v) => v.message);

describe("policy (budget): a workload the program writes, kept off every pool by a taint (audit r1)", () => {
  it("is told the taint's removal or a pool without it, not a toleration in chart values", async () => {
    const [m, ...rest] = await messages([tainted(), mimir()]);
    assert.deepEqual(rest, []);
    assert.match(
      m,
      /no node of the pool admits mimir, so it would stay Pending\. To run it: remove the taint or add a pool without it \(mimir is the program's own, and no chartValues key gives it a toleration\)\.$/,
    );
  });
  it("beside a chart's workload, the toleration is that one's way only", async () => {
    const [m, ...rest] = await messages([
      tainted(),
      mimir(),
      ...v4Chart("app", [workload("Deployment", "app", spec)]),
    ]);
    assert.deepEqual(rest, []);
    assert.match(
      m,
      /admits mimir, app, so they would stay Pending\. To run them: remove the taint, add a pool without it, or give app a toleration for it in the chart values that schedule it \(mimir is the program's own, and no chartValues key gives it a toleration\)\.$/,
    );
  });
});

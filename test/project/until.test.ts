import { strict as assert } from "assert";
import { until } from "../support/servers";

describe("the test helpers' bounded wait (test/support/servers.ts until)", () => {
  it("polls every 100 ms unless told a longer interval, and names what it waited for when it gives up", async () => {
    /** The times between polls of a probe that never succeeds. */
    const gaps = async (everyMs?: number) => {
      const at: number[] = [];
      const err = await until(
        () => Promise.resolve(at.push(performance.now()) < 0),
        450,
        "nothing",
        ...(everyMs === undefined ? [] : [everyMs]),
      ).catch((e: Error) => e);
      assert.match(String(err), /timed out after 450 ms waiting for nothing/);
      return at.slice(1).map((t, i) => t - at[i]);
    };
    const [byDefault, every200] = await Promise.all([gaps(), gaps(200)]);
    // Lower bounds only: a busy machine delays a timer, never fires it early (1 ms of rounding).
    assert.ok(byDefault.length >= 1 && Math.min(...byDefault) >= 98, `default: ${byDefault.join(", ")}`);
    assert.ok(every200.length >= 1 && Math.min(...every200) >= 198, `every 200 ms: ${every200.join(", ")}`);
  });
});

import { strict as assert } from "assert";
import * as fs from "fs";
import * as net from "net";
import { freePort } from "../support/servers";

describe("test servers' ports (test/support/servers.ts freePort)", () => {
  it("are below the ephemeral range outgoing connections draw from, and free", async () => {
    const low = Number(fs.readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").split(/\s+/)[0]);
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    for (const p of ports) assert.ok(p >= 10000 && p < low, `${p} is not in [10000, ${low})`);
    // Free: a server binds it.
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(ports[0], "127.0.0.1", r));
    s.close();
  });
});

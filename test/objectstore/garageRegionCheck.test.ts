/**
 * The Garage bucket provider's region check as the engine runs it: the provider serialized by
 * Pulumi's closure serializer (what @pulumi/pulumi 3.270.0 dynamic/index.js
 * `serializeFunctionMaybeSecret` writes into each bucket's `__provider`) and loaded from that text
 * as cmd/dynamic-provider/index.js `getProvider` loads it (require-from-string, once per process),
 * against a local server that answers as Garage v2.0.0 does to a call without a token (403, its
 * s3_region in the body). A real Garage holds the rest (garageAdminApi.test.ts).
 */
import { strict as assert } from "assert";
import * as http from "http";
import type { AddressInfo } from "net";
import * as pulumi from "@pulumi/pulumi";
import { bucketProvider, type BucketInputs } from "../../components/objectstore/garage";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const requireFromString = require("require-from-string") as (code: string) => {
  handler(): typeof bucketProvider;
};

describe("Garage's region check, serialized as the engine runs it", function () {
  let server: http.Server;
  let endpoint = "";
  const seen: { url?: string; authorized: boolean }[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      seen.push({ url: req.url, authorized: req.headers.authorization !== undefined });
      res.writeHead(403, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          code: "AccessDenied",
          message: "Forbidden: Bearer token must be provided in Authorization header",
          region: "garage",
          path: req.url,
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  const inputs = (region: string): BucketInputs => ({
    admin: { endpoint, token: "not-sent" },
    name: "t-region",
    deleteNonEmpty: false,
    s3Endpoint: "http://127.0.0.1:1",
    region,
    regionKey: "objectStore.region (Pulumi.staging.yaml:14)",
  });

  it("serializes, refuses another region, and asks Garage once for every bucket of the run", async () => {
    const sf = await pulumi.runtime.serializeFunction(() => bucketProvider, { allowSecrets: true });
    const provider = requireFromString(sf.text).handler();
    const wrong = await provider.check!({} as BucketInputs, inputs("us-east-1"));
    assert.deepEqual(
      wrong.failures?.map((f) => f.property),
      ["region"],
      JSON.stringify(wrong),
    );
    assert.match(
      wrong.failures[0].reason,
      /^objectStore\.region \(Pulumi\.staging\.yaml:14\): expected the region Garage at .* serves, "garage" .*got "us-east-1"/,
    );
    // The engine checks bucket after bucket: the next ones read the answer already had.
    for (const region of ["garage", "garage", "us-east-1"])
      await provider.check!({} as BucketInputs, inputs(region));
    assert.deepEqual(seen, [{ url: "/v2/GetClusterHealth", authorized: false }]);
  });
});

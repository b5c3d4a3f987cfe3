/**
 * verify asks Loki whether it is Loki at `/loki/api/v1/status/buildinfo` (verify/identify.ts), and
 * reaches it through the gateway when the stack runs one (model/endpoints.ts lokiBase): the
 * gateway's nginx must pass that path on, or a healthy Loki would be told "no Loki API there". Read
 * from the gateway's nginx.conf as the pinned Loki chart renders it for each stack file, with nginx's
 * own choice of location (an exact `=` match, else the longest prefix; a `^~` prefix stops the
 * regular-expression search, and a test below holds the config to having none).
 */
import { strict as assert } from "assert";
import { LOKI_PROBE } from "../../verify/identify";
import { assertRendered, rendered, stackFileVariants } from "../support/rendered";

interface Location {
  modifier: string;
  path: string;
  body: string;
}

/** Each `location [modifier] path { ... }` block of an nginx config (nested blocks kept in the body). */
function locations(conf: string): Location[] {
  const out: Location[] = [];
  const head = /location\s+(=|\^~|~\*?)?\s*(\S+)\s*\{/g;
  for (let m = head.exec(conf); m; m = head.exec(conf)) {
    let depth = 1;
    let i = head.lastIndex;
    for (; i < conf.length && depth > 0; i++) depth += conf[i] === "{" ? 1 : conf[i] === "}" ? -1 : 0;
    out.push({ modifier: m[1] ?? "", path: m[2], body: conf.slice(head.lastIndex, i - 1) });
  }
  return out;
}

/** The location nginx picks for `uri` among exact and prefix locations. */
function chosen(locs: Location[], uri: string): Location | undefined {
  const exact = locs.find((l) => l.modifier === "=" && l.path === uri);
  if (exact) return exact;
  return locs
    .filter((l) => (l.modifier === "" || l.modifier === "^~") && uri.startsWith(l.path))
    .sort((a, b) => b.path.length - a.path.length)[0];
}

describe("verify: the Loki gateway passes on the path verify asks Loki who it is", function () {
  this.timeout(120_000);
  const probe = LOKI_PROBE.path;
  let gateways = 0;

  it("holds the location matcher to nginx's choice on a made-up config", () => {
    const locs = locations(
      "location = /a { proxy_pass x; }\nlocation ^~ /loki/api/v1/ { proxy_pass y; }\nlocation / { return 404; }",
    );
    assert.match(chosen(locs, "/loki/api/v1/status/buildinfo")!.body, /proxy_pass y/);
    assert.match(chosen(locs, "/other")!.body, /return 404/);
  });

  for (const v of stackFileVariants())
    it(`${v.title}: the gateway (when the stack runs one) proxies ${probe}`, async () => {
      const r = await rendered(v);
      assertRendered(r);
      const confs = r.objects
        .map((o) => o.object)
        .filter((o) => o.kind === "ConfigMap" && /gateway/.test(o.metadata?.name ?? ""))
        .map((o) => (o as { data?: Record<string, string> }).data?.["nginx.conf"])
        .filter((t): t is string => typeof t === "string");
      if (confs.length === 0) return; // no gateway: verify reaches Loki's own Service
      gateways++;
      for (const conf of confs) {
        const locs = locations(conf);
        assert.deepEqual(
          locs.filter((l) => l.modifier.startsWith("~")).map((l) => l.path),
          [],
          "regular-expression locations: the matcher here does not model them",
        );
        const loc = chosen(locs, probe);
        assert.ok(loc, `no location of the gateway's nginx.conf takes ${probe}`);
        assert.match(
          loc.body,
          /proxy_pass/,
          `${loc.modifier} ${loc.path} takes ${probe} but passes nothing on`,
        );
      }
    });

  it("some stack file runs the gateway, so the above read a config", () => {
    assert.ok(gateways > 0, "no stack file's render has a gateway nginx.conf");
  });
});

import { PROJECT } from "../model/names";
import { BARE_URL_PARTS, httpUrlProblem, redactUrl, type Raw } from "./schema";

/*
 * `grafana.ingress` and `grafana.httpRoute`: how people reach Grafana from outside the cluster,
 * which decides Grafana's root_url (its links and redirects) and who the NetworkPolicy admits to
 * its port.
 */

/** Where Grafana is exposed: its public URL and the namespace whose pods carry the traffic in. */
export interface GrafanaExposure {
  kind: "ingress" | "httpRoute";
  host: string;
  /** `<scheme>://<host>`: https with the Ingress's TLS (or the route's scheme). */
  url: string;
  /** The Ingress controller's namespace, or the Gateway's. */
  fromNamespace: string;
}

/** The exposure `grafana` asks for; undefined when neither is set (both set is a config problem). */
export function grafanaExposure(
  g: Pick<Raw["grafana"], "ingress" | "httpRoute">,
): GrafanaExposure | undefined {
  if (g.ingress)
    return {
      kind: "ingress",
      host: g.ingress.host,
      url: `${g.ingress.tls ? "https" : "http"}://${g.ingress.host}`,
      fromNamespace: g.ingress.controllerNamespace,
    };
  if (g.httpRoute)
    return {
      kind: "httpRoute",
      host: g.httpRoute.host,
      url: `${g.httpRoute.scheme}://${g.httpRoute.host}`,
      fromNamespace: g.httpRoute.parentRef.namespace,
    };
  return undefined;
}

/**
 * Rules between the keys: one way in, and a `grafana.url` naming the same host, with the scheme
 * people reach it with and no path. `refused` are the
 * key paths the file sets whose values the schema refused (config/judge.ts): a way in refused (or
 * set aside for a bad host) is still set, so both set is said in the same run as its own problem,
 * beside a URL on neither way's host, unless one was set aside (its host unknown, the URL is not
 * judged against the other's); one way on a host refused still has its scheme judged; a refused
 * `tls` or `scheme` leaves the scheme unknown, so the URL's scheme is not judged against the
 * default standing in for it. What follows the URL's host is judged whenever a way is set, beside
 * each other problem (every problem in one run).
 */
export function grafanaExposureProblems(
  c: { grafana: Raw["grafana"] },
  refused: string[] = [],
  written?: unknown,
): string[] {
  const g = c.grafana;
  const k = (path: string) => `${PROJECT}:${path}`;
  const at = (path: string) => `grafana.${path}`;
  const unknown = (path: string) => refused.some((r) => r === at(path) || r.startsWith(`${at(path)}.`));
  const given = (way: "ingress" | "httpRoute") => g[way] !== undefined || refused.includes(at(way));
  const both = given("ingress") && given("httpRoute");
  const twoWays = both
    ? [
        `${k("grafana.httpRoute")}: expected either grafana.ingress or grafana.httpRoute, got both (Grafana has one root_url)`,
      ]
    : [];
  // With both set, the URL is judged against each way's host: whichever the fix keeps, a URL on
  // neither is wrong, and said now rather than after the second way is removed.
  const ways = both
    ? [grafanaExposure({ ingress: g.ingress }), grafanaExposure({ httpRoute: g.httpRoute })]
    : [grafanaExposure(g)];
  const exposed = ways.filter((w): w is GrafanaExposure => w !== undefined && !unknown(`${w.kind}.host`));
  if (!g.url) return twoWays;
  const url = new URL(g.url);
  // A scheme the schema refused (`ftp://`) is read as http (judge.ts, schema.ts urlAsRead): the
  // rules judge the scheme written, never the stand-in. `written` is grafana.url as the file has it.
  const schemeWritten = typeof written !== "string" || written.trim().toLowerCase().startsWith(url.protocol);
  // A way set aside (refused) may be the one kept, on a host not known yet: the URL's host is not
  // judged, but its scheme still is (below), which the host does not decide.
  const hostsKnown = exposed.length === ways.length;
  const hosts = [...new Set(exposed.map((w) => w.host))];
  const hostWrong = hostsKnown && exposed.every((w) => url.hostname !== w.host);
  // Which way stays decides the scheme: judged once one does, on the host it serves.
  const [way] = ways;
  const wayScheme = way && !both ? new URL(way.url).protocol : undefined;
  const scheme = hostWrong ? undefined : wayScheme;
  // The scheme people reach Grafana with: an http root_url behind TLS sends every redirect and
  // OAuth callback to plain HTTP (and the other way round to a port nothing serves). An Ingress
  // without grafana.ingress.tls may still be reached over https: TLS can end before it (a tunnel,
  // a load balancer, the controller's default certificate), which the stack cannot see, so only
  // http:// behind the Ingress's own TLS is known to be wrong. A `tls` map holding a refused key
  // is still TLS asked for; only `tls` itself refused (or set aside) leaves it unknown.
  // Judged on a URL on another host too, for the URL to set (origin, below): the host's line
  // carries it, as the scheme's own line is said once the URL is on the way's host.
  const wayKnown =
    way !== undefined &&
    wayScheme !== undefined &&
    !refused.includes(at(way.kind === "ingress" ? "ingress.tls" : "httpRoute.scheme"));
  const served =
    wayKnown && wayScheme
      ? way.kind === "ingress" && !g.ingress?.tls
        ? ["http:", "https:"]
        : [wayScheme]
      : [];
  // The scheme as written, one the schema refused too (`ftp`, read as http in `url`): behind a way
  // serving one scheme, this line names it in the same run as the schema's line on the scheme, in
  // one message (errors.ts oneLinePerValue). This is the one place that decides it: a hint on the
  // schema's line read the raw config apart and named https for a `tls` or a `scheme` refused,
  // which the rules read as unknown. Behind a plain Ingress the schema's "http or https" is all.
  const writtenScheme = schemeWritten
    ? url.protocol
    : `${String(written).trim().split(":")[0].toLowerCase()}:`;
  const schemeOff = served.length === 1 && writtenScheme !== served[0];
  const schemeWrong = schemeOff && !hostWrong;
  // The Ingress and the HTTPRoute route the host's root (`/`) to Grafana, which serves from `/`:
  // a path in root_url puts it in every link and redirect Grafana makes, and nothing routes or
  // strips it. Grafana serves under a path only with serve_from_sub_path (its "run behind a
  // reverse proxy" guide), which docs/how-to/expose-grafana.md does not offer: the URL is the
  // host's root. The schema took the URL (a host, no credentials), so what follows the host is
  // what the bare form refuses, named as what it is (`?orgId=1` is a query, not a path). Whichever
  // way is set, set aside or kept (both serve the root), the host and the scheme do not decide
  // it: said in the same run as their problems (both ways set hid it until one was removed).
  const kinds = (["ingress", "httpRoute"] as const).filter(given);
  const extra = kinds.length > 0 ? httpUrlProblem(g.url, true) : undefined;
  // The URL to set is the one the other problems ask for too: their scheme and host, and a port
  // only where the program knows one is served. An Ingress serves 80 and 443 (the scheme's own), so
  // a port written is none it serves; a route's Gateway listener may be on another port, which the
  // program does not know: the one written on the route's host is kept, never another host's.
  // For a scheme read in place of a refused one, the one people reach Grafana with, when the key
  // deciding it is known (a refused `tls` or `scheme` leaves it unknown: no URL is offered).
  const originScheme = schemeOff
    ? wayScheme
    : schemeWritten
      ? url.protocol
      : wayKnown
        ? wayScheme
        : undefined;
  const portKept = !hostWrong && url.port !== "" && !kinds.includes("ingress") ? `:${url.port}` : "";
  const origin =
    (hostWrong && hosts.length > 1) || originScheme === undefined
      ? undefined
      : `${originScheme}//${hostWrong ? hosts[0] : url.hostname}${portKept}`;
  // The same hint as the other lines on the URL (one message gives it once).
  const onScheme =
    way && schemeWrong
      ? [
          `${k("grafana.url")}: expected a URL starting ${scheme}// as people reach grafana.${way.kind}.host (${way.kind === "ingress" ? "grafana.ingress.tls is set" : `grafana.httpRoute.scheme is ${way.url.split(":")[0]}`}), got "${redactUrl(g.url)}"; ${hostsKnown && origin ? setTo(origin) : `leave grafana.url out and the program sets it to ${scheme}// and grafana.${way.kind}.host`}`,
        ]
      : [];
  // Said with the URL to set, as the line on what follows the host says it: the same origin, so
  // both in one message (errors.ts oneLinePerValue) give it once.
  const onHost = hostWrong
    ? [
        `${k("grafana.url")}: expected a URL on ${
          hosts.length === 1
            ? `${exposed.map((w) => `grafana.${w.kind}.host`).join(" and ")} "${hosts[0]}"`
            : exposed.map((w) => `grafana.${w.kind}.host "${w.host}"`).join(" or ")
        } (Grafana's links and redirects use it), got "${redactUrl(g.url)}"${origin ? `; ${setTo(origin)}` : ""}`,
      ]
    : [];
  const atRoot =
    extra === undefined
      ? []
      : [
          `${k("grafana.url")}: expected a URL with ${BARE_URL_PARTS}, as ${kinds.map((w) => `grafana.${w}`).join(" and ")} serve${kinds.length === 1 ? "s" : ""} Grafana at the root of ${kinds.map((w) => `grafana.${w}.host`).join(" and ")} (Grafana's links and redirects would carry what follows the host, which nothing routes), got "${redactUrl(g.url)}" (${extra}); ${origin ? setTo(origin) : "leave grafana.url out and the program sets it"}`,
        ];
  return [...twoWays, ...onHost, ...onScheme, ...atRoot];
}

/** The hint of grafana.url's rules that know the URL to write (`origin`): it, or the program's own. */
const setTo = (origin: string) => `set it to ${origin}, or leave grafana.url out and the program sets it`;

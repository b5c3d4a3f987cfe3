import { strict as assert } from "assert";
import { BASE, P, refusal, STORE } from "../support/stackText";

/*
 * grafana.url beside grafana.ingress or grafana.httpRoute: its host was checked, its scheme not, so
 * `http://` behind an Ingress with TLS (or `https://` on a plain one) passed and set Grafana's
 * root_url, its redirects and OAuth callbacks, to a scheme people do not reach it with.
 */
const stack = (url: string, exposure: string) => `${BASE}${STORE}  ${P("grafana")}:
    url: ${url}
${exposure}`;
const INGRESS_TLS = `    ingress:
      host: grafana.example.net
      controllerNamespace: ingress-nginx
      tls:
        secretName: grafana-tls
`;
const ROUTE_HTTP = `    httpRoute:
      host: grafana.example.net
      scheme: http
      parentRef:
        name: gw
        namespace: gateways
`;

describe("config: grafana.url's scheme against the way Grafana is exposed (audit hG)", () => {
  it("refuses http:// behind an Ingress with TLS, saying why and what to do", () => {
    const e = refusal(stack("http://grafana.example.net", INGRESS_TLS), "lab");
    const [p] = e.problems.filter((x) => x.startsWith(P("grafana.url")));
    assert.ok(p, e.message);
    assert.match(
      p,
      /expected a URL starting https:\/\/ as people reach grafana\.ingress\.host \(grafana\.ingress\.tls is set\), got "http:\/\/grafana\.example\.net"; set it to https:\/\/grafana\.example\.net, or leave grafana\.url out and the program sets it$/,
    );
    assert.match(e.message, /Pulumi\.lab\.yaml:\d+:\d+/);
  });

  it("refuses https:// on an HTTPRoute whose scheme is http", () => {
    const e = refusal(stack("https://grafana.example.net/", ROUTE_HTTP), "lab");
    assert.ok(
      e.problems.some((x) => /grafana\.httpRoute\.scheme is http/.test(x)),
      e.message,
    );
  });

  it("takes the matching scheme, and still refuses another host once", () => {
    assert.throws(() => refusal(stack("https://grafana.example.net/", INGRESS_TLS), "lab"));
    const e = refusal(stack("http://other.example.net", INGRESS_TLS), "lab");
    const lines = e.problems.filter((x) => x.startsWith(P("grafana.url")));
    assert.equal(lines.length, 1, e.message);
    assert.match(lines[0], /expected a URL on grafana\.ingress\.host "grafana\.example\.net"/);
  });
});

describe("config: https:// grafana.url on an Ingress without tls (review hRev)", () => {
  // TLS may end before the Ingress (a tunnel, a load balancer, the controller's default
  // certificate): the stack cannot see it, so https:// there is taken, not refused.
  const INGRESS_PLAIN = `    ingress:
      host: grafana.example.net
      controllerNamespace: ingress-nginx
`;
  it("takes https:// on an Ingress without tls, and still refuses another host", () => {
    assert.throws(() => refusal(stack("https://grafana.example.net", INGRESS_PLAIN), "lab"), /was accepted/);
    const e = refusal(stack("https://other.example.net", INGRESS_PLAIN), "lab");
    assert.ok(
      e.problems.some((x) => /expected a URL on grafana\.ingress\.host "grafana\.example\.net"/.test(x)),
      e.message,
    );
  });
});

describe("config: grafana.url's scheme judged in the run that refuses a key of its Ingress", () => {
  // The Ingress's other keys still decide the scheme: a required key missing or refused beside them
  // stands in (schema.ts standingIn), so the URL's mistake is said in the same run, not the next.
  const HTTP = "http://grafana.example.net";
  const WANT = `${P("grafana.url")}: expected a URL starting https:// as people reach grafana.ingress.host (grafana.ingress.tls is set), got "${HTTP}"`;

  it("says the URL's scheme beside a missing controllerNamespace, and notes what stood in", () => {
    const e = refusal(
      stack(
        HTTP,
        "    ingress: {host: grafana.example.net, className: nginx, tls: {secretName: grafana-tls}}\n",
      ),
      "lab",
    );
    assert.deepEqual(
      e.problems.map((p) => p.split(/: (?=required|expected)/)[0]),
      [P("grafana.url"), P("grafana.ingress.controllerNamespace")],
      e.message,
    );
    assert.equal(
      e.problems[0],
      `${WANT}; set it to https://grafana.example.net, or leave grafana.url out and the program sets it`,
    );
    assert.deepEqual(e.notes, [
      `(the rules between keys (which keys need which) ran with ${P("grafana.ingress.controllerNamespace")} read as "ingress-nginx", the required key not being set)`,
    ]);
  });

  it("says the URL's scheme beside a host written with its scheme, without naming a host it cannot know", () => {
    const e = refusal(
      stack(
        HTTP,
        "    ingress: {host: 'https://grafana.example.net', controllerNamespace: ingress-nginx, tls: {secretName: grafana-tls}}\n",
      ),
      "lab",
    );
    assert.equal(e.problems.length, 2, e.message);
    assert.equal(
      e.problems[0],
      `${WANT}; leave grafana.url out and the program sets it to https:// and grafana.ingress.host`,
    );
    assert.match(e.problems[1], /^homelab-observability:grafana\.ingress\.host: expected a host name/);
  });

  it("says the URL's scheme beside a refused tls.secretName: TLS is still asked for", () => {
    const e = refusal(
      stack(HTTP, INGRESS_TLS.replace("secretName: grafana-tls", "secretName: Grafana_TLS")),
      "lab",
    );
    assert.equal(e.problems.length, 2, e.message);
    assert.ok(e.problems[0].startsWith(WANT), e.message);
  });
});

describe("config: a route's required map missing is said beside the route's other problems", () => {
  // A required map whose required keys all have stand-ins stands in as a whole (errors.ts
  // standInFor): a missing parentRef set the whole route aside, and grafana.url's path waited.
  it("says a missing parentRef, a bad host and grafana.url's path in one run, with the stand-in noted", () => {
    const url = "https://grafana.example.net/grafana";
    const e = refusal(stack(url, "    httpRoute:\n      host: Grafana_Bad\n"), "lab");
    assert.deepEqual(
      e.problems.map((p) => p.split(/: (?=required|expected)/)[0]),
      [P("grafana.url"), P("grafana.httpRoute.parentRef"), P("grafana.httpRoute.host")],
      e.message,
    );
    assert.equal(
      e.problems[0],
      `${P("grafana.url")}: expected a URL with no path, query or fragment, as grafana.httpRoute serves Grafana at the root of grafana.httpRoute.host (Grafana's links and redirects would carry what follows the host, which nothing routes), got "${url}" (it has a path); set it to https://grafana.example.net, or leave grafana.url out and the program sets it`,
    );
    assert.match(
      e.problems[1],
      /: required, expected an object \(.*like `name: <name>` then `namespace: <namespace>`.*\), got nothing$/,
    );
    assert.match(
      e.message,
      /parentRef: required[^\n]*\n\s+at [^\n]*Pulumi\.lab\.yaml:\d+:\d+\n\s+\d+ \|\s+httpRoute:/,
    );
    assert.ok(
      e.notes.includes(
        `(the rules between keys (which keys need which) ran with ${P("grafana.httpRoute.parentRef")} read as {"name":"public","namespace":"gateways"}, the required key not being set)`,
      ),
      e.message,
    );
  });
});

describe("config: a grafana.url with a path beside grafana.ingress or grafana.httpRoute", () => {
  // Both route the host's root to Grafana, which serves from `/`: a path in root_url breaks every
  // link and redirect (Grafana serves under a path only with serve_from_sub_path).
  it("refuses a path, naming the URL to set", () => {
    const e = refusal(stack("https://grafana.example.net/grafana/", INGRESS_TLS), "lab");
    assert.deepEqual(e.problems, [
      `${P("grafana.url")}: expected a URL with no path, query or fragment, as grafana.ingress serves Grafana at the root of grafana.ingress.host (Grafana's links and redirects would carry what follows the host, which nothing routes), got "https://grafana.example.net/grafana/" (it has a path); set it to https://grafana.example.net, or leave grafana.url out and the program sets it`,
    ]);
    assert.match(e.message, /Pulumi\.lab\.yaml:\d+:\d+/);
  });

  it("refuses a path on an HTTPRoute too, and takes the root with or without its slash", () => {
    const e = refusal(stack("http://grafana.example.net/g", ROUTE_HTTP), "lab");
    assert.equal(e.problems.length, 1, e.message);
    assert.match(
      e.problems[0],
      /expected a URL with no path, query or fragment, as grafana\.httpRoute serves Grafana/,
    );
    assert.throws(() => refusal(stack("http://grafana.example.net/", ROUTE_HTTP), "lab"), /was accepted/);
    assert.throws(() => refusal(stack("http://grafana.example.net", ROUTE_HTTP), "lab"), /was accepted/);
  });

  // What follows the host is wrong whichever way is kept, on whatever host: said in the same run
  // as both ways set and as a wrong host (it waited for them to be fixed).
  it("says a path and a query beside both ways set, in the same run", () => {
    const url = "https://grafana.example.net/grafana?orgId=1";
    const e = refusal(stack(url, `${INGRESS_TLS}${ROUTE_HTTP}`), "lab");
    assert.deepEqual(
      e.problems,
      [
        `${P("grafana.url")}: expected a URL with no path, query or fragment, as grafana.ingress and grafana.httpRoute serve Grafana at the root of grafana.ingress.host and grafana.httpRoute.host (Grafana's links and redirects would carry what follows the host, which nothing routes), got "${url}" (it has a path and a query); set it to https://grafana.example.net, or leave grafana.url out and the program sets it`,
        `${P("grafana.httpRoute")}: expected either grafana.ingress or grafana.httpRoute, got both (Grafana has one root_url)`,
      ],
      e.message,
    );
  });

  it("says a query beside a URL on another host in one message, naming the URL on the way's host", () => {
    const url = "https://other.example.net/?orgId=1";
    const e = refusal(stack(url, INGRESS_TLS), "lab");
    assert.deepEqual(
      e.problems,
      [
        `${P("grafana.url")}: expected a URL on grafana.ingress.host "grafana.example.net" (Grafana's links and redirects use it); and a URL with no path, query or fragment, as grafana.ingress serves Grafana at the root of grafana.ingress.host (Grafana's links and redirects would carry what follows the host, which nothing routes) (it has a query); got "${url}"; set it to https://grafana.example.net, or leave grafana.url out and the program sets it`,
      ],
      e.message,
    );
    // On another host alone, the URL to set is said too, with the scheme people reach it with.
    assert.match(
      refusal(stack("http://other.example.net", INGRESS_TLS), "lab").problems.join("\n"),
      /got "http:\/\/other\.example\.net"; set it to https:\/\/grafana\.example\.net, or leave grafana\.url out/,
    );
  });

  it("names each of a path, a query and a fragment as what it is, every one it has", () => {
    for (const [url, what] of [
      ["https://grafana.example.net?orgId=1", "a query"],
      ["https://grafana.example.net/?orgId=1", "a query"],
      ["https://grafana.example.net#home", "a fragment"],
      // Empty, which URL parses as none: root_url kept the `?`.
      ["https://grafana.example.net/?", "a query"],
      ["https://grafana.example.net#", "a fragment"],
      // Every part in the one message: the first alone named sent its writer back once per part.
      ["https://grafana.example.net/sub?x=1", "a path and a query"],
      ["https://grafana.example.net/sub?x=1#top", "a path, a query and a fragment"],
      ["https://grafana.example.net/?#", "a query and a fragment"],
    ]) {
      const e = refusal(stack(url, INGRESS_TLS), "lab");
      assert.deepEqual(e.problems, [
        `${P("grafana.url")}: expected a URL with no path, query or fragment, as grafana.ingress serves Grafana at the root of grafana.ingress.host (Grafana's links and redirects would carry what follows the host, which nothing routes), got "${url}" (it has ${what}); set it to https://grafana.example.net, or leave grafana.url out and the program sets it`,
      ]);
    }
  });
});

describe("config: a grafana.url with a login and what follows its host, in one run (issue 51)", () => {
  // The schema refuses the login; the rules between keys read the rest (the URL without its
  // login): cut, they ran with grafana.url at its default, and the path and the query were said
  // one run later.
  const LOGIN = "hunter2";
  const URL_GIVEN = `https://admin:${LOGIN}@grafana.example.net/sub?x=1`;
  const SHOWN = "https://<redacted>@grafana.example.net/sub?x=1";

  it("says the login and the path and query in one message, never the password", () => {
    const e = refusal(stack(URL_GIVEN, INGRESS_TLS), "lab");
    assert.deepEqual(
      e.problems,
      [
        `${P("grafana.url")}: expected a URL with scheme http or https, a host and no credentials, like "https://grafana.example.net" (it carries credentials); and a URL with no path, query or fragment, as grafana.ingress serves Grafana at the root of grafana.ingress.host (Grafana's links and redirects would carry what follows the host, which nothing routes) (it has a path and a query); got string "${SHOWN}"; set it to https://grafana.example.net, or leave grafana.url out and the program sets it`,
      ],
      e.message,
    );
    assert.deepEqual(e.notes, [
      `(the rules between keys (which keys need which) read ${P("grafana.url")} "${SHOWN}" as "https://grafana.example.net/sub?x=1", the URL without its login)`,
    ]);
    assert.ok(![e.message, ...e.notes].some((t) => t.includes(LOGIN)), e.message);
    // The hint, applied, is taken.
    assert.throws(() => refusal(stack("https://grafana.example.net", INGRESS_TLS), "lab"), /was accepted/);
  });

  it("says a wrong host beside the login, and hides a password holding an @, a / or a space", () => {
    const e = refusal(stack("http://admin:p@ss@other.example.net", INGRESS_TLS), "lab");
    assert.equal(e.problems.length, 1, e.message);
    assert.deepEqual(
      [...e.problems[0].matchAll(/(?:expected |; (?:and )?)(a URL \S+ \S+)/g)].map((m) => m[1]),
      ["a URL with scheme", "a URL on grafana.ingress.host"],
      e.message,
    );
    assert.match(
      e.problems[0],
      /got string "http:\/\/<redacted>@other\.example\.net"; set it to https:\/\/grafana\.example\.net, or/,
    );
    assert.ok(![e.message, ...e.notes].some((t) => /ss@/.test(t)), e.message);
    // A `/` in the password ends URL's host part, so the URL does not parse: it is still a login,
    // said so, and the path after the host is judged beside it.
    for (const url of [
      "https://admin:ab/cd@grafana.example.net/g",
      '"https://admin:my pass@grafana.example.net/g"',
    ]) {
      const f = refusal(stack(url, INGRESS_TLS), "lab");
      assert.deepEqual(
        f.problems.map((p) => [...p.matchAll(/\((it [^)]*)\)/g)].map((m) => m[1])),
        [["it carries credentials", "it has a path"]],
        f.message,
      );
      assert.ok(![f.message, ...f.notes].some((t) => /cd@|pass@/.test(t)), f.message);
    }
  });
});

describe("config: a grafana.url with another scheme and a login, every refused part in the first run, in one message", () => {
  // Refused for its scheme as well as its login, the URL was cut whole: the rules ran with
  // grafana.url at its default, and its path, query and fragment were said once the scheme and the
  // login were fixed. The rules read it as http without its login; the scheme is its schema line's.
  // The schema and the rules each refusing part of the one value written gave a line each at the
  // same place: it is one mistake, one message, ending with the URL to write.
  it("says the scheme and the login, and the path, query and fragment, never the password", () => {
    for (const [given, shown, login] of [
      [
        "ftp://admin:hunter2@grafana.example.net/sub?x=1#f",
        "ftp://<redacted>@grafana.example.net/sub?x=1#f",
        ", it carries credentials",
      ],
      ["ftp://grafana.example.net/sub?x=1#f", "ftp://grafana.example.net/sub?x=1#f", ""],
    ]) {
      const e = refusal(stack(given, INGRESS_TLS), "lab");
      assert.deepEqual(
        e.problems,
        [
          `${P("grafana.url")}: expected a URL with scheme http or https, a host and no credentials, like "https://grafana.example.net" (its scheme is ftp${login.replace(",", " and")}); a URL starting https:// as people reach grafana.ingress.host (grafana.ingress.tls is set); and a URL with no path, query or fragment, as grafana.ingress serves Grafana at the root of grafana.ingress.host (Grafana's links and redirects would carry what follows the host, which nothing routes) (it has a path, a query and a fragment); got string "${shown}"; set it to https://grafana.example.net, or leave grafana.url out and the program sets it`,
        ],
        e.message,
      );
      assert.equal(e.message.match(/Pulumi\.lab\.yaml:\d+:\d+/g)?.length, 1, e.message);
      assert.ok(![e.message, ...e.notes].some((t) => t.includes("hunter2")), e.message);
    }
    // A wrong host beside them is said too, in the same message, with the scheme people reach
    // Grafana with.
    const e = refusal(stack("ftp://admin:hunter2@other.example.net/sub", INGRESS_TLS), "lab");
    assert.equal(e.problems.length, 1, e.message);
    assert.deepEqual(
      [...e.problems[0].matchAll(/(?:expected |; (?:and )?)(a URL \S+ \S+)/g)].map((m) => m[1]),
      ["a URL with scheme", "a URL on grafana.ingress.host", "a URL with no"],
      e.message,
    );
    assert.match(
      e.problems[0],
      /\(its scheme is ftp and it carries credentials\).*\(it has a path\); got string "ftp:\/\/<redacted>@other\.example\.net\/sub";.* set it to https:\/\/grafana\.example\.net, or leave grafana\.url out and the program sets it$/,
    );
    assert.ok(!e.message.includes("hunter2"), e.message);
    // The scheme to write is said in the first run, by the rule on it judging the scheme written
    // (not the http read in place of ftp): behind the route's http, http (not "http or https" and
    // then https refused), in the one message with the URL to set.
    assert.deepEqual(refusal(stack("ftp://grafana.example.net", ROUTE_HTTP), "lab").problems, [
      `${P("grafana.url")}: expected a URL with scheme http or https, a host and no credentials, like "https://grafana.example.net" (its scheme is ftp); and a URL starting http:// as people reach grafana.httpRoute.host (grafana.httpRoute.scheme is http); got string "ftp://grafana.example.net"; set it to http://grafana.example.net, or leave grafana.url out and the program sets it`,
    ]);
    // The hint, applied, is taken.
    assert.throws(() => refusal(stack("https://grafana.example.net", INGRESS_TLS), "lab"), /was accepted/);
  });
});

describe("config: a refused grafana.url with a credential in its query, read by the rules", () => {
  // The rules read `ftp://…@host/sub?token=…` as http without its login; the note saying so
  // printed that reading as it was, the query's token with it, and the rules' line (which hides
  // the token) was not told apart from the value it read, so the one value written gave two lines.
  it("never shows the query's credential, and the value written is one message", () => {
    for (const url of [
      "ftp://admin:hunter2@other.example.net:8080/sub?token=tok3n#f",
      "https://admin:hunter2@grafana.example.net/?apikey=tok3n",
    ]) {
      const e = refusal(stack(url, INGRESS_TLS), "lab");
      assert.ok(
        ![e.message, ...e.notes].some((t) => /hunter2|tok3n/.test(t)),
        [e.message, ...e.notes].join("\n"),
      );
      assert.equal(e.problems.length, 1, e.message);
    }
  });

  it("offers the URL the Ingress serves: no port, neither another host's nor one on its own host", () => {
    // An Ingress serves 80 and 443: a port kept from the URL given is one nothing serves.
    for (const url of ["https://other.example.net:8080/", "https://grafana.example.net:8080/sub"]) {
      const e = refusal(stack(url, INGRESS_TLS), "lab");
      const hints = e.problems.filter((p) => p.includes("set it to"));
      assert.ok(hints.length > 0, e.message);
      for (const p of hints) assert.match(p, /; set it to https:\/\/grafana\.example\.net, or leave/, p);
    }
  });
});

describe("config: grafana.url's scheme decided in one place, with the rules' reading (issue 51)", () => {
  // A hint on the schema's line read the raw config apart from the rule on the scheme: it named
  // https for a `tls: yes` or a `scheme: null` that the rules read as unset (their note says so),
  // and behind a path it gave a second URL to set beside the rule's.
  it("names no scheme a refused tls or scheme cannot decide, as the note on the rules says", () => {
    for (const exposure of [
      INGRESS_TLS.replace(/ {6}tls:\n {8}secretName: grafana-tls\n/, "      tls: yes\n"),
      ROUTE_HTTP.replace("scheme: http", "scheme: null"),
    ]) {
      const e = refusal(stack("ftp://grafana.example.net/sub", exposure), "lab");
      const [url] = e.problems.filter((p) => p.startsWith(P("grafana.url")));
      assert.ok(url, e.message);
      assert.doesNotMatch(
        url,
        /set it to https|write https|people reach Grafana over|URL starting/,
        e.message,
      );
      assert.match(url, /; leave grafana\.url out and the program sets it$/, e.message);
      assert.match(e.notes.join("\n"), /ran with .*(tls unset|scheme at its default)/, e.notes.join("\n"));
    }
  });

  it("gives one URL to set for a wrong scheme and a path", () => {
    const e = refusal(stack("http://grafana.example.net/sub", INGRESS_TLS), "lab");
    assert.equal(e.problems.length, 1, e.message);
    assert.match(
      e.problems[0],
      /\(grafana\.ingress\.tls is set\); and a URL with no path.*; got "http:\/\/grafana\.example\.net\/sub"; set it to https:\/\/grafana\.example\.net, or leave grafana\.url out and the program sets it$/,
    );
    assert.equal(e.problems[0].match(/https:\/\/grafana\.example\.net/g)?.length, 1, e.message);
  });
});

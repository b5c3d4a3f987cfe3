/**
 * Go's url.Parse (go1.26.8 src/net/url/url.go), as far as the refusals of a Kubernetes API server
 * address go: prometheus-operator v0.93.0 parses `--apiserver` with it (pkg/k8s/k8s.go:96-99) and
 * client-go v0.36.3's DefaultServerURL parses it again (rest/url_utils.go:30-48). Restated for an
 * ASCII address without an IP literal: a `[` host is IPv6 syntax netip.ParseAddr judges, and a
 * non-ASCII byte makes Go's byte-wise reading differ from a string's, so either is left unjudged.
 */
import { goQuoteAscii } from "./goStrconv";

/** What url.Parse gives: the parts DefaultServerURL reads, its error (url.Error's text), or unjudged. */
export type GoUrl = { scheme: string; host: string; path: string } | { error: string } | { unknown: string };

const HEX = /^[0-9a-fA-F]$/;
/** The ASCII bytes a host takes unescaped (gen_encoding_table.go:153-177 shouldEscape, encodeHost). */
const HOST_BYTE = /^[A-Za-z0-9!$&'()*+,;=:[\]<>"\-_.~]$/;

/**
 * unescape's refusal (url.go:106-146) of `s`: a `%` not followed by two hex digits; in a host
 * (`host`), a `%XX` of an ASCII byte but `%25`, and a byte shouldEscape escapes.
 */
function unescapeError(s: string, host = false): string | undefined {
  for (let i = 0; i < s.length;) {
    if (s[i] === "%") {
      if (i + 2 >= s.length || !HEX.test(s[i + 1]) || !HEX.test(s[i + 2]))
        return `invalid URL escape ${goQuoteAscii(s.slice(i, i + 3))}`;
      if (host && parseInt(s[i + 1], 16) < 8 && s.slice(i, i + 3) !== "%25")
        return `invalid URL escape ${goQuoteAscii(s.slice(i, i + 3))}`;
      i += 3;
    } else {
      if (host && !HOST_BYTE.test(s[i])) return `invalid character ${goQuoteAscii(s[i])} in host name`;
      i++;
    }
  }
  return undefined;
}

/** validUserinfo (url.go:1263-1295). */
const USERINFO = /^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/;

/** parse (url.go:432-510) of `u`, the part before a `#`: its scheme, host and path, or why not. */
function parse(u: string): GoUrl {
  if (/[\x00-\x1f\x7f]/.test(u)) return { error: "net/url: invalid control character in URL" };
  if (u === "*") return { scheme: "", host: "", path: "*" };
  // getScheme (url.go:369-391): letters, then digits, `+`, `-` or `.`, up to a `:`.
  let scheme = "";
  let rest = u;
  for (let i = 0; i < u.length; i++) {
    const c = u[i];
    if (/[A-Za-z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c) && i > 0) continue;
    if (c === ":") {
      if (i === 0) return { error: "missing protocol scheme" };
      [scheme, rest] = [u.slice(0, i).toLowerCase(), u.slice(i + 1)];
    }
    break;
  }
  // The query (after the first `?`) is not read here.
  rest = rest.split("?")[0];
  if (!rest.startsWith("/")) {
    // A rootless path after a scheme is opaque (url.go:459-463).
    if (scheme !== "") return { scheme, host: "", path: "" };
    if (rest.split("/")[0].includes(":")) return { error: "first path segment in URL cannot contain colon" };
  }
  let host = "";
  if ((scheme !== "" || !rest.startsWith("///")) && rest.startsWith("//")) {
    let authority = rest.slice(2);
    const slash = authority.indexOf("/");
    [authority, rest] = slash < 0 ? [authority, ""] : [authority.slice(0, slash), authority.slice(slash)];
    // parseAuthority (url.go:512-546): the host after the last `@`, then the userinfo before it.
    const at = authority.lastIndexOf("@");
    const h = parseHost(scheme, authority.slice(at + 1));
    if (typeof h !== "string") return h;
    host = h;
    if (at >= 0) {
      const userinfo = authority.slice(0, at);
      if (!USERINFO.test(userinfo)) return { error: "net/url: invalid userinfo" };
      const colon = userinfo.indexOf(":");
      const parts = colon < 0 ? [userinfo] : [userinfo.slice(0, colon), userinfo.slice(colon + 1)];
      for (const p of parts) {
        const e = unescapeError(p);
        if (e !== undefined) return { error: e };
      }
    }
  }
  // setPath (url.go:660-673): unescape in path mode refuses a bad `%` alone.
  const e = unescapeError(rest);
  if (e !== undefined) return { error: e };
  return { scheme, host, path: rest.toLowerCase() === "%2f" ? "/" : rest };
}

/**
 * parseHost (url.go:549-641) of a host without an IP literal: the port after the first `:` for
 * http and https (GODEBUG urlstrictcolons, url.go:607-621, the new behaviour for a module of go
 * 1.26: the operator's go.mod:3 says go 1.26.0), after the last for any other scheme; digits only.
 */
function parseHost(scheme: string, host: string): string | { error: string } | { unknown: string } {
  const open = host.lastIndexOf("[");
  if (open > 0) return { error: "invalid IP-literal" };
  if (open === 0) return { unknown: "an IP literal, which netip.ParseAddr judges" };
  const first = host.indexOf(":");
  if (first >= 0) {
    const i = scheme === "http" || scheme === "https" ? first : host.lastIndexOf(":");
    const colonPort = host.slice(i);
    if (!/^:[0-9]*$/.test(colonPort)) return { error: `invalid port ${goQuoteAscii(colonPort)} after host` };
  }
  const e = unescapeError(host, true);
  return e === undefined ? host : { error: e };
}

/** url.Parse (url.go:399-413): the fragment after the first `#` unescaped apart, its error naming the whole address. */
export function goUrlParse(raw: string): GoUrl {
  if (/[^\x00-\x7f]/.test(raw)) return { unknown: "a non-ASCII address" };
  const hash = raw.indexOf("#");
  const [u, frag] = hash < 0 ? [raw, ""] : [raw.slice(0, hash), raw.slice(hash + 1)];
  const r = parse(u);
  if ("error" in r) return { error: `parse ${goQuoteAscii(u)}: ${r.error}` };
  if ("unknown" in r || frag === "") return r;
  const e = unescapeError(frag);
  return e === undefined ? r : { error: `parse ${goQuoteAscii(raw)}: ${e}` };
}

/**
 * How prometheus-operator v0.93.0 refuses `--apiserver=<host>` before it connects, or undefined
 * when it goes on to connect (where a bad address fails later, not judged here) or when that is not
 * judged (`unknown`). Its `start` (cmd/operator/main.go:311-329) builds the client config with
 * k8s.NewClusterConfig, which url.Parse-s the host (pkg/k8s/k8s.go:92-99; failing, main.go:316-320
 * logs "failed to create Kubernetes client configuration" and returns 1), then
 * kubernetes.NewForConfig, whose REST clients call client-go v0.36.3's DefaultServerURL
 * (rest/url_utils.go:30-48, 82-97): an address without a scheme or a host is parsed again after
 * `http://` (`https://` only with a CA, a certificate or --tls-insecure, here left unjudged), and
 * that one with a path other than `/` is refused (main.go:323-328 logs "failed to create Kubernetes
 * client" and returns 1). The v0.93.0 binary was run on each form (test/upstream/goUrl.test.ts).
 */
export function operatorApiserverRefusal(
  host: string,
  tls: boolean,
): { message: string; error: string; at: string } | { unknown: string } | undefined {
  if (host === "") return undefined;
  const first = goUrlParse(host);
  if ("unknown" in first) return first;
  if ("error" in first)
    return {
      message: "failed to create Kubernetes client configuration",
      error: `error parsing host url ${host}: ${first.error}`,
      at: "pkg/k8s/k8s.go:96-99, logged at cmd/operator/main.go:318",
    };
  if (first.scheme !== "" && first.host !== "") return undefined;
  // The TLS flags reach the client only for an https address (pkg/k8s/k8s.go:100-102), then
  // making client-go's default scheme https (rest/url_utils.go:82-87).
  if (tls && first.scheme === "https")
    return { unknown: "a TLS flag makes client-go parse it again after https://" };
  const again = goUrlParse(`http://${host}`);
  if ("unknown" in again) return again;
  const at = "client-go v0.36.3 rest/url_utils.go:30-48, logged at cmd/operator/main.go:325";
  if ("error" in again) return { message: "failed to create Kubernetes client", error: again.error, at };
  if (again.path !== "" && again.path !== "/")
    return {
      message: "failed to create Kubernetes client",
      error: `host must be a URL or a host:port pair: ${goQuoteAscii(host)}`,
      at,
    };
  return undefined;
}

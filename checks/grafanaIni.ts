/**
 * The `[dataproxy]` timeouts of a rendered `grafana.ini` that Grafana silently replaces. Grafana
 * reads each as a whole number of seconds with gopkg.in/ini.v1's `MustInt(<default>)`
 * (grafana/grafana pkg/setting/setting_data_proxy.go readDataProxySettings, the same in both
 * versions the index stores, 116a876a and 36a3bae7; the v12.3.1 tag's commit is not stored), which
 * returns the default when the text is no integer (ini.v1 key.go `MustInt`: `if len(defaultVal) > 0
 * && err != nil { return defaultVal[0] }`), without a word in the log. So `timeout = 60s` gives a
 * 10-second proxy timeout. Read, not run. Only a
 * number with a duration's unit is reported: `Key.Int` is strconv.ParseInt with base 0 in ini.v1
 * v1.63.2 (key.go:206), strconv.Atoi in older releases, and neither takes a text ending in a unit
 * letter; a form only base 0 takes (`0x3c`, `1_000`) is not reported, whichever Grafana links.
 *
 * The grafana chart writes its `grafana.ini` values into the ConfigMap's `grafana.ini` key as
 * `key = value` under `[section]` (grafana 12.3.1 templates/_config.tpl:25-40). A container
 * variable `GF_DATAPROXY_<KEY>`, or an `envFrom` that may hold one, replaces the file's value
 * (Grafana's environment overrides): such a key is left unjudged. So is a key a container's
 * `command` or `args` sets as `cfg:dataproxy.<key>=<value>`: the image's run.sh passes its arguments
 * to `grafana server` (packaging/docker/run.sh `"$@"`), and Grafana applies such a property over
 * the file and the environment (pkg/setting/setting.go getCommandLineProperties,
 * applyCommandLineProperties, the stored versions; read, not run).
 */
import { containersOf, describe, podTemplates, type Finding, type Placed } from "./objects";

/** Each `[dataproxy]` key read with MustInt as seconds, and the default it falls back to. */
const DATAPROXY_SECONDS: Record<string, number> = {
  timeout: 10,
  dialTimeout: 30,
  keep_alive_seconds: 30,
  tls_handshake_timeout_seconds: 10,
  expect_continue_timeout_seconds: 1,
  idle_conn_timeout_seconds: 90,
};

/** A number with a duration's unit, which no base-0 integer parse takes. */
const WITH_UNIT = /^\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d|w|y)$/;

/** The `key = value` lines of one ini section, by key (the last line of a key wins, as ini.v1 reads it). */
function sectionOf(text: string, name: string): Map<string, string> {
  const out = new Map<string, string>();
  let section = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const head = /^\[([^\]]+)\]$/.exec(line);
    if (head) section = head[1].trim();
    const kv = /^([^=;#[]+?)\s*=\s*(.*)$/.exec(line);
    if (kv && section === name) out.set(kv[1], kv[2]);
  }
  return out;
}

/** Whether a container of a pod mounting the ConfigMap `cm` may set the key through its environment or arguments. */
function setByEnv(objects: Placed[], cm: string, key: string): boolean {
  const name = `GF_DATAPROXY_${key.toUpperCase()}`;
  const property = `cfg:dataproxy.${key}=`;
  const isProperty = (a: unknown) => typeof a === "string" && a.startsWith(property);
  const mounting = podTemplates(objects).filter((t) =>
    (t.spec.volumes ?? []).some((v: any) => v?.configMap?.name === cm),
  );
  return mounting.some((t) =>
    containersOf(t.spec).some(
      (c) =>
        (c?.envFrom ?? []).length > 0 ||
        (c?.env ?? []).some((e: any) => e?.name === name) ||
        [...(c?.command ?? []), ...(c?.args ?? [])].some(isProperty),
    ),
  );
}

/** Judges the `[dataproxy]` timeouts of every rendered `grafana.ini`. */
export function checkGrafanaIni(objects: Placed[]): { judged: number; findings: Finding[] } {
  const files = objects.filter(
    (p) => p.obj.kind === "ConfigMap" && typeof p.obj.data?.["grafana.ini"] === "string",
  );
  const findings: Finding[] = [];
  for (const p of files)
    for (const [key, v] of sectionOf(p.obj.data["grafana.ini"], "dataproxy")) {
      const fallback = DATAPROXY_SECONDS[key];
      if (fallback === undefined || !WITH_UNIT.test(v) || setByEnv(objects, p.obj.metadata.name, key))
        continue;
      findings.push({
        check: "grafana-ini",
        where: `${describe(p)} grafana.ini`,
        message: `[dataproxy] ${key}: expected a whole number of seconds like "30", got "${v}" (Grafana reads no integer there and silently uses ${fallback} seconds instead)`,
        judged: [`["grafana.ini"].dataproxy.${key}`],
      });
    }
  return { judged: files.length, findings };
}

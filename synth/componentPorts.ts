import * as fs from "fs";
import * as path from "path";
import { chartCacheDir, chartTar } from "../config/chartCache";
import { tarFiles } from "../config/chartKeys";
import { pinnedChart } from "../model/versions";
import { regExpText } from "../model/words";

/*
 * The port names a chart component's templates declare, for a report on a port none of a rule's
 * pods declares whose selector covers a whole release (synth/report.ts switchedOff): a component
 * a switch left out is its cause only if the chart gave it that port. Its objects are not rendered
 * (the switch is off), so its templates at the pinned version are read: loki 18.11.0 writes
 * `http` on the gateway's nginx container (templates/gateway/deployment.yaml) and only
 * `http-metrics` on the canary's (templates/loki-canary/daemonset.yaml).
 */

/** By `<chart>/<component>`: the names, or undefined when not known. */
const known = new Map<string, Set<string> | undefined>();

/**
 * The names in the `ports:` lists of the templates of `component` (a switch's key in kebab case,
 * `loki-canary`: a folder `templates/<component>/` or files `templates/<component>-*.yaml`) of the
 * pinned `chart`. Empty when the chart has no template of that name and no subchart (a switch of
 * no pods of its own, `persistence`). Undefined when they cannot be known: no archive in the chart
 * cache, a subchart of that name (`charts/<component>/`, not read), a name (or a whole entry, or a
 * whole list) a template expression writes, or a workload, pod or container a helper defined
 * elsewhere writes (`{{- include "loki.memcached.statefulSet" … }}`, `loki.component`,
 * `grafana.pod`): its ports are in that helper's file, under another name.
 */
export function componentPortNames(chart: string, component: string): Set<string> | undefined {
  const key = `${chart}/${component}`;
  if (known.has(key)) return known.get(key);
  const found = read(chart, component);
  known.set(key, found);
  return found;
}

function read(chart: string, component: string): Set<string> | undefined {
  const version = pinnedChart(chart)?.version;
  const archive = version && path.join(chartCacheDir(), `${chart}-${version}.tgz`);
  if (!archive || !fs.existsSync(archive)) return undefined;
  const subchart = new RegExp(`^[^/]+/charts/${regExpText(component)}/Chart\\.yaml$`);
  const ofComponent = (name: string) => {
    if (subchart.test(name)) return true;
    const m = /^[^/]+\/templates\/(.+)$/.exec(name);
    if (!m || !/\.(ya?ml|tpl)$/.test(m[1])) return false;
    const parts = m[1].split("/");
    return parts.slice(0, -1).includes(component) || parts[parts.length - 1].startsWith(`${component}-`);
  };
  let files: Map<string, string>;
  try {
    files = tarFiles(chartTar(archive), ofComponent);
  } catch {
    return undefined;
  }
  const names = new Set<string>();
  for (const [name, text] of files) {
    if (subchart.test(name) || writesPodByHelper(text) || !portNamesIn(text, names)) return undefined;
  }
  return names;
}

/**
 * Whether a template has a helper write a workload, its pod or containers, or their ports: an
 * include (or template) on a line of its own whose helper's last name part says so
 * (`loki.component`, `loki.memcached.statefulSet`, `alloy.pod-template`, `vector.containerPorts`).
 * Helpers of labels, names, probes or security contexts write no port.
 */
function writesPodByHelper(text: string): boolean {
  for (const m of text.matchAll(/^\s*\{\{-?\s*(?:include|template)\s+"([^"]+)"/gm)) {
    const last = m[1].split(".").pop() ?? "";
    if (
      /^(?:component|workload|pod|pod-?template|deployment|stateful-?set|daemon-?set|containers?|(?:container-?)?ports)$/i.test(
        last,
      )
    )
      return true;
  }
  return false;
}

/**
 * Adds the names of each `ports:` list of a template to `names`; false when a list holds a template
 * expression on a line of its own (entries it writes) or a name written by one.
 */
function portNamesIn(text: string, names: Set<string>): boolean {
  const lines = text.split("\n");
  const indent = (l: string) => l.length - l.trimStart().length;
  for (let i = 0; i < lines.length; i++) {
    // A list a template expression writes on the key's own line (`ports: {{ toYaml … }}`).
    if (/^\s*(?:-\s+)?ports:.*\{\{/.test(lines[i])) return false;
    if (!/^\s*ports:\s*$/.test(lines[i])) continue;
    const at = indent(lines[i]);
    for (let j = i + 1; j < lines.length; j++) {
      const l = lines[j];
      if (l.trim() === "") continue;
      // YAML lets a list's entries sit at its key's indentation (`ports:` then `- name: http`).
      if (indent(l) < at || (indent(l) === at && !/^\s*-\s/.test(l))) break;
      if (/^\s*\{\{/.test(l)) {
        // A condition around a field (`{{- if … }}` / `{{- end }}`) writes no entry; anything else may.
        if (/^\s*\{\{-?\s*(?:if|else|end)\b/.test(l)) continue;
        return false;
      }
      const name = /^\s*(?:-\s+)?name:\s*(.+?)\s*$/.exec(l)?.[1];
      if (name === undefined) continue;
      if (name.includes("{{")) return false;
      names.add(name.replace(/^["']|["']$/g, ""));
    }
  }
  return true;
}

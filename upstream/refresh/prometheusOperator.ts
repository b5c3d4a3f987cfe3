/**
 * prometheus-operator's flags, from a checkout of prometheus-operator/prometheus-operator at the
 * tag kube-prometheus-stack's appVersion names (88.0.0: v0.93.0): every flag its operator binary
 * registers on the FlagSet it parses (cmd/operator/main.go:808 `flag.NewFlagSet(os.Args[0],
 * flag.ExitOnError)`, parsed at :203), read from the Go source (upstream/refresh/goFlags.ts
 * goDeclaredFlags) from `parseFlags` (main.go:136) down: its own registrations and those of
 * server.RegisterFlags, logging.RegisterFlags and versionutil.RegisterFlags. One call the reader
 * does not follow, a method of the package variable `cfg` (an operator.Config, main.go:110),
 * `cfg.RegisterFeatureGatesFlags(fs, featureGates)` (main.go:197), is read as a root of its own.
 */
import * as fs from "fs";
import * as path from "path";
import { goDeclaredFlags } from "./goFlags";
import { goValueTypes } from "./goValueTypes";
import type { Refreshed, Source } from "./source";
import {
  OPERATOR_FLAG_COLUMNS,
  OPERATOR_GATE_COLUMNS,
  prometheusOperatorFolder,
} from "../operators/prometheusOperator";

const MODULE = "github.com/prometheus-operator/prometheus-operator";
/** The packages the flags are registered in (the module vendors nothing). */
const GO_ROOTS = ["cmd", "pkg", "internal"] as const;
/** Where the reading starts: the binary's parse, and the method of `cfg` it calls (see above). */
const FLAG_ROOTS = [
  { dir: "cmd/operator", name: "parseFlags" },
  { dir: "pkg/operator", name: "Config.RegisterFeatureGatesFlags" },
] as const;

export function refreshPrometheusOperator(checkout: string, source: Source): Refreshed {
  const folder = prometheusOperatorFolder(source.tag);
  const main = path.join(checkout, "cmd", "operator", "main.go");
  if (!fs.existsSync(main))
    throw new Error(`prometheus-operator: expected cmd/operator/main.go in ${checkout}, found none`);
  const flags = new Map<string, { kind: string; source: string }>();
  const valueType = goValueTypes(checkout, MODULE);
  for (const root of FLAG_ROOTS)
    for (const f of goDeclaredFlags(checkout, GO_ROOTS, MODULE, new Set(), root)) {
      if (f.found === "unresolved")
        throw new Error(
          `prometheus-operator: ${f.flag} (${f.source}) is registered under a prefix the reader does not resolve; read it at the source and change upstream/refresh/prometheusOperator.ts`,
        );
      flags.set(f.flag, { kind: f.kind, source: f.source });
    }
  const rows = [...flags].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const tsv = [
    `# source: prometheus-operator/prometheus-operator ${source.tag}${source.commit ? ` (${source.commit})` : ""}: the flags registered from ${FLAG_ROOTS.map((r) => `${r.dir} ${r.name}`).join(" and ")} down (${GO_ROOTS.join(", ")})`,
    OPERATOR_FLAG_COLUMNS.join("\t"),
    ...rows.map(([flag, f]) => {
      const { type, set } = valueType(f.source);
      return [flag, f.kind, type, set, f.source].join("\t");
    }),
    "",
  ].join("\n");
  return { area: "operators", folder, files: { "flags.tsv": tsv, "gates.tsv": gatesTsv(checkout, source) } };
}

/**
 * The feature gates `--feature-gates` names: the entries of the default config's `Gates` map
 * (pkg/operator/config.go `Gates: &FeatureGates{ <Constant>: FeatureGate{ ... enabled: <bool> } }`),
 * each constant's name read from pkg/operator/feature_gates.go (`<Constant> FeatureGateName =
 * "<name>"`). The operator refuses any other name as it starts (feature_gates.go
 * UpdateFeatureGates, cmd/operator/main.go `cfg.Gates.UpdateFeatureGates`).
 */
function gatesTsv(checkout: string, source: Source): string {
  const read = (rel: string) => {
    const file = path.join(checkout, rel);
    if (!fs.existsSync(file))
      throw new Error(`prometheus-operator: expected ${rel} in ${checkout}, found none`);
    return fs.readFileSync(file, "utf8").split("\n");
  };
  const names = new Map<string, { name: string; source: string }>();
  read("pkg/operator/feature_gates.go").forEach((line, i) => {
    const m = /^\s*(\w+)\s+FeatureGateName\s*=\s*"([^"]+)"/.exec(line);
    if (m) names.set(m[1], { name: m[2], source: `pkg/operator/feature_gates.go:${i + 1}` });
  });
  const config = read("pkg/operator/config.go");
  const start = config.findIndex((l) => /^\s*Gates:\s*&FeatureGates\{\s*$/.test(l));
  if (start < 0)
    throw new Error(
      "prometheus-operator: expected the default Gates: &FeatureGates{ map in pkg/operator/config.go, found none",
    );
  const rows: string[][] = [];
  let gate: string | undefined;
  // The map's lines, to the brace that closes it.
  for (let i = start + 1, depth = 1; i < config.length && depth > 0; i++) {
    const line = config[i];
    depth += (line.match(/\{/g) ?? []).length - (line.match(/\}/g) ?? []).length;
    const entry = /^\s*(\w+):\s*FeatureGate\{/.exec(line);
    if (entry) {
      if (!names.has(entry[1]))
        throw new Error(
          `prometheus-operator: ${entry[1]} (pkg/operator/config.go:${i + 1}) names no FeatureGateName constant of pkg/operator/feature_gates.go`,
        );
      gate = entry[1];
      continue;
    }
    const enabled = /^\s*enabled:\s*(true|false),?\s*$/.exec(line);
    if (enabled && gate !== undefined) {
      const { name, source: at } = names.get(gate)!;
      rows.push([name, enabled[1], at]);
      gate = undefined;
    }
  }
  if (rows.length === 0)
    throw new Error("prometheus-operator: the default Gates map in pkg/operator/config.go holds no gate");
  rows.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return [
    `# source: prometheus-operator/prometheus-operator ${source.tag}${source.commit ? ` (${source.commit})` : ""}: the feature gates of pkg/operator/config.go's default Gates map, named by pkg/operator/feature_gates.go`,
    OPERATOR_GATE_COLUMNS.join("\t"),
    ...rows.map((r) => r.join("\t")),
    "",
  ].join("\n");
}

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
import type { Refreshed, Source } from "./source";
import { OPERATOR_FLAG_COLUMNS, prometheusOperatorFolder } from "../operators/prometheusOperator";

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
    ...rows.map(([flag, f]) => [flag, f.kind, f.source].join("\t")),
    "",
  ].join("\n");
  return { area: "operators", folder, files: { "flags.tsv": tsv } };
}

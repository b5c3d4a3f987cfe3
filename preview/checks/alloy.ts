/**
 * Every Alloy config the stack ships parses as Alloy v1.12.0's parser would parse it: a config
 * Alloy cannot parse fails `alloy run`'s initial load and the agent exits, taking every log and
 * scrape it carries down with it. Judged by the project's own parser (upstream/alloy/syntax.ts,
 * held to Alloy's parser corpus), since no Alloy binary can be had.
 */
import { parseAlloy } from "../../upstream/alloy/syntax";
import { describe, type Finding, type Placed } from "./objects";

/** The `.alloy` files of the ConfigMaps among `objects`, named `<ConfigMap>/<key>`. */
export function alloyConfigs(objects: Placed[]): { where: string; text: string }[] {
  return objects
    .filter((p) => p.obj.kind === "ConfigMap")
    .flatMap((p) =>
      Object.entries<unknown>(p.obj.data ?? {})
        .filter((e): e is [string, string] => e[0].endsWith(".alloy") && typeof e[1] === "string")
        .map(([key, text]) => ({ where: `${describe(p)} ${key}`, text })),
    );
}

export function checkAlloySyntax(objects: Placed[]): Finding[] {
  return alloyConfigs(objects).flatMap((c) =>
    parseAlloy(c.text).errors.map((e) => ({
      check: "alloy-syntax",
      where: `${c.where}:${e.pos.line}:${e.pos.column}`,
      message: `Alloy cannot parse its config: ${e.message}`,
    })),
  );
}

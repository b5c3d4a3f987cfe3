/**
 * `verify --json` in this process against a project folder: what the tests of verify read of a run
 * (its exit code, the report, everything printed, each check by id).
 */
import { runVerify } from "../../cli/verifyRun";
import type { CheckResult, Report, Status } from "../../verify/types";

export interface VerifyJsonRun {
  code: number;
  /** The JSON report; undefined when verify printed none (it refused before its checks). */
  report: Report | undefined;
  out: string;
  err: string;
  check: (id: string) => CheckResult | undefined;
  /** A check's detail; throws when the report has no such check. */
  detail: (id: string) => string;
  status: (id: string) => Status;
  seconds: number;
}

/**
 * verify --json of `stack` in `dir`, each component of `urls` given as `--url <component>=<url>`,
 * then `extra`; `jobs`: the scrape jobs the render promises (default Prometheus' own); `env`: the
 * environment verify reads (default this process's).
 */
export async function verifyJson(
  dir: string,
  stack: string,
  urls: Record<string, string>,
  opts: { extra?: string[]; jobs?: string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<VerifyJsonRun> {
  let out = "";
  let err = "";
  const started = Date.now();
  const code = await runVerify(
    [
      "--dir",
      dir,
      "--stack",
      stack,
      "--json",
      ...Object.entries(urls).flatMap(([c, u]) => ["--url", `${c}=${u}`]),
      ...(opts.extra ?? []),
    ],
    {
      jobs: () => Promise.resolve(opts.jobs ?? ["prometheus"]),
      env: opts.env ?? process.env,
      out: (t) => (out += t),
      err: (t) => (err += t),
    },
  );
  const seconds = (Date.now() - started) / 1000;
  const report: Report | undefined = out ? (JSON.parse(out) as Report) : undefined;
  const check = (id: string) => report?.checks.find((c) => c.id === id);
  return {
    code,
    report,
    out,
    err,
    check,
    detail: (id) => check(id)!.detail,
    status: (id) => check(id)!.status,
    seconds,
  };
}

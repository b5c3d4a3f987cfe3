/**
 * Whether this process runs under CI, read from the `CI` variable as npm itself reads it: set to
 * anything but the empty string or `false` (ci-info 4.4.0, the copy npm 11.19.1 ships: index.js:18
 * and 37-41, `env.CI !== 'false' && env.CI`; npm 10.9.0's ci-info 4.0.0 reads it alike,
 * index.js:57-60). ci-info also counts other variables (BUILD_ID, each service's own), which this
 * reader does not. CI services spell it differently (`true` on GitHub Actions and GitLab, `1` on
 * some, `woodpecker` on Woodpecker); accepting only `true` let a job that sets `CI=1` skip the
 * real-tool tests and pull charts where it should fail. The one reader: every "under CI" rule (no
 * chart pulls, a missing tool or reference fails rather than skips) asks it.
 */
export function underCi(): boolean {
  return ciValueSet(process.env.CI);
}

/** Whether a value of `CI` says CI ({@link underCi}'s rule); an unset one is undefined. */
export function ciValueSet(ci: string | undefined): boolean {
  return ci !== undefined && ci !== "" && ci !== "false";
}

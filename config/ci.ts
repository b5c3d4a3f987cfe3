/**
 * Whether this process runs under CI, read from the `CI` variable as npm itself reads it: set to
 * anything but the empty string or `false` (ci-info 4.4.0, the copy npm 10 ships: index.js:18 and
 * 37-41, `env.CI !== 'false' && env.CI`). CI services spell it differently (`true` on GitHub
 * Actions and GitLab, `1` on some, `woodpecker` on Woodpecker); accepting only `true` let a job
 * that sets `CI=1` skip the real-tool tests and pull charts where it should fail. The one reader:
 * every "under CI" rule (no chart pulls, a missing tool or reference fails rather than skips) asks
 * it.
 */
export function underCi(ci: string | undefined = process.env.CI): boolean {
  return ci !== undefined && ci !== "" && ci !== "false";
}

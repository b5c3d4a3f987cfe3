#!/bin/sh
# The build (scripts/build.ts: both projects transpiled into dist/ and contract/dist/, under a
# second), skipped when no input is newer than its stamp (dist/.build-stamp, written last by the
# build): a `find` over the sources, a few ms, which `npm run synth` and `npm run policy:check`
# pay before every run. A doubt builds: no stamp yet, no contract output, no command bundle
# (dist/bin/, cli/bundled.ts), or any newer input (a
# checkout or an edit gives the file a new mtime). A deleted source leaves its old output in dist/,
# which nothing imports any more. Type checking is `npm run typecheck`'s (tsc), not the build's.
set -eu
cd "$(dirname "$0")/.."
# One build at a time: the test workers each build on their first CLI test (test/support/helpers.ts
# compiled), and two builds writing dist/ at once could leave a half-written file. The second waits,
# then finds the build fresh. flock is util-linux's (every Linux); without it, no lock.
if command -v flock >/dev/null 2>&1; then
  mkdir -p node_modules/.cache
  exec 9>node_modules/.cache/build-if-stale.lock
  flock 9
fi
stamp=dist/.build-stamp
newer() { # <stamp> <paths...>: the first input newer than the stamp, if any
  stamp=$1
  shift
  find "$@" \( -path contract/dist -o -path policy/contract \) -prune -o \
    \( -name '*.ts' -o -name '*.json' \) -newer "$stamp" -print 2>/dev/null | head -n 1
}
# The roots of tsconfig.json's include but test/ (the tests run from source; scripts/build.ts
# rootInputs), the contract project, and what changes how they compile.
if [ ! -f "$stamp" ] || [ ! -f contract/dist/index.js ] || [ ! -f dist/bin/synth.js ] ||
  [ -n "$(newer "$stamp" index.ts tsconfig.json package.json package-lock.json \
    config model upstream components builders apply plan contract policy synth checks change verify cli scripts)" ]; then
  exec node --import tsx scripts/build.ts
fi

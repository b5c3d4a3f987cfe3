#!/bin/sh
# `tsc -b contract .`, skipped when no input of either project is newer than that project's last
# build (its .tsbuildinfo, which tsc -b rewrites whenever it builds or checks the project). tsc's
# own up-to-date check costs about 90 ms, a third of what `npm run synth` and
# `npm run policy:check` add to the program's run; this one is a `find` over the sources. A doubt
# builds: no stamp yet, or any newer input (a checkout or an edit gives the file a new mtime). A
# deleted source leaves its old output in dist/, which nothing imports any more.
set -eu
cd "$(dirname "$0")/.."
# One build at a time: the test workers each build on their first CLI test (test/support/helpers.ts
# compiled), and two tsc -b writing dist/ at once could leave a half-written file. The second waits,
# then finds the build fresh. flock is util-linux's (every Linux); without it, no lock.
if command -v flock >/dev/null 2>&1; then
  mkdir -p node_modules/.cache
  exec 9>node_modules/.cache/build-if-stale.lock
  flock 9
fi
newer() { # <stamp> <paths...>: the first input newer than the stamp, if any
  stamp=$1
  shift
  find "$@" \( -path contract/dist -o -path policy/contract \) -prune -o \
    \( -name '*.ts' -o -name '*.json' \) -newer "$stamp" -print 2>/dev/null | head -n 1
}
if [ ! -f contract/dist/tsconfig.tsbuildinfo ] || [ ! -f dist/tsconfig.tsbuildinfo ] ||
  [ -n "$(newer contract/dist/tsconfig.tsbuildinfo contract)" ] ||
  [ -n "$(newer dist/tsconfig.tsbuildinfo index.ts tsconfig.json package.json package-lock.json \
    config model upstream components builders apply plan contract policy synth checks change verify cli scripts test)" ]; then
  exec node_modules/.bin/tsc -b contract .
fi

#!/usr/bin/env bash
# `npm pack` of policy/ (which `pulumi policy publish` runs) calls this first (policy/package.json
# prepack): it compiles the program-pack contract (contract/, JavaScript with declarations) and puts
# that package inside the pack's own tree at policy/contract/ (gitignored), where the pack's
# `file:contract` dependency points. The published pack then installs on its own: npm links
# node_modules/@homelab-observability/contract to the pack's contract/, compiled, so Pulumi's policy
# host needs no TypeScript loader for it.
set -euo pipefail
cd "$(dirname "$0")/.."
node node_modules/typescript/bin/tsc -b contract
rm -rf policy/contract
mkdir -p policy/contract/dist
cp contract/package.json policy/contract/
cp contract/dist/*.js contract/dist/*.d.ts policy/contract/dist/

#!/usr/bin/env bash
# Links the program-pack contract package (contract/, "@homelab-observability/contract") into
# node_modules the way `npm ci` does for a `file:` dependency, for a clone whose node_modules
# predates that dependency. Idempotent and quiet when the link is in place.
set -euo pipefail
cd "$(dirname "$0")/.."
link=node_modules/@homelab-observability/contract
[ -e "$link/index.ts" ] && exit 0
mkdir -p node_modules/@homelab-observability
ln -sfn ../../contract "$link"
echo "link-contract: linked $link -> contract/ (npm ci does the same)"

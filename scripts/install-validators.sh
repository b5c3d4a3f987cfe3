#!/usr/bin/env bash
# Installs the real validators the tests run (Debian packages): promtool, amtool, vmalert, yamllint.
# Idempotent: does nothing when all four are already on PATH.
set -euo pipefail
declare -A pkg=([promtool]=prometheus [amtool]=prometheus-alertmanager [vmalert]=victoria-metrics [yamllint]=yamllint)
missing=()
for tool in "${!pkg[@]}"; do command -v "$tool" >/dev/null 2>&1 || missing+=("${pkg[$tool]}"); done
if [ ${#missing[@]} -eq 0 ]; then
  echo "validators present: promtool amtool vmalert yamllint"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing Debian packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
for tool in "${!pkg[@]}"; do command -v "$tool" >/dev/null || { echo "still missing: $tool" >&2; exit 1; }; done
echo "validators installed"

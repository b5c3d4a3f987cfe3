#!/usr/bin/env bash
# Installs the real validators and servers the tests run (Debian packages): promtool, amtool,
# vmalert, yamllint, and the servers prometheus, prometheus-alertmanager, victoria-metrics (the
# verify tests start them on loopback). Idempotent: does nothing when all are already on PATH.
set -euo pipefail
declare -A pkg=([promtool]=prometheus [amtool]=prometheus-alertmanager [vmalert]=victoria-metrics [yamllint]=yamllint
  [prometheus]=prometheus [prometheus-alertmanager]=prometheus-alertmanager [victoria-metrics]=victoria-metrics)
missing=()
for tool in "${!pkg[@]}"; do command -v "$tool" >/dev/null 2>&1 || missing+=("${pkg[$tool]}"); done
# One package provides several tools: install each once.
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u | sed '/^$/d')
if [ ${#missing[@]} -eq 0 ]; then
  echo "validators present: ${!pkg[*]}"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing Debian packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
for tool in "${!pkg[@]}"; do command -v "$tool" >/dev/null || { echo "still missing: $tool" >&2; exit 1; }; done
echo "validators installed"

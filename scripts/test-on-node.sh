#!/usr/bin/env bash
# Runs the package's runtime suites (client, callbacks, signing, the packed package from ESM/CJS)
# under another Node major, e.g. `bash scripts/test-on-node.sh 24`. Node binaries come from the
# `node` package on the npm registry; the build tools stay on the machine's Node 20.
set -euo pipefail
cd "$(dirname "$0")/.."
major="$1"
node_bin="$(bash scripts/install-node.sh "$major")"
echo "runtime tests on $("$node_bin" --version)"
# The build (dist/) is made once by Node 20 in test/global-setup.ts; vitest itself runs on $major.
"$node_bin" node_modules/vitest/vitest.mjs run test/client test/package --typecheck.enabled=false \
  --reporter=default --reporter=json --outputFile.json="test-output/vitest-node$major.json"

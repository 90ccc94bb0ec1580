#!/usr/bin/env bash
# Installs Node MAJOR from the `node` package on the npm registry into test-output/node-MAJOR
# (once) and prints the path of its binary, e.g. `bash scripts/install-node.sh 22`. Used to run
# the runtime suites on the Node versions users have (scripts/test-on-node.sh) and the tools
# that need a newer Node than the machine's (orval in test/contract/other-toolchains.test.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
major="$1"
prefix="test-output/node-$major"
if [ ! -x "$prefix/node_modules/node/bin/node" ]; then
  npm install --prefix "$prefix" --no-audit --no-fund --silent "node@$major" >/dev/null
fi
echo "$(cd "$prefix/node_modules/node/bin" && pwd)/node"

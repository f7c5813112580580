#!/usr/bin/env bash
# Offline check of the SST app (no AWS credentials, no internet beyond the npm registry; RECIPES §1):
# `sst install` builds sst.config.ts and stacks/ with esbuild, evaluates app() and fetches the AWS provider's
# types into .sst/platform (about 330 MB, from the npm registry); tsc then type-checks run() and every stack
# against the real sst.aws.* component types. run() itself never executes: that needs Pulumi and AWS.
# Needs `npm ci` first (sst is a devDependency). SST runs bun, which only this check needs: the bun binary (about
# 100 MB, from the npm registry) is installed here into a folder of its own, not by every `npm ci`.
# Exits non-zero on any error.
set -euo pipefail
cd "$(dirname "$0")/.."

BUN_VERSION=1.4.5
case "$(uname -m)" in
  x86_64) BUN_PACKAGE=@oven/bun-linux-x64 ;;
  aarch64 | arm64) BUN_PACKAGE=@oven/bun-linux-aarch64 ;;
  *) echo "check-sst: no bun package for $(uname -m)" >&2; exit 1 ;;
esac
BUN_PREFIX="${TMPDIR:-/tmp}/postern-bun-$BUN_VERSION"
export SST_BUN_PATH="$BUN_PREFIX/node_modules/$BUN_PACKAGE/bin/bun"
if [ ! -x "$SST_BUN_PATH" ]; then
  npm install --no-save --no-package-lock --no-audit --no-fund --prefix "$BUN_PREFIX" "$BUN_PACKAGE@$BUN_VERSION" >/dev/null
fi
"$SST_BUN_PATH" --version >/dev/null

export SST_TELEMETRY_DISABLED=1 SST_SKIP_DEPENDENCY_CHECK=1 AWS_EC2_METADATA_DISABLED=true

npx --no-install sst install --stage ci
npx --no-install tsc -p tsconfig.sst.json
echo "check-sst: OK"

#!/usr/bin/env bash
# Offline check of the SST app (no AWS credentials, no internet beyond the npm registry; RECIPES §1):
# `sst install` builds sst.config.ts and stacks/ with esbuild, evaluates app() and fetches the AWS provider's
# types into .sst/platform (about 330 MB, from the npm registry); tsc then type-checks run() and every stack
# against the real sst.aws.* component types. run() itself never executes: that needs Pulumi and AWS.
# Needs `npm ci` first (sst and the bun binary are devDependencies). Exits non-zero on any error.
set -euo pipefail
cd "$(dirname "$0")/.."

export SST_TELEMETRY_DISABLED=1 SST_SKIP_DEPENDENCY_CHECK=1 AWS_EC2_METADATA_DISABLED=true
export SST_BUN_PATH="$PWD/node_modules/@oven/bun-linux-x64/bin/bun"
if [ ! -x "$SST_BUN_PATH" ]; then
  echo "check-sst: $SST_BUN_PATH missing (run npm ci on linux x64)" >&2
  exit 1
fi

npx --no-install sst install --stage ci
npx --no-install tsc -p tsconfig.sst.json
echo "check-sst: OK"

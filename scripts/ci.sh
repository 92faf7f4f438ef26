#!/usr/bin/env bash
# Every suite CI runs, from a fresh clone: install from the lockfile, `npm test` (type-check, lint,
# format check, schema check, unit tests), build the Pulumi CLI, then `npm run test:e2e` (the real
# Pulumi engine against the local stand-ins for AWS). `npm run ci` runs this; so does .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== node $(node --version), npm $(npm --version), $(go version)"
npm ci --no-audit --no-fund

echo "== npm test"
npm test

# The Pulumi CLI and Node language host are built from Go modules: minutes on a new machine, seconds
# when Go's build cache is warm. Built here, outside the test runner's timeouts.
echo "== Pulumi CLI"
start=$SECONDS
bin="$(scripts/ensure-pulumi.sh)"
echo "ready in $((SECONDS - start))s: $("$bin/pulumi" version)"

# The access-analyzer package in other languages (docs/COMPONENT.md):
# the YAML and Python language hosts and the SDK generator hosts (Go modules, cached like the CLI),
# the Python venv (PyPI), then the SDKs from `pulumi package gen-sdk`, checked: Go build + vet,
# Python wheel + import + mypy, Node.js tsc (.NET is generated only: no .NET SDK here). The e2e
# suite's YAML and Python cases use the hosts, the venv and the Python SDK.
echo "== language hosts, Python venv, generated SDKs"
start=$SECONDS
scripts/ensure-language-hosts.sh >/dev/null
scripts/ensure-python.sh >/dev/null
scripts/check-sdks.sh
echo "ready in $((SECONDS - start))s"

# The e2e suite opens the findings HTML report in a real headless browser: Debian's chromium package
# (playwright-core drives it; its own browser downloads are not used). CI runs as root on a fresh
# machine, so it is installed there when missing; elsewhere the command to run is printed.
if ! command -v chromium >/dev/null 2>&1 && [[ -z "${CHROMIUM_PATH:-}" ]]; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "== apt-get install chromium"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  else
    echo "chromium is missing: install it (sudo apt-get install -y chromium) or set CHROMIUM_PATH" >&2
    exit 1
  fi
fi

echo "== npm run test:e2e"
PATH="$bin:$PATH" npm run test:e2e

# The benchmark's smoke set: it must complete and write valid JSON; no timing is asserted.
echo "== npm run bench -- --quick"
PATH="$bin:$PATH" npm run bench -- --quick --out reports/bench-quick.json
node -e 'const r = JSON.parse(require("fs").readFileSync("reports/bench-quick.json", "utf8")); if (!r.stacks.length || !r.fleet.length || !(r.overhead.bareCliUp > 0) || !r.rows.some((x) => x.section === "nightly") || !r.rows.some((x) => x.section === "help")) process.exit(1)'

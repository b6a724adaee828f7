#!/usr/bin/env bash
# The one test command (`npm test`): prepares this machine (as root, idempotently), builds,
# type-checks, lints, runs every suite, cleans up what it started, and ends with one line
# `N passed, N failed, N skipped` summed over everything.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-results
results=test-results/checks.txt
: > "$results"

check() { # name, command…: runs a non-vitest check and records it as one passed/failed test
  local name=$1; shift
  echo "::: $name"
  if "$@"; then echo "pass $name" >> "$results"; else echo "fail $name" >> "$results"; fi
}

cleanup() { bash scripts/setup-test-env.sh --stop >/dev/null 2>&1 || true; }
trap cleanup EXIT

check "test environment (docker engine, chromium, busybox)" bash scripts/setup-test-env.sh
check "build" npm run --silent build
check "typecheck (main, shared, electron, e2e, renderer)" npm run --silent typecheck
check "lint incl. layering rules" npm run --silent lint

echo "::: vitest (unit, integration, e2e)"
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json
vitest_rc=$?

summary=$(node scripts/summarize-tests.mjs "$results" test-results/vitest.json "$vitest_rc")
rc=$?
cleanup
trap - EXIT
printf '%s\n' "$summary"
exit $rc

#!/usr/bin/env bash
# Runs every test suite of RealtimeHubs and ends with one line: "N passed, M failed".
# It installs what the suites need when it is missing (Debian packages, npm packages), so on a fresh
# machine this one command is all the set-up. Exit status is non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
results_dir="artifacts/test-results"
mkdir -p "$results_dir"

total_passed=0
total_failed=0

record() { # suite passed failed
  echo "== $1: $2 passed, $3 failed"
  total_passed=$((total_passed + $2))
  total_failed=$((total_failed + $3))
}

# Debian packages the suites start for real (redis-server, nginx, chromium); installed only when missing.
ensure_packages() {
  local missing=()
  local pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "Installing ${missing[*]} ..."
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

dotnet_suite() {
  local log="$results_dir/dotnet.log"
  dotnet test RealtimeHubs.sln -c Release --logger "trx;LogFileName=dotnet.trx" --results-directory "$results_dir" 2>&1 | tee "$log"
  # Summary lines look like: "Passed!  - Failed:     0, Passed:    42, Skipped: ..."
  local passed failed
  passed=$(grep -E '^(Passed|Failed)!' "$log" | sed -E 's/.*Passed: *([0-9]+).*/\1/' | awk '{s+=$1} END {if (NR) print s}')
  failed=$(grep -E '^(Passed|Failed)!' "$log" | sed -E 's/.*Failed: *([0-9]+),.*/\1/' | awk '{s+=$1} END {if (NR) print s}')
  if [ -z "$passed" ]; then
    echo "dotnet test produced no summary (build failure?)"
    record dotnet 0 1
    return
  fi
  record dotnet "$passed" "${failed:-0}"
}

# The TypeScript client's npm packages; `npm ci` only when node_modules is missing or older than the lock file.
ensure_npm_packages() {
  ensure_packages node:nodejs npm:npm
  local dir="clients/js"
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "Installing npm packages in $dir ..."
    (cd "$dir" && npm ci --no-audit --no-fund) || return 1
  fi
}

# Runs compiled node:test files against the Release server build; records the counts from the TAP summary.
node_suite() { # suite glob
  local suite="$1" pattern="$2" tap="$results_dir/$1.tap"
  rm -f "$tap"
  if ! ensure_npm_packages || ! (cd clients/js && npx tsc -p tsconfig.json); then
    echo "$suite: could not install or compile the TypeScript client"
    record "$suite" 0 1
    return
  fi
  if [ ! -f Hubs.Server/bin/Release/net10.0/Hubs.Server.dll ]; then
    dotnet build Hubs.Server -c Release || { record "$suite" 0 1; return; }
  fi
  # Every test is bounded (2 min), so a hang fails that test instead of the whole run.
  (cd clients/js && HUBS_CONFIGURATION=Release node --test --test-concurrency=1 --test-timeout=120000 \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="../../$tap" $pattern)
  local passed failed
  passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$tap" 2>/dev/null | tail -1)
  failed=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$tap" 2>/dev/null | tail -1)
  if [ -z "$passed" ]; then
    echo "$suite: node --test produced no summary"
    record "$suite" 0 1
    return
  fi
  record "$suite" "$passed" "${failed:-0}"
}

# The TypeScript client against a real Kestrel server, both protocols.
js_suite() {
  node_suite js "dist/test/*.test.js"
}

# The pages in Debian's headless Chromium, driven by playwright-core (which never downloads a browser).
browser_suite() {
  ensure_packages chromium:chromium || { record browser 0 1; return; }
  node_suite browser "dist/e2e/*.test.js"
}

# docker-compose.yml is valid (Debian's docker-compose validates it without a Docker engine) and refuses to
# start without a real signing key. Also installs nginx, which the cluster tests start.
deploy_suite() {
  ensure_packages docker-compose:docker-compose nginx:nginx
  local passed=0 failed=0 output
  if HUBS_SIGNING_KEY="compose-validation-only-0123456789abcdef" docker-compose -f docker-compose.yml config -q; then
    passed=$((passed + 1))
  else
    echo "FAIL: docker-compose config rejects docker-compose.yml"; failed=$((failed + 1))
  fi
  local no_env; no_env=$(mktemp)   # an empty env file: a developer's own .env must not hide the check
  if output=$(env -u HUBS_SIGNING_KEY docker-compose -f docker-compose.yml --env-file "$no_env" config -q 2>&1); then
    echo "FAIL: docker-compose.yml accepted a missing HUBS_SIGNING_KEY"; failed=$((failed + 1))
  elif grep -q HUBS_SIGNING_KEY <<<"$output"; then
    passed=$((passed + 1))
  else
    echo "FAIL: missing HUBS_SIGNING_KEY not named in: $output"; failed=$((failed + 1))
  fi
  rm -f "$no_env"
  record deploy "$passed" "$failed"
}

# The scale-out tests start real redis-server processes.
ensure_packages redis-server:redis-server

deploy_suite
dotnet_suite
js_suite
browser_suite

echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ] && [ "$total_passed" -gt 0 ]

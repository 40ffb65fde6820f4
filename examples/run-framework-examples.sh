#!/usr/bin/env bash
# Runs the four framework examples (LangChain.js, OpenAI Agents SDK for JS, LangChain4j, Spring AI)
# one after another against a running gateway, $CARAVAN_URL (default http://localhost:8080).
# Each example checks its own workflow's status (every agent seen, cache hits > 0) and exits
# non-zero otherwise; this script exits 1 if any example failed. Needs Node 20+, npm, Java 17+, Maven.
set -uo pipefail

export CARAVAN_URL="${CARAVAN_URL:-http://localhost:8080}"
cd "$(dirname "$0")"

if ! curl -fsS -o /dev/null "$CARAVAN_URL/health"; then
  echo "no gateway at $CARAVAN_URL (start it with 'mvn spring-boot:run' at the repository root)" >&2
  exit 1
fi

failed=()
run() { # name dir command...
  local name=$1 dir=$2; shift 2
  echo "=== $name"
  if (cd "$dir" && "$@"); then echo "=== $name: ok"; else echo "=== $name: FAILED"; failed+=("$name"); fi
  echo
}

run langchainjs-workflow langchainjs-workflow bash -c 'npm ci --no-audit --no-fund --loglevel=error && node workflow.mjs'
run openai-agents-js     openai-agents-js     bash -c 'npm ci --no-audit --no-fund --loglevel=error && node workflow.mjs'
run langchain4j-workflow langchain4j-workflow mvn -q -B compile exec:java
run spring-ai-workflow   spring-ai-workflow   mvn -q -B spring-boot:run

if ((${#failed[@]})); then
  echo "failed: ${failed[*]}"
  exit 1
fi
echo "all 4 framework examples passed against $CARAVAN_URL"

#!/usr/bin/env bash
# Runs the seed plan's tests (src/tests/test_workflow_routing.py, as the plan gives them) and
# production-stack PR #625's example client (examples/workflow_examples.py, obtained separately: see
# README.md) against a running Caravan at $CARAVAN_URL. Starts nothing. Both originals hard-code their
# URL, so each is copied to a temporary directory and only its URL is replaced there; nothing else is
# changed. Exits non-zero if either fails.
#
#   CARAVAN_URL   the gateway's API (default http://localhost:8080)
#   PR625_EXAMPLE the PR's workflow_examples.py (default: workflow_examples.py beside this script)
#   PYTHON        a Python 3 with httpx, pytest and pytest-asyncio (default: /usr/bin/python3 if it
#                 imports them, else python3)
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
url="${CARAVAN_URL:-http://localhost:8080}"
url="${url%/}"
example="${PR625_EXAMPLE:-$here/workflow_examples.py}"
# The PR's file at its head commit b4e2688b9e98ae4d41832bad2c218b1e8ef81abf (git blob 2bef401e90e8).
example_sha256=454121fbf01812c6c3f68f2a2ceb561af514e68023fac847acb4ce4a5809f0ae

if [[ -z "${PYTHON:-}" ]]; then
  if /usr/bin/python3 -c 'import httpx, pytest, pytest_asyncio' 2>/dev/null; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi
fi
if ! "$PYTHON" -c 'import httpx, pytest, pytest_asyncio' 2>/dev/null; then
  echo "run.sh: $PYTHON lacks httpx, pytest or pytest-asyncio (Debian: apt-get install python3-httpx python3-pytest python3-pytest-asyncio)" >&2
  exit 2
fi
if ! curl -fsS -o /dev/null "$url/health"; then
  echo "run.sh: no gateway answers at $url/health (start one, e.g. mvn spring-boot:run, or set CARAVAN_URL)" >&2
  exit 2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failed=0

# ---- the seed plan's tests: base_url="http://localhost:8000" (twice) is the only edit ----
mkdir -p "$work/plan/src/tests"
sed "s#\"http://localhost:8000\"#\"$url\"#g" "$here/src/tests/test_workflow_routing.py" \
  > "$work/plan/src/tests/test_workflow_routing.py"
echo "== seed plan: src/tests/test_workflow_routing.py against $url"
if (cd "$work/plan" && "$PYTHON" -m pytest -p no:cacheprovider -v src/tests/test_workflow_routing.py); then
  echo "== seed plan tests: PASSED"
else
  echo "== seed plan tests: FAILED"; failed=1
fi

# ---- PR #625's example client: router_url's default (line 30) is the only edit ----
echo "== production-stack PR #625: examples/workflow_examples.py against $url"
if [[ ! -f "$example" ]]; then
  echo "run.sh: $example is missing: get the PR's file as README.md says, or set PR625_EXAMPLE" >&2
  exit 2
fi
actual_sha256="$(sha256sum "$example" | cut -d' ' -f1)"
if [[ "$actual_sha256" != "$example_sha256" ]]; then
  echo "run.sh: $example is not the PR's file (sha256 $actual_sha256, expected $example_sha256)" >&2
  exit 2
fi
sed "30s#router_url: str = \"http://localhost:8001\"#router_url: str = \"$url\"#" "$example" > "$work/workflow_examples.py"
if [[ "$(diff "$example" "$work/workflow_examples.py" | grep -c '^[<>]')" != 2 ]]; then
  echo "run.sh: the URL edit did not apply to line 30 of $example" >&2
  exit 2
fi
# main() catches every exception and prints "Error running examples: ..." with exit status 0, so the
# output decides: all four workflows must complete and no error be printed.
out="$work/example.out"
(cd "$work" && timeout 600 "$PYTHON" workflow_examples.py) 2>&1 | tee "$out"
status=${PIPESTATUS[0]}
if [[ $status -eq 0 ]] && grep -q '^Completed 4 workflow examples:' "$out" && ! grep -q '^Error running examples' "$out"; then
  echo "== PR #625 example client: PASSED"
else
  echo "== PR #625 example client: FAILED (exit $status)"; failed=1
fi

exit $failed

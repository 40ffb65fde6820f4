#!/usr/bin/env bash
# A Caravan agent in bash: sends over REST, reads its own queue by long polling.
# Needs curl and jq. Start the gateway first (mvn spring-boot:run from the repository root).
set -euo pipefail

URL="${CARAVAN_URL:-http://localhost:8080}"
WF="${WORKFLOW:-demo}"
ME="${AGENT:-shell}"
ROUNDS="${ROUNDS:-3}"

send() { # target type payload-json [correlation_id]
  local body
  body=$(jq -nc --arg s "$ME" --arg t "$1" --arg ty "$2" --argjson p "$3" --arg c "${4:-}" \
    '{source_agent:$s, target_agent:$t, message_type:$ty, payload:$p, reply_to:$s}
     + (if $c == "" then {} else {correlation_id:$c} end)')
  curl -fsS -H 'Content-Type: application/json' -d "$body" "$URL/v1/workflows/$WF/messages"
}

# Join the workflow (reading creates our queue, so broadcasts reach us too).
curl -fsS "$URL/v1/workflows/$WF/agents/$ME/messages?timeout=0" > /dev/null

for target in java node; do
  receipt=$(send "$target" query '{"question":"what is 6 x 7?"}')
  echo "asked $target: $(jq -r .message_id <<<"$receipt")"
done
send '*' signal '{"note":"shell agent is here"}' | jq -c '{broadcast_to: .recipients}'

for ((i = 0; i < ROUNDS; i++)); do
  # Long poll: returns as soon as something arrives, or after 20 s with nothing.
  curl -fsS "$URL/v1/workflows/$WF/agents/$ME/messages?timeout=20&max_messages=10" |
    jq -c '.messages[] | {from: .source, type, correlation_id, payload}'
done

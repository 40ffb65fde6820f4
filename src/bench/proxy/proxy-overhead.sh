#!/usr/bin/env bash
# Proxy-overhead benchmark (docs/benchmarks.md, "Proxy overhead").
#
# One run, side by side, interleaved over several rounds: a wrk client talks to a zero-delay vLLM
# stub (nginx answering fixed vLLM responses) directly, through nginx as a reference reverse
# proxy, and through the gateway. Non-streamed and streamed completions; a loaded run for
# throughput (and loaded latency) and a one-connection run for the latency a proxy adds. Then
# 2,000 long-lived streams held open through the gateway at once, with its heap measured.
#
# Everything listens on 127.0.0.1 on free ports, runs for a bounded time and is stopped on exit.
#
#   src/bench/proxy/proxy-overhead.sh [--rounds=3] [--duration=5] [--conns=32] [--streams=2000] [--warmup=30]
#                           [--slow-rate=400] [--skip-streams] [--out=target/proxy-overhead.md]
#                           [--serve=SECONDS]   (start stub, nginx and gateway, print their ports, wait)
#                           [--baseline-jar=PATH] (a second gateway from another build, measured as
#                                                  "baseline" in the same rounds: before/after a change)
#                           [--baseline-routes=DIR] (the routes the baseline gateway loads, default routes/;
#                                                  e.g. git archive of the baseline commit's routes/)
#                           [--baseline-args="--k=v ..."] (extra arguments for the baseline gateway only:
#                                                  the same jar with two settings side by side)
#   GATEWAY_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java src/bench/proxy/proxy-overhead.sh   # the gateway on another JDK
#   BASELINE_OPTS="-Xmx1g -XX:+UseParallelGC" src/bench/proxy/proxy-overhead.sh --baseline-jar=target/caravan-0.1.0-SNAPSHOT.jar
#                                           # the same jar on other JVM options (default: GATEWAY_OPTS)
#   BASELINE_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java src/bench/proxy/proxy-overhead.sh --baseline-jar=target/caravan-0.1.0-SNAPSHOT.jar
#                                           # the same jar on another JDK (default: GATEWAY_JAVA)
#   GATEWAY_OPTS="-Xmx1g" (default) adds JVM options for the gateway, GATEWAY_ARGS Spring Boot
#   arguments (--key=value) after the benchmark's own. --warmup=30: seconds of load per kind on the
#   gateway before the first round.
set -euo pipefail
shopt -u patsub_replacement 2>/dev/null || true

ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
BENCH="$ROOT/src/bench/proxy"
ROUNDS=3
DURATION=5
CONNS=32
STREAMS=2000
SLOW_RATE=400
SKIP_STREAMS=0
SERVE=0
OUT="$ROOT/target/proxy-overhead.md"
JAR="$ROOT/target/caravan-0.1.0-SNAPSHOT.jar"
BASE_JAR=
JAVA=${JAVA:-java}
GATEWAY_JAVA=${GATEWAY_JAVA:-$JAVA}
GATEWAY_OPTS=${GATEWAY_OPTS:--Xmx1g}
BASELINE_OPTS=${BASELINE_OPTS:-$GATEWAY_OPTS}
BASELINE_JAVA=${BASELINE_JAVA:-$GATEWAY_JAVA}
GATEWAY_ARGS=${GATEWAY_ARGS:-}
WARMUP=30

for arg in "$@"; do
  case "$arg" in
    --rounds=*) ROUNDS=${arg#*=} ;;
    --duration=*) DURATION=${arg#*=} ;;
    --conns=*) CONNS=${arg#*=} ;;
    --streams=*) STREAMS=${arg#*=} ;;
    --warmup=*) WARMUP=${arg#*=} ;;
    --slow-rate=*) SLOW_RATE=${arg#*=} ;;
    --skip-streams) SKIP_STREAMS=1 ;;
    --serve=*) SERVE=${arg#*=} ;;
    --out=*) OUT=${arg#*=} ;;
    --jar=*) JAR=${arg#*=} ;;
    --baseline-jar=*) BASE_JAR=${arg#*=} ;;
    --baseline-routes=*) BASE_ROUTES=${arg#*=} ;;
    --baseline-args=*) BASE_ARGS=${arg#*=} ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown option $arg" >&2; exit 2 ;;
  esac
done

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# --- tools ---------------------------------------------------------------------------------
missing=()
for tool in wrk nginx curl; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]})); then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    log "installing ${missing[*]} (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "missing: ${missing[*]} - install them, e.g. sudo apt-get install -y ${missing[*]}" >&2; exit 1
  fi
fi
command -v nginx >/dev/null || PATH="$PATH:/usr/sbin"
command -v "$JAVA" >/dev/null || { echo "no java (set JAVA=...)" >&2; exit 1; }
command -v jcmd >/dev/null || PATH="$PATH:$(dirname "$(readlink -f "$(command -v "$GATEWAY_JAVA")")")"
if [[ ! -f "$JAR" ]]; then
  log "building $JAR"
  (cd "$ROOT" && mvn -o -q -B package -Dmaven.test.skip=true)
fi
if (( $(ulimit -n) < 3 * STREAMS + 1000 )); then
  ulimit -n $((3 * STREAMS + 1000)) 2>/dev/null || { echo "ulimit -n $(ulimit -n) is too low for $STREAMS streams" >&2; exit 1; }
fi

# --- ports and processes ---------------------------------------------------------------------
WORK=$(mktemp -d /tmp/caravan-proxy-bench.XXXXXX)
chmod 755 "$WORK"   # nginx workers run as an unprivileged user
declare -a TAKEN=()
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 30000))
    [[ " ${TAKEN[*]} " == *" $p "* ]] && continue
    if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null && ! ss -Hltn "sport = :$p" 2>/dev/null | grep -q .; then
      TAKEN+=("$p"); echo "$p"; return
    fi
  done
}
GW_PID=
BASE_PID=
cleanup() {
  [[ -n "$GW_PID" ]] && kill "$GW_PID" 2>/dev/null && wait "$GW_PID" 2>/dev/null || true
  [[ -n "$BASE_PID" ]] && kill "$BASE_PID" 2>/dev/null && wait "$BASE_PID" 2>/dev/null || true
  for pidfile in "$WORK/stub.pid" "$WORK/proxy.pid"; do
    [[ -f "$pidfile" ]] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  sleep 0.5
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

STUB_JSON=$(free_port); STUB_SSE=$(free_port); STUB_SLOW=$(free_port)
PROXY_JSON=$(free_port); PROXY_SSE=$(free_port); GW=$(free_port); BASE=$(free_port)
# the management port (actuator) of each gateway
GW_MGMT=$(free_port); BASE_MGMT=$(free_port)

render() { # template output
  local conf
  conf=$(<"$1")
  conf=${conf//@WORK@/$WORK}
  conf=${conf//@STUB_JSON@/$STUB_JSON}; conf=${conf//@STUB_SSE@/$STUB_SSE}; conf=${conf//@STUB_SLOW@/$STUB_SLOW}
  conf=${conf//@PROXY_JSON@/$PROXY_JSON}; conf=${conf//@PROXY_SSE@/$PROXY_SSE}; conf=${conf//@SLOW_RATE@/$SLOW_RATE}
  printf '%s\n' "$conf" > "$2"
}
mkdir -p "$WORK/www" && cp "$BENCH/fixtures/completion.json" "$BENCH/fixtures/stream.sse" "$WORK/www/"
render "$BENCH/stub-nginx.conf.in" "$WORK/stub.conf"
render "$BENCH/proxy-nginx.conf.in" "$WORK/proxy.conf"
nginx -e "$WORK/stub-early.log" -p "$WORK" -c "$WORK/stub.conf"
nginx -e "$WORK/proxy-early.log" -p "$WORK" -c "$WORK/proxy.conf"

start_gateway() { # jar port log management-port [routes-dir] [extra args] [JVM options] [java] -> pid in STARTED_PID
  local opts=${7:-$GATEWAY_OPTS} java=${8:-$GATEWAY_JAVA}
  log "gateway $1 on :$2 ($("$java" -version 2>&1 | head -1); $opts)"
  # No per-request log line (caravan.request), as nginx runs with access_log off.
  # shellcheck disable=SC2086
  (cd "$ROOT" && exec "$java" $opts -jar "$1" \
    --server.port="$2" --management.server.port="$4" \
    --caravan.messaging.data-dir="$WORK/broker-$2" --caravan.messaging.acceptor.enabled=false \
    --caravan.routes-dir="${5:-$ROOT/routes}" \
    --caravan.engines[0].id=stub-json --caravan.engines[0].url="http://127.0.0.1:$STUB_JSON" --caravan.engines[0].models[0]=bench-json \
    --caravan.engines[1].id=stub-sse --caravan.engines[1].url="http://127.0.0.1:$STUB_SSE" --caravan.engines[1].models[0]=bench-sse \
    --caravan.engines[2].id=stub-slow --caravan.engines[2].url="http://127.0.0.1:$STUB_SLOW" --caravan.engines[2].models[0]=bench-slow \
    --caravan.routing.saturation-per-engine=1000000 \
    --logging.level.caravan.request=warn \
    $GATEWAY_ARGS ${6:-} \
    > "$3" 2>&1) &
  STARTED_PID=$!
}
wait_gateway() { # port pid log
  for _ in $(seq 1 600); do
    if curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary @"$BENCH/bodies/completion.json" \
        "http://127.0.0.1:$1/v1/chat/completions"; then return 0; fi
    kill -0 "$2" 2>/dev/null || { tail -50 "$3" >&2; exit 1; }
    sleep 0.5
  done
  echo "gateway on :$1 did not answer within 5 minutes" >&2; exit 1
}
start_gateway "$JAR" "$GW" "$WORK/gateway.log" "$GW_MGMT"; GW_PID=$STARTED_PID
wait_gateway "$GW" "$GW_PID" "$WORK/gateway.log"
TARGETS=(direct nginx gateway)
if [[ -n "$BASE_JAR" ]]; then
  start_gateway "$BASE_JAR" "$BASE" "$WORK/baseline.log" "$BASE_MGMT" "${BASE_ROUTES:-$ROOT/routes}" "${BASE_ARGS:-}" "$BASELINE_OPTS" "$BASELINE_JAVA"; BASE_PID=$STARTED_PID
  wait_gateway "$BASE" "$BASE_PID" "$WORK/baseline.log"
  TARGETS=(direct nginx baseline gateway)
fi
# The answers must be the same bytes on every path before anything is timed.
for kind in completion stream; do
  port_direct=$STUB_JSON; port_nginx=$PROXY_JSON; [[ $kind == stream ]] && { port_direct=$STUB_SSE; port_nginx=$PROXY_SSE; }
  a=$(curl -sf -X POST -H 'Content-Type: application/json' --data-binary @"$BENCH/bodies/$kind.json" "http://127.0.0.1:$port_direct/v1/chat/completions" | md5sum)
  b=$(curl -sf -X POST -H 'Content-Type: application/json' --data-binary @"$BENCH/bodies/$kind.json" "http://127.0.0.1:$port_nginx/v1/chat/completions" | md5sum)
  c=$(curl -sf -X POST -H 'Content-Type: application/json' --data-binary @"$BENCH/bodies/$kind.json" "http://127.0.0.1:$GW/v1/chat/completions" | md5sum)
  [[ "$a" == "$b" && "$a" == "$c" ]] || { echo "$kind: direct, nginx and gateway answer differently" >&2; exit 1; }
  if [[ -n "$BASE_JAR" ]]; then
    d=$(curl -sf -X POST -H 'Content-Type: application/json' --data-binary @"$BENCH/bodies/$kind.json" "http://127.0.0.1:$BASE/v1/chat/completions" | md5sum)
    [[ "$a" == "$d" ]] || { echo "$kind: the baseline gateway answers differently" >&2; exit 1; }
  fi
done
log "stub, nginx and gateway answer the same bytes"
if ((SERVE > 0)); then # keep everything up for profiling, then stop
  echo "SERVING stub-json=$STUB_JSON stub-sse=$STUB_SSE stub-slow=$STUB_SLOW nginx-json=$PROXY_JSON nginx-sse=$PROXY_SSE gateway=$GW gateway-management=$GW_MGMT gateway-pid=$GW_PID work=$WORK"
  sleep "$SERVE" & wait $!; exit 0
fi

url() { # kind target
  case "$1/$2" in
    completion/direct) echo "http://127.0.0.1:$STUB_JSON/v1/chat/completions" ;;
    stream/direct) echo "http://127.0.0.1:$STUB_SSE/v1/chat/completions" ;;
    completion/nginx) echo "http://127.0.0.1:$PROXY_JSON/v1/chat/completions" ;;
    stream/nginx) echo "http://127.0.0.1:$PROXY_SSE/v1/chat/completions" ;;
    */gateway) echo "http://127.0.0.1:$GW/v1/chat/completions" ;;
    */baseline) echo "http://127.0.0.1:$BASE/v1/chat/completions" ;;
  esac
}
RESULTS="$WORK/results.txt"
: > "$RESULTS"
CLK_TCK=$(getconf CLK_TCK)
proxy_pids() { # target -> the processes that do the proxying for it (none for direct)
  case "$1" in
    gateway) echo "$GW_PID" ;;
    baseline) echo "$BASE_PID" ;;
    nginx) local master; master=$(cat "$WORK/proxy.pid"); echo "$master $(pgrep -P "$master" | tr '\n' ' ')" ;;
  esac
}
cpu_ticks() { # pids -> utime + stime of all of them, in clock ticks
  local total=0 pid
  for pid in "$@"; do
    # fields 14 and 15 of /proc/PID/stat, counted after the ")" that ends the command name
    total=$((total + $(sed 's/.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')))
  done
  echo "$total"
}
run_wrk() { # kind target mode seconds record
  local threads=2 conns=$CONNS
  [[ $3 == latency ]] && { threads=1; conns=1; }
  local line pids cpu0 cpu_us=nan
  # shellcheck disable=SC2207
  pids=($(proxy_pids "$2"))
  ((${#pids[@]})) && cpu0=$(cpu_ticks "${pids[@]}")
  line=$(BENCH_BODY="$BENCH/bodies/$1.json" wrk -t"$threads" -c"$conns" -d"$4"s --timeout 10s \
         -s "$BENCH/wrk-post.lua" "$(url "$1" "$2")" | grep '^RESULT') || { echo "wrk failed on $1 $2" >&2; return 1; }
  if ((${#pids[@]})); then # CPU the proxy spent per request: steadier than req/s on a shared machine
    cpu_us=$(awk -v t="$(( $(cpu_ticks "${pids[@]}") - cpu0 ))" -v hz="$CLK_TCK" -v l="$line" \
      'BEGIN {match(l, /requests=[0-9]+/); n = substr(l, RSTART + 9, RLENGTH - 9); printf "%.1f", (n > 0 ? t * 1e6 / hz / n : 0)}')
  fi
  if [[ $5 == 1 ]]; then
    # shellcheck disable=SC2001
    echo "$1 $2 $3 $(echo "$line" | sed 's/[a-z0-9_]*=//g; s/^RESULT //') $cpu_us" >> "$RESULTS"
    log "$1 $2 $3: $line cpu_us_per_request=$cpu_us"
  fi
}

log "warm-up (${WARMUP}s per kind on the gateway, so the JIT has compiled the request path)"
for kind in completion stream; do
  run_wrk $kind gateway load "$WARMUP" 0
  [[ -n "$BASE_JAR" ]] && run_wrk $kind baseline load "$WARMUP" 0
  for target in nginx direct; do run_wrk $kind $target load "$DURATION" 0; done
done
N=${#TARGETS[@]}
for round in $(seq 1 "$ROUNDS"); do
  log "round $round/$ROUNDS"
  for kind in completion stream; do
    for mode in load latency; do
      for ((i = 0; i < N; i++)); do
        run_wrk $kind "${TARGETS[$(((i + round) % N))]}" $mode "$DURATION" 1
      done
    done
  done
done

# --- 2,000 open streams ------------------------------------------------------------------------
STREAM_LINE=
if [[ $SKIP_STREAMS == 0 ]]; then
  log "$STREAMS simultaneous streams through the gateway (stub trickles each at $SLOW_RATE B/s)"
  STREAM_LINE=$("$JAVA" "$BENCH/OpenStreams.java" "http://127.0.0.1:$GW/v1/chat/completions" \
      "$BENCH/bodies/slow-stream.json" "$STREAMS" \
      "http://127.0.0.1:$GW_MGMT/actuator/metrics/jvm.memory.used?tag=area:heap" "$GW_PID" 180 || true)
  printf '%s\n' "$STREAM_LINE" >&2
  STREAM_LINE=$(printf '%s\n' "$STREAM_LINE" | grep -E '^(RESULT|ERRORS)' | sed 's/^RESULT //' | tr '\n' ' ')
fi
kill -0 "$GW_PID" 2>/dev/null || { echo "the gateway died" >&2; tail -50 "$WORK/gateway.log" >&2; exit 1; }
GATEWAY_ERRORS=$(grep -c ' ERROR ' "$WORK/gateway.log" || true)

# --- summary -----------------------------------------------------------------------------------
median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "nan"; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
# columns: kind target mode requests seconds rps p50 p99 errors proxy_cpu_us_per_request
col() { awk -v k="$1" -v t="$2" -v m="$3" -v c="$4" '$1==k && $2==t && $3==m {print $c}' "$RESULTS"; }
med() { col "$1" "$2" "$3" "$4" | median; }
errs() { col "$1" "$2" "$3" 9 | awk '{s+=$1} END {print s+0}'; }
{
  echo "# Proxy overhead, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Machine: $(nproc) cores, $(uname -r); gateway JVM: $("$GATEWAY_JAVA" -version 2>&1 | head -1) $GATEWAY_OPTS;${BASE_JAR:+ baseline JVM: $("$BASELINE_JAVA" -version 2>&1 | head -1) $BASELINE_OPTS ${BASE_ARGS:-};}"
  echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg). $ROUNDS interleaved rounds of ${DURATION}s per cell, medians."
  echo "Load: wrk -t2 -c$CONNS. Latency: wrk -t1 -c1 (the time a proxy adds to one request)."
  echo
  echo "| kind | path | throughput (req/s) | p50 (ms) | p99 (ms) | p50 at 1 conn (ms) | p99 at 1 conn (ms) | errors | proxy CPU per request under load (us) |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
  for kind in completion stream; do
    for target in "${TARGETS[@]}"; do
      printf '| %s | %s | %.0f | %.2f | %.2f | %.3f | %.3f | %d | %s |\n' "$kind" "$target" \
        "$(med $kind $target load 6)" "$(med $kind $target load 7)" "$(med $kind $target load 8)" \
        "$(med $kind $target latency 7)" "$(med $kind $target latency 8)" \
        $(( $(errs $kind $target load) + $(errs $kind $target latency) )) "$(med $kind $target load 10)"
    done
  done
  echo
  echo "| kind | path | throughput / nginx | throughput / direct | p50 added at 1 conn (ms) | p50 added under load (ms) |"
  echo "|---|---|---:|---:|---:|---:|"
  for kind in completion stream; do
    for target in "${TARGETS[@]:1}"; do
      awk -v gl="$(med $kind $target load 6)" -v nl="$(med $kind nginx load 6)" -v dl="$(med $kind direct load 6)" \
          -v g="$(med $kind $target latency 7)" -v d="$(med $kind direct latency 7)" \
          -v gp="$(med $kind $target load 7)" -v dp="$(med $kind direct load 7)" -v k=$kind -v t=$target \
          'BEGIN {printf "| %s | %s | %.2f | %.2f | %.3f | %.2f |\n", k, t, gl/nl, gl/dl, g-d, gp-dp}'
    done
  done
  if [[ -n "$STREAM_LINE" ]]; then
    echo
    echo "Open streams through the gateway: $STREAM_LINE"
  fi
  echo
  echo "Gateway log lines at ERROR: $GATEWAY_ERRORS"
  echo
  echo "Raw (kind path mode requests seconds rps p50_ms p99_ms errors proxy_cpu_us_per_request):"
  echo '```'
  cat "$RESULTS"
  echo '```'
} > "$WORK/summary.md"
mkdir -p "$(dirname "$OUT")"
cp "$WORK/summary.md" "$OUT"
if [[ "$GATEWAY_ERRORS" != 0 ]]; then # keep what the gateway complained about (the work directory goes)
  grep -A12 ' ERROR ' "$WORK/gateway.log" > "${OUT%.md}-gateway-errors.log" || true
  log "gateway ERROR lines with context: ${OUT%.md}-gateway-errors.log"
fi
cat "$OUT"

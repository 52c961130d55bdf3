#!/usr/bin/env bash
# Build once, then start the broker bridge (with the embedded Kafka broker
# unless KAFKA_BOOTSTRAP_SERVERS is set) and the WebSocket edge in front of it.
# Ctrl-C (or SIGTERM) stops both. Needs only the .NET SDK and bash.
#
#   EDGE_PORT                port of the edge (default 8078)
#   EDGE_HOST                address the edge binds (default 127.0.0.1; 0.0.0.0 for all)
#   BRIDGE_PORT              port of the bridge's gRPC endpoint on 127.0.0.1 (default 50051)
#   KAFKA_BOOTSTRAP_SERVERS  real Kafka (host:port,...); empty: embedded broker
#   KAFKA_TOPICS             topics the embedded broker creates (default demo:4)
#   STARTUP_TIMEOUT          seconds each service gets to start (default 60)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$ROOT"

EDGE_PORT=${EDGE_PORT:-8078}
EDGE_HOST=${EDGE_HOST:-127.0.0.1}
BRIDGE_PORT=${BRIDGE_PORT:-50051}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-60}
CONFIGURATION=Release
SOLUTION=KafkaWsProxy.Split.sln
RUN_DIR="$ROOT/.run"
BRIDGE_DIR="$ROOT/broker-bridge/KafkaWsProxy.Bridge/bin/$CONFIGURATION/net10.0"
EDGE_DIR="$ROOT/edge/KafkaWsProxy.Edge/bin/$CONFIGURATION/net10.0"
BRIDGE_LOG="$RUN_DIR/bridge.log"
EDGE_LOG="$RUN_DIR/edge.log"

# Where clients reach the edge: a wildcard bind is still reached on loopback.
case "$EDGE_HOST" in
  0.0.0.0 | '*' | '+' | '[::]' | '::') PUBLIC_HOST=127.0.0.1 ;;
  *) PUBLIC_HOST=$EDGE_HOST ;;
esac

say() { printf '%s\n' "$*"; }
fail() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

command -v dotnet >/dev/null 2>&1 || fail "the .NET SDK (dotnet) is not on PATH; install .NET 10 from https://dot.net"
[ -f "$SOLUTION" ] || fail "$SOLUTION not found in $ROOT"

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=${DOTNET_CLI_TELEMETRY_OPTOUT:-1}

say "Building $SOLUTION ($CONFIGURATION)..."
dotnet build "$SOLUTION" -c "$CONFIGURATION" -nologo -v q || fail "build failed"

mkdir -p "$RUN_DIR"
: >"$BRIDGE_LOG"
: >"$EDGE_LOG"

BRIDGE_PID=""
EDGE_PID=""
STOPPING=""

# Child output goes to its log file and to this terminal with a prefix. The
# prefixer ignores INT/TERM so that the children's shutdown logs still show;
# it ends by itself when its child closes its output.
prefix() { # prefix NAME LOGFILE
  trap '' INT TERM
  local line
  while IFS= read -r line || [ -n "$line" ]; do
    printf '%s\n' "$line" >>"$2"
    printf '[%s] %s\n' "$1" "$line"
  done
}

alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

stop_children() {
  [ -n "$STOPPING" ] && return 0
  STOPPING=1
  local pid waited=0
  for pid in $EDGE_PID $BRIDGE_PID; do
    alive "$pid" && kill -TERM "$pid" 2>/dev/null || true
  done
  while { alive "$EDGE_PID" || alive "$BRIDGE_PID"; } && [ "$waited" -lt 100 ]; do
    sleep 0.1
    waited=$((waited + 1))
  done
  for pid in $EDGE_PID $BRIDGE_PID; do
    if alive "$pid"; then
      say "run.sh: process $pid did not stop within 10 s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  for pid in $EDGE_PID $BRIDGE_PID; do
    wait "$pid" 2>/dev/null || true
  done
}

trap 'stop_children' EXIT
trap 'say "Stopping..."; stop_children; exit 130' INT
trap 'stop_children; exit 143' TERM

# wait_for_log NAME PID LOGFILE PATTERN: until the pattern shows up in the log,
# or fail when the process dies or the deadline passes.
wait_for_log() {
  local name=$1 pid=$2 log=$3 pattern=$4 deadline=$((SECONDS + STARTUP_TIMEOUT))
  until grep -q "$pattern" "$log" 2>/dev/null; do
    if ! alive "$pid"; then
      local code=0
      wait "$pid" 2>/dev/null || code=$?
      fail "the $name exited during start-up (exit code $code); see $log"
    fi
    [ "$SECONDS" -lt "$deadline" ] || fail "the $name did not start within ${STARTUP_TIMEOUT}s; see $log"
    sleep 0.2
  done
}

# http_status HOST PORT PATH: the status code of a GET, using bash's /dev/tcp.
http_status() {
  local status=""
  if exec 3<>"/dev/tcp/$1/$2"; then
    printf 'GET %s HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\n\r\n' "$3" "$1" "$2" >&3
    IFS=' ' read -r -t 5 _ status _ <&3 || true
    exec 3<&- 3>&-
  fi 2>/dev/null
  printf '%s' "$status"
}

# ---------------------------------------------------------------- bridge
(
  cd "$BRIDGE_DIR"
  exec dotnet KafkaWsProxy.Bridge.dll --urls "http://127.0.0.1:$BRIDGE_PORT"
) > >(prefix bridge "$BRIDGE_LOG") 2>&1 &
BRIDGE_PID=$!
wait_for_log bridge "$BRIDGE_PID" "$BRIDGE_LOG" "Now listening on"

# ---------------------------------------------------------------- edge
(
  cd "$EDGE_DIR"
  export Bridge__Address="http://127.0.0.1:$BRIDGE_PORT"
  exec dotnet KafkaWsProxy.Edge.dll --urls "http://$EDGE_HOST:$EDGE_PORT"
) > >(prefix edge "$EDGE_LOG") 2>&1 &
EDGE_PID=$!
wait_for_log edge "$EDGE_PID" "$EDGE_LOG" "Now listening on"

deadline=$((SECONDS + STARTUP_TIMEOUT))
health=""
while [ "$SECONDS" -lt "$deadline" ]; do
  health=$(http_status "$PUBLIC_HOST" "$EDGE_PORT" /healthcheck)
  [ -n "$health" ] && break
  alive "$EDGE_PID" || break
  sleep 0.5
done
[ -n "$health" ] || fail "the edge did not answer http://$PUBLIC_HOST:$EDGE_PORT/healthcheck; see $EDGE_LOG"

# ---------------------------------------------------------------- banner
kafka=$(grep -o 'embedded Kafka broker.* at [^ ]* with topics .*' "$BRIDGE_LOG" | head -n 1 |
  sed 's/.* at \([^ ]*\) with topics \(.*\)/embedded broker at \1 (topics \2)/' || true)
if [ -z "$kafka" ]; then
  kafka=$(grep -o 'Using Kafka at .*' "$BRIDGE_LOG" | head -n 1 | sed 's/^Using Kafka at /bootstrap servers /' || true)
fi

cat <<EOF

KafkaWsProxy is up.
  console: http://$PUBLIC_HOST:$EDGE_PORT/ (open it in a browser)
  produce: ws://$PUBLIC_HOST:$EDGE_PORT/socket/in?clientId=me&topic=demo
  consume: ws://$PUBLIC_HOST:$EDGE_PORT/socket/out?clientId=me&topic=demo
  cluster: http://$PUBLIC_HOST:$EDGE_PORT/kafka/cluster/info
  health:  http://$PUBLIC_HOST:$EDGE_PORT/healthcheck (answered $health)
  bridge:  http://127.0.0.1:$BRIDGE_PORT (gRPC, kafkawsproxy.v1.KafkaBridge)
Kafka: ${kafka:-see $BRIDGE_LOG}
Logs: $BRIDGE_LOG, $EDGE_LOG. Press Ctrl-C to stop.

EOF

# ---------------------------------------------------------------- supervise
# Poll rather than `wait -n` (bash 3.2 on macOS has none); the short `wait` on a
# sleeper keeps Ctrl-C responsive.
while :; do
  for entry in "bridge:$BRIDGE_PID" "edge:$EDGE_PID"; do
    name=${entry%%:*}
    pid=${entry#*:}
    if ! alive "$pid"; then
      code=0
      wait "$pid" 2>/dev/null || code=$?
      say "run.sh: the $name exited on its own (exit code $code); stopping the other service" >&2
      stop_children
      exit 1
    fi
  done
  sleep 1 &
  wait $! 2>/dev/null || true
done

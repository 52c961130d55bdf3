#!/usr/bin/env bash
# Build once, then start the broker bridge(s) (the first with the embedded Kafka
# broker unless KAFKA_BOOTSTRAP_SERVERS is set) and the WebSocket edge(s) in
# front of them, each edge configured with every bridge.
# Ctrl-C (or SIGTERM) stops them all. Needs only the .NET SDK and bash.
#
#   BRIDGES                  number of bridges (default 1), on BRIDGE_PORT, BRIDGE_PORT+1, ...
#   EDGES                    number of edges (default 1), on EDGE_PORT, EDGE_PORT+1, ...
#   EDGE_PORT                port of the (first) edge (default 8078)
#   EDGE_HOST                address the edges bind (default 127.0.0.1; 0.0.0.0 for all)
#   BRIDGE_PORT              port of the (first) bridge's gRPC endpoint on 127.0.0.1 (default 50051)
#   KAFKA_BOOTSTRAP_SERVERS  real Kafka (host:port,...); empty: embedded broker
#   KAFKA_TOPICS             topics the embedded broker creates (default demo:4)
#   STARTUP_TIMEOUT          seconds each service gets to start (default 60)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$ROOT"

EDGE_PORT=${EDGE_PORT:-8078}
EDGE_HOST=${EDGE_HOST:-127.0.0.1}
BRIDGE_PORT=${BRIDGE_PORT:-50051}
BRIDGES=${BRIDGES:-1}
EDGES=${EDGES:-1}
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
case "$BRIDGES$EDGES" in *[!0-9]*) fail "BRIDGES and EDGES must be numbers" ;; esac
[ "$BRIDGES" -ge 1 ] && [ "$EDGES" -ge 1 ] || fail "BRIDGES and EDGES must be at least 1"

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=${DOTNET_CLI_TELEMETRY_OPTOUT:-1}

say "Building $SOLUTION ($CONFIGURATION)..."
dotnet build "$SOLUTION" -c "$CONFIGURATION" -nologo -v q || fail "build failed"

mkdir -p "$RUN_DIR"

# Service number i (1-based): its name in the log prefix and its log file.
# The first keeps the plain names (bridge, .run/bridge.log), as with one of each.
service_name() { if [ "$2" -eq 1 ]; then printf '%s' "$1"; else printf '%s-%s' "$1" "$2"; fi; }
service_log() { printf '%s/%s.log' "$RUN_DIR" "$(service_name "$1" "$2")"; }

BRIDGE_PIDS=()
EDGE_PIDS=()
ALL_PIDS=()
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

any_alive() {
  local pid
  for pid in "$@"; do alive "$pid" && return 0; done
  return 1
}

# Edges and bridges get SIGTERM together: each edge closes its sockets, each
# bridge drains (its sockets are told to reconnect with 1001).
stop_children() {
  [ -n "$STOPPING" ] && return 0
  STOPPING=1
  local pid waited=0 pids="${EDGE_PIDS[*]:-} ${BRIDGE_PIDS[*]:-}"
  for pid in $pids; do
    alive "$pid" && kill -TERM "$pid" 2>/dev/null || true
  done
  # shellcheck disable=SC2086
  while any_alive $pids && [ "$waited" -lt 100 ]; do
    sleep 0.1
    waited=$((waited + 1))
  done
  for pid in $pids; do
    if alive "$pid"; then
      say "run.sh: process $pid did not stop within 10 s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  for pid in $pids; do
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

# ---------------------------------------------------------------- bridges
# With the embedded broker only the first bridge starts it (and creates the
# session registry topic in it); the others use it as their Kafka.
BRIDGE_ADDRESSES=""
KAFKA_FOR_OTHERS=${KAFKA_BOOTSTRAP_SERVERS:-}
i=1
while [ "$i" -le "$BRIDGES" ]; do
  name=$(service_name bridge "$i")
  log=$(service_log bridge "$i")
  port=$((BRIDGE_PORT + i - 1))
  : >"$log"
  (
    cd "$BRIDGE_DIR"
    if [ "$i" -gt 1 ] && [ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" ]; then
      export Kafka__BootstrapServers="$KAFKA_FOR_OTHERS"
      # As with the embedded broker itself: its classic group protocol cannot add a member to a stable group.
      export Kafka__GroupProtocol="${Kafka__GroupProtocol:-consumer}"
    fi
    exec dotnet KafkaWsProxy.Bridge.dll --urls "http://127.0.0.1:$port"
  ) > >(prefix "$name" "$log") 2>&1 &
  pid=$!
  BRIDGE_PIDS+=("$pid")
  ALL_PIDS+=("$name:$pid")
  wait_for_log "$name" "$pid" "$log" "Now listening on"
  if [ "$i" -eq 1 ] && [ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" ]; then
    KAFKA_FOR_OTHERS=$(grep -o 'started the embedded Kafka broker.* at [^ ]* with topics' "$log" | head -n 1 |
      sed 's/.* at \([^ ]*\) with topics/\1/' || true)
    [ -n "$KAFKA_FOR_OTHERS" ] || [ "$BRIDGES" -eq 1 ] || fail "the first bridge did not log its embedded broker's address; see $log"
  fi
  BRIDGE_ADDRESSES="${BRIDGE_ADDRESSES:+$BRIDGE_ADDRESSES,}http://127.0.0.1:$port"
  i=$((i + 1))
done

# ---------------------------------------------------------------- edges
# Each edge gets every bridge (Bridge:Address is a comma-separated list) and
# spreads its sockets over the healthy ones.
i=1
while [ "$i" -le "$EDGES" ]; do
  name=$(service_name edge "$i")
  log=$(service_log edge "$i")
  port=$((EDGE_PORT + i - 1))
  : >"$log"
  (
    cd "$EDGE_DIR"
    export Bridge__Address="$BRIDGE_ADDRESSES"
    exec dotnet KafkaWsProxy.Edge.dll --urls "http://$EDGE_HOST:$port"
  ) > >(prefix "$name" "$log") 2>&1 &
  pid=$!
  EDGE_PIDS+=("$pid")
  ALL_PIDS+=("$name:$pid")
  wait_for_log "$name" "$pid" "$log" "Now listening on"
  i=$((i + 1))
done
EDGE_PID=${EDGE_PIDS[0]}

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

# The edges and bridges beyond the first, for the banner.
more_edges=""
i=2
while [ "$i" -le "$EDGES" ]; do
  more_edges="$more_edges
  edge $i:  ws://$PUBLIC_HOST:$((EDGE_PORT + i - 1))/socket/in, /socket/out (same paths and queries as above)"
  i=$((i + 1))
done
more_bridges=""
i=2
while [ "$i" -le "$BRIDGES" ]; do
  more_bridges="$more_bridges
  bridge $i: http://127.0.0.1:$((BRIDGE_PORT + i - 1)) (gRPC)"
  i=$((i + 1))
done
logs=$(cd "$RUN_DIR" && ls bridge*.log edge*.log | sed "s|^|$RUN_DIR/|" | tr '\n' ' ')

cat <<EOF

KafkaWsProxy is up ($BRIDGES bridge(s), $EDGES edge(s); every edge uses every bridge).
  console: http://$PUBLIC_HOST:$EDGE_PORT/ (open it in a browser)
  produce: ws://$PUBLIC_HOST:$EDGE_PORT/socket/in?clientId=me&topic=demo
  consume: ws://$PUBLIC_HOST:$EDGE_PORT/socket/out?clientId=me&topic=demo
  cluster: http://$PUBLIC_HOST:$EDGE_PORT/kafka/cluster/info
  health:  http://$PUBLIC_HOST:$EDGE_PORT/healthcheck (answered $health)$more_edges
  bridge:  http://127.0.0.1:$BRIDGE_PORT (gRPC, kafkawsproxy.v1.KafkaBridge; reflection on: grpcurl -plaintext 127.0.0.1:$BRIDGE_PORT list)$more_bridges
Kafka: ${kafka:-see $BRIDGE_LOG}
Logs: $logs
Press Ctrl-C to stop.

EOF

# ---------------------------------------------------------------- supervise
# Poll rather than `wait -n` (bash 3.2 on macOS has none); the short `wait` on a
# sleeper keeps Ctrl-C responsive.
while :; do
  for entry in "${ALL_PIDS[@]}"; do
    name=${entry%%:*}
    pid=${entry#*:}
    if ! alive "$pid"; then
      code=0
      wait "$pid" 2>/dev/null || code=$?
      say "run.sh: the $name exited on its own (exit code $code); stopping the other services" >&2
      stop_children
      exit 1
    fi
  done
  sleep 1 &
  wait $! 2>/dev/null || true
done

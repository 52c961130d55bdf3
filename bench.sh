#!/usr/bin/env bash
# Benchmark: the proxy (one bridge + one edge) against a direct Confluent.Kafka
# client on the same broker — the embedded one, or KAFKA_BOOTSTRAP_SERVERS when set.
# Prints a Markdown table and writes bench-results/bench-<timestamp>.{md,json}.
#
#   ./bench.sh            full run
#   ./bench.sh --quick    smoke run of seconds (connections: 20 sockets held 2 s)
#   options: --out DIR, --produce-records N, --sockets C, --in-flight W,
#     --consume-records M, --commit-every K, --latency-rate R, --latency-seconds D,
#     --connections K1,K2,... (idle /out sockets held at once, steps; default 100,500,1000,2000),
#     --hold-seconds H (each step holds its sockets H s; default 30),
#     --only produce,floor,consume,latency,connections,fuzz,
#     --compare FILE (print each figure beside an earlier run's bench-*.json, with the ratio)
#   ./bench.sh --only produce,floor --compare bench-results/bench-<earlier>.json
#                         the proxy's produce against the WebSocket floor, judged against an earlier run
#   ./bench.sh --only fuzz --fuzz-seconds 600 [--fuzz-seed N]
#                         the test suite's hostile-frame fuzz for longer; fails on any broken rule
#   ./bench.sh --only broadcast [--broadcast-sockets 1000,10000] [--broadcast-rate 1000] [--broadcast-seconds 20] [--broadcast-batch-size 100]
#                         broadcast sockets sharing one consumer: delivery share, 4000 closes, fan-out latency,
#                         each step first against the broadcast floor (a minimal Kestrel server writing the same frames)
#   ./bench.sh --only resume
#                         two members of a group, one's connection dropped for a second: without and with resumeWindowMs
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$ROOT"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=${DOTNET_CLI_TELEMETRY_OPTOUT:-1}

dotnet build KafkaWsProxy.Split.sln -c Release -nologo -v q
dotnet run --no-build -c Release --project tests/KafkaWsProxy.Benchmarks -- "$@"

#!/usr/bin/env bash
# Run the whole test suite (dotnet test on the solution) and end with the
# plain line "N passed, M failed" (", K skipped" when K > 0), which CI reads.
# Exits non-zero when the run fails, any test fails, or no test ran.
#
#   CONFIGURATION      Debug (default) or Release
#   SKIP_FORMAT_CHECK  1 to skip the `dotnet format --verify-no-changes` step
#   CHROMIUM_BINARY    chromium for the console tests (default /usr/bin/chromium)
#   CHROMEDRIVER       its chromedriver (default /usr/bin/chromedriver); both are
#                      installed with apt-get when missing (as root), else the run fails
#   extra arguments are passed to dotnet test, e.g. ./test.sh --filter Produce
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$ROOT"

CONFIGURATION=${CONFIGURATION:-Debug}
SOLUTION=KafkaWsProxy.Split.sln
RESULTS="$ROOT/TestResults"

command -v dotnet >/dev/null 2>&1 || { echo "test.sh: the .NET SDK (dotnet) is not on PATH" >&2; exit 1; }
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=${DOTNET_CLI_TELEMETRY_OPTOUT:-1}

# Services a crashed test host left running: each marked itself {name}-{pid}.running.
for marker in "$RESULTS"/service-logs/*.running; do
  [ -e "$marker" ] || continue
  pid=${marker##*-}; pid=${pid%.running}
  if tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q 'KafkaWsProxy\.\(Bridge\|Edge\)\.dll'; then
    kill "$pid" 2>/dev/null || true
  fi
done
rm -rf "$RESULTS"

# The console tests (tests/KafkaWsProxy.Tests/WebConsole) drive Debian's chromium
# headless through chromium-driver. Install both when missing; never skip them.
CHROMIUM_BINARY=${CHROMIUM_BINARY:-/usr/bin/chromium}
CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
export CHROMIUM_BINARY CHROMEDRIVER
if [ ! -x "$CHROMIUM_BINARY" ] || [ ! -x "$CHROMEDRIVER" ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing chromium and chromium-driver with apt-get for the console tests"
    { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; } ||
      { echo "test.sh: could not install chromium and chromium-driver (apt-get failed); the console tests need them" >&2; exit 1; }
  else
    echo "test.sh: $CHROMIUM_BINARY or $CHROMEDRIVER is missing; install them (as root: apt-get install chromium chromium-driver)" >&2
    echo "test.sh: or set CHROMIUM_BINARY and CHROMEDRIVER to a chromium and its matching chromedriver" >&2
    exit 1
  fi
  [ -x "$CHROMIUM_BINARY" ] && [ -x "$CHROMEDRIVER" ] ||
    { echo "test.sh: $CHROMIUM_BINARY or $CHROMEDRIVER is still missing after apt-get install" >&2; exit 1; }
fi

# Style is part of the suite: the code must be `dotnet format` clean.
format_status=0
if [ "${SKIP_FORMAT_CHECK:-0}" != 1 ]; then
  dotnet format "$SOLUTION" --verify-no-changes -v quiet || format_status=$?
fi

status=0
dotnet test "$SOLUTION" -c "$CONFIGURATION" -nologo \
  --results-directory "$RESULTS" \
  --logger trx \
  --logger "console;verbosity=normal" \
  "$@" || status=$?

# One .trx per test project, default names: a fixed LogFileName would be
# overwritten by the next project. Sum the <Counters .../> of all of them.
# VSTest leaves skipped tests out of "executed": skipped = total - executed.
counter() { # counter NAME FILE
  sed -n "s/.*<Counters[^>]* $1=\"\([0-9]*\)\".*/\1/p" "$2" | head -n 1
}
total=0 passed=0 failed=0 skipped=0 files=0
while IFS= read -r -d '' trx; do
  files=$((files + 1))
  t=$(counter total "$trx"); x=$(counter executed "$trx"); p=$(counter passed "$trx")
  f=$(counter failed "$trx"); e=$(counter error "$trx")
  o=$(counter timeout "$trx"); a=$(counter aborted "$trx")
  total=$((total + ${t:-0}))
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0} + ${o:-0} + ${a:-0}))
  skipped=$((skipped + ${t:-0} - ${x:-0}))
done < <(find "$RESULTS" -name '*.trx' -print0 2>/dev/null)

# Name each failed test, with the first lines of its message, just above the
# summary: CI keeps only the end of the output.
failures() { # failures FILE
  awk '
    function unescape(s) {
      gsub(/&quot;/, "\"", s); gsub(/&apos;/, "\047", s)
      gsub(/&lt;/, "<", s); gsub(/&gt;/, ">", s); gsub(/&amp;/, "\\&", s)
      return s
    }
    /<UnitTestResult / && /outcome="(Failed|Error|Timeout|Aborted)"/ {
      name = $0; sub(/.*testName="/, "", name); sub(/".*/, "", name)
      print "FAILED " unescape(name); failed = 1; lines = 0
    }
    failed && /<\/UnitTestResult>|<UnitTestResult [^>]*\/>/ { ended = 1 }
    failed && /<Message>/ { inmessage = 1; sub(/.*<Message>/, "") }
    failed && inmessage {
      text = $0; done = sub(/<\/Message>.*/, "", text)
      if (lines < 8 && text !~ /^[[:space:]]*$/) { print "    " unescape(text); lines++ }
      if (done) inmessage = 0
    }
    ended { failed = 0; inmessage = 0; ended = 0 }
  ' "$1"
}
while IFS= read -r -d '' trx; do
  failures "$trx"
done < <(find "$RESULTS" -name '*.trx' -print0 2>/dev/null)

if [ "$status" -ne 0 ]; then
  echo "test.sh: dotnet test exited with code $status" >&2
elif [ "$files" -eq 0 ] || [ "$total" -eq 0 ]; then
  echo "test.sh: no tests ran" >&2
  status=1
elif [ "$failed" -gt 0 ]; then
  status=1
fi

if [ "$format_status" -ne 0 ]; then
  echo "test.sh: the code is not 'dotnet format' clean; run: dotnet format $SOLUTION" >&2
  status=1
fi

summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
exit "$status"

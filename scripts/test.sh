#!/usr/bin/env bash
# Runs every test of the solution: installs what the tests need (Debian packages, the npm source model),
# builds in Release and runs dotnet test. Ends with one line "Tests: N passed, N failed".
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

fail_setup() {
    echo "test: $1" >&2
    echo "Tests: 0 passed, 1 failed"
    exit 1
}

# Chromium only for the tests: the web page is checked in a real browser.
bash scripts/install-deps.sh chromium || fail_setup "could not install the Debian packages the tests need"
bash scripts/fetch-source-model.sh >/dev/null || fail_setup "could not fetch the source model from npm"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# A test that hangs fails the run after 5 minutes of silence (with a dump under TestResults) instead of
# holding CI until its own time limit.
dotnet test EdgeVision.sln -c Release --nologo --blame-hang-timeout 5m --blame-hang-dump-type mini "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# dotnet test prints one summary per test assembly: "Passed!  - Failed: 0, Passed: 78, Skipped: 0, ...". Read as
# text (-a) even when a failure message quoted binary bytes (a JPEG payload), which makes grep call the log binary.
passed=$(grep -aoE 'Passed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
failed=$(grep -aoE 'Failed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
if [[ $status -ne 0 && $failed -eq 0 ]]; then
    failed=1   # the build or the test host failed before any test could report
fi
echo "Tests: $passed passed, $failed failed"
exit "$status"

#!/usr/bin/env bash
# The main job: builds EdgeVision and runs the agent. With the default configuration
# (config/edgevision.json) it plays the bundled clip samples/vtest-clip.mp4 in a loop, detects objects with
# the INT8 NanoDet-g model, and publishes to an embedded MQTT broker on 127.0.0.1:1883; a live summary is
# printed every 2 s. Ctrl+C stops it cleanly. Arguments go to `edgevision run`
# (e.g. --config config/examples/four-cameras.json, --Mqtt:Host=broker.local).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

bash scripts/install-deps.sh
dotnet build src/EdgeAgent -c Release -v quiet -nologo >&2
# Two malloc arenas keep the agent's resident size from creeping (README, Soak); a value already set wins.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
exec dotnet src/EdgeAgent/bin/Release/net10.0/edgevision.dll run "$@"

#!/usr/bin/env bash
# The main job: builds EdgeVision and runs the NanoDet-g detector on the bundled sample frames
# (tests/fixtures/frames, cut from OpenCV's vtest.avi), printing every detection and writing the
# frames with their boxes drawn to out/detections/. Extra arguments go to `edgevision detect`.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

bash scripts/install-deps.sh
dotnet build src/EdgeAgent -c Release -v quiet -nologo >&2
dotnet src/EdgeAgent/bin/Release/net10.0/edgevision.dll detect tests/fixtures/frames --out out/detections "$@"
echo "annotated frames: $root/out/detections/" >&2

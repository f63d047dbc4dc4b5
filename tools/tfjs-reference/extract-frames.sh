#!/usr/bin/env bash
# Extract the still frames used by the NanoDet reference fixtures from the
# OpenCV sample video vtest.avi (Debian package opencv-doc).
#
# Usage: tools/tfjs-reference/extract-frames.sh [repo-root] [video]
#   repo-root  defaults to two directories above this script
#   video      defaults to /usr/share/doc/opencv-doc/examples/data/vtest.avi
#
# Writes lossless 8-bit RGB PNGs tests/fixtures/frames/vtest_NNNNNN.png where
# NNNNNN is the zero-based decoded frame index.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="${1:-$(cd "$here/../.." && pwd)}"
video="${2:-/usr/share/doc/opencv-doc/examples/data/vtest.avi}"
frames=(40 160 320 480 640)

command -v ffmpeg >/dev/null 2>&1 || { echo "extract-frames: error: ffmpeg not found (apt-get install ffmpeg)" >&2; exit 1; }
[[ -f "$video" ]] || { echo "extract-frames: error: $video not found (apt-get install opencv-doc)" >&2; exit 1; }

out_dir="$repo_root/tests/fixtures/frames"
mkdir -p "$out_dir"

for n in "${frames[@]}"; do
    out="$out_dir/$(printf 'vtest_%06d.png' "$n")"
    # select=eq(n,N) keeps exactly the N-th decoded frame (0-based);
    # -fps_mode passthrough stops ffmpeg from duplicating/dropping frames;
    # bitexact flags keep encoder version strings out of the PNG.
    ffmpeg -hide_banner -loglevel error -nostdin -y \
        -i "$video" \
        -vf "select=eq(n\\,${n})" -fps_mode passthrough -frames:v 1 \
        -sws_flags bicubic+accurate_rnd+full_chroma_int \
        -pix_fmt rgb24 -flags +bitexact -fflags +bitexact \
        "$out"
    echo "extract-frames: wrote $out" >&2
done

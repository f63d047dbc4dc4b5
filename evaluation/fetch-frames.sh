#!/usr/bin/env bash
# Writes the images evaluation/labels.json refers to into evaluation/frames/ (or the folder given as $1):
#   vtest_<frame>.png        decoded frames (0-based) of opencv-doc's vtest.avi
#   opencv-doc_<stem>.png    stills shipped by Debian's opencv-doc
#   face-api_<stem>.png      demo photos of npm's @vladmandic/face-api@1.7.15
# Needs: ffmpeg, python3, opencv-doc (apt) and npm for the face-api photos.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
labels="${LABELS:-$here/labels.json}"
out="${1:-$here/frames}"
mkdir -p "$out"
for tool in ffmpeg python3; do
  command -v "$tool" >/dev/null || { echo "fetch-frames: $tool is not installed (apt-get install $tool)" >&2; exit 1; }
done
opencv_data=/usr/share/doc/opencv-doc/examples/data
[ -f "$opencv_data/vtest.avi" ] || { echo "fetch-frames: $opencv_data/vtest.avi missing (apt-get install opencv-doc)" >&2; exit 1; }

# "source<TAB>frame<TAB>file" for every labelled frame.
entries="$(python3 - "$labels" <<'PY'
import json, sys
for f in json.load(open(sys.argv[1]))["frames"]:
    print(f"{f['source']}\t{f['frame']}\t{f.get('file') or ''}")
PY
)"

# Video frames: one decoding pass selects them all, then the numbered outputs are renamed in order.
frames="$(awk -F'\t' '$1=="vtest"{print $2}' <<<"$entries" | sort -n | uniq)"
if [ -n "$frames" ]; then
  tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
  expr="$(sed 's/.*/eq(n\\,&)/' <<<"$frames" | paste -sd+)"
  ffmpeg -v error -nostdin -i "$opencv_data/vtest.avi" -vf "select=$expr" -fps_mode passthrough "$tmp/%04d.png"
  i=1
  for n in $frames; do
    mv "$tmp/$(printf %04d "$i").png" "$out/vtest_$(printf %06d "$n").png"
    i=$((i + 1))
  done
fi

# Stills: converted to PNG unchanged in size.
face_api=""
while IFS=$'\t' read -r source frame file; do
  [ -n "$file" ] || continue
  case "$source" in
    opencv-doc) input="$(find /usr/share/doc/opencv-doc -name "$file" -print -quit)" ;;
    face-api)
      if [ -z "$face_api" ]; then
        command -v npm >/dev/null || { echo "fetch-frames: npm is needed for the face-api photos (apt-get install npm)" >&2; exit 1; }
        face_api="$(mktemp -d)"
        (cd "$face_api" && npm pack --silent @vladmandic/face-api@1.7.15 >/dev/null && tar xzf vladmandic-face-api-1.7.15.tgz package/demo)
      fi
      input="$face_api/package/demo/$file" ;;
    *) echo "fetch-frames: unknown still source '$source' in $labels" >&2; exit 1 ;;
  esac
  [ -n "$input" ] && [ -f "$input" ] || { echo "fetch-frames: $source still '$file' not found" >&2; exit 1; }
  ffmpeg -v error -nostdin -y -i "$input" -frames:v 1 -pix_fmt rgb24 "$out/${source}_${file%.*}.png"
done <<<"$entries"
[ -z "$face_api" ] || rm -rf "$face_api"
echo "fetch-frames: $(wc -l <<<"$entries") images in $out"

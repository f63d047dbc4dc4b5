#!/usr/bin/env bash
# Long run of the agent against a local mosquitto that is killed and restarted on a schedule (not part of CI).
#
#   bash scripts/soak.sh [--minutes 35] [--flap-every 5] [--outage 20] [--detect-fps 5] [--out DIR] [--no-build]
#                        [--rtsp-every M] [--rtsp-outage S]
#
# One paced camera (the bundled clip, looped) publishes to a mosquitto on a free loopback port. Every
# --flap-every minutes the broker is killed with SIGKILL and started again after --outage seconds. A subscriber
# with a persistent session (MQTT 5, session expiry one hour, QoS 1) records every event and stats message.
# With --rtsp-every M a second camera reads the clip over RTSP from Debian's gst-rtsp-server
# (tools/rtsp-server/serve-clip.py), which is killed every M minutes and started again after --rtsp-outage
# seconds (default 30); the agent must reconnect on its own.
# The agent's VmRSS, thread and descriptor counts are sampled every 30 s. At the end the agent is stopped with
# SIGTERM while the broker is up and a summary is printed:
#   produced  = the highest event seq per camera (seq numbers every event a camera produces, from 1, without gaps)
#   delivered = distinct seqs the subscriber received;  dropped = produced - delivered
# The agent runs from a copy of its build output, so rebuilding the repository during a soak does not disturb it.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
minutes=35
flap_every=5
outage=20
detect_fps=5
out=""
build=1
rtsp_every=0
rtsp_outage=30
while [[ $# -gt 0 ]]; do
    case "$1" in
        --minutes) minutes="$2"; shift 2 ;;
        --flap-every) flap_every="$2"; shift 2 ;;
        --outage) outage="$2"; shift 2 ;;
        --detect-fps) detect_fps="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --no-build) build=0; shift ;;
        --rtsp-every) rtsp_every="$2"; shift 2 ;;
        --rtsp-outage) rtsp_outage="$2"; shift 2 ;;
        *) echo "soak: unknown option '$1' (see the header of $0)" >&2; exit 2 ;;
    esac
done
[[ "$minutes" =~ ^[0-9]+$ && "$flap_every" =~ ^[1-9][0-9]*$ && "$outage" =~ ^[0-9]+$ && "$rtsp_every" =~ ^[0-9]+$ && "$rtsp_outage" =~ ^[0-9]+$ ]] \
    || { echo "soak: --minutes, --flap-every, --outage, --rtsp-every and --rtsp-outage take whole numbers (--flap-every at least 1)" >&2; exit 2; }
for tool in /usr/sbin/mosquitto mosquitto_sub python3; do
    command -v "$tool" >/dev/null || { echo "soak: $tool missing (bash scripts/install-deps.sh)" >&2; exit 1; }
done

out="${out:-$(mktemp -d /tmp/edgevision-soak.XXXXXX)}"
mkdir -p "$out"
cd "$root"
if [[ $build -eq 1 ]]; then
    dotnet build src/EdgeAgent -c Release --nologo -v q >"$out/build.log" 2>&1 || { echo "soak: build failed, see $out/build.log" >&2; exit 1; }
fi
cp -r src/EdgeAgent/bin/Release/net10.0 "$out/agent"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
device="soak-$$"
cat >"$out/mosquitto.conf" <<EOF
listener $port 127.0.0.1
allow_anonymous true
persistence true
persistence_location $out/broker/
autosave_interval 10
log_dest stderr
EOF
# Started as root, mosquitto drops to its own user, which must be able to write its persistence file.
mkdir -p "$out/broker"
if [[ $(id -u) -eq 0 ]] && id mosquitto >/dev/null 2>&1; then
    chown mosquitto "$out/broker"
fi

broker_pid=""
start_broker() {
    /usr/sbin/mosquitto -c "$out/mosquitto.conf" 2>>"$out/mosquitto.log" &
    broker_pid=$!
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "soak: mosquitto did not start on port $port" >&2
    return 1
}

rtsp_pid=""
rtsp_port=""
start_rtsp() {
    /usr/bin/python3 "$root/tools/rtsp-server/serve-clip.py" "$rtsp_port" >>"$out/rtsp.log" 2>&1 &
    rtsp_pid=$!
    for _ in $(seq 100); do
        grep -q "serving rtsp://127.0.0.1:$rtsp_port" "$out/rtsp.log" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "soak: the RTSP server did not start on port $rtsp_port; see $out/rtsp.log" >&2
    return 1
}

agent_pid=""
sub_pid=""
cleanup() {
    for pid in "$agent_pid" "$sub_pid" "$broker_pid" "$rtsp_pid"; do
        [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT

start_broker
mosquitto_sub -V mqttv5 -h 127.0.0.1 -p "$port" -i "soak-sub-$$" -c -x 3600 -q 1 \
    -t "edgevision/$device/+/events" -t "edgevision/$device/stats" -F '%t %p' >"$out/received.log" 2>"$out/subscriber.log" &
sub_pid=$!
sleep 1

camera_args=()
if (( rtsp_every > 0 )); then
    rtsp_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    start_rtsp
    camera_args=("--EdgeVision:Cameras:1:Name=rtsp" "--EdgeVision:Cameras:1:Source=rtsp://127.0.0.1:$rtsp_port/clip"
        "--EdgeVision:Cameras:1:DetectFps=$detect_fps")
fi

(cd "$root" && STATE_DIRECTORY="$out/state" exec dotnet "$out/agent/edgevision.dll" run \
    "--Mqtt:Host=127.0.0.1" "--Mqtt:Port=$port" "--Mqtt:DeviceId=$device" "--Mqtt:ReconnectMaxDelay=00:00:05" \
    "--EdgeVision:ConsoleSummaryInterval=00:00:00" "--EdgeVision:SnapshotDirectory=$out/snapshots" \
    "--EdgeVision:Cameras:0:DetectFps=$detect_fps" "${camera_args[@]}") >"$out/agent.log" 2>&1 &
agent_pid=$!

sample() {
    local status
    status="$(cat "/proc/$agent_pid/status" 2>/dev/null)" || return 0
    printf '%s %s %s %s\n' "$(date -u +%s)" \
        "$(awk '/^VmRSS:/ {print $2}' <<<"$status")" \
        "$(awk '/^Threads:/ {print $2}' <<<"$status")" \
        "$(ls "/proc/$agent_pid/fd" 2>/dev/null | wc -l)" >>"$out/rss.log"
}

echo "soak: $minutes min, broker flap every $flap_every min for $outage s; files in $out" >&2
start=$(date +%s)
end=$((start + minutes * 60))
next_flap=$((start + flap_every * 60))
next_sample=$((start + 60))
next_rtsp=$((start + rtsp_every * 60))
flaps=0
rtsp_kills=0
sleep 30
sample
while (( $(date +%s) < end )); do
    kill -0 "$agent_pid" 2>/dev/null || { echo "soak: the agent exited early; see $out/agent.log" >&2; exit 1; }
    now=$(date +%s)
    if (( now >= next_sample )); then
        sample
        next_sample=$((now + 30))
    fi
    if (( now >= next_flap && now + outage < end )); then
        kill -KILL "$broker_pid"; wait "$broker_pid" 2>/dev/null || true
        flaps=$((flaps + 1))
        echo "soak: $(date -u +%T) broker killed ($flaps)" >&2
        sleep "$outage"
        start_broker
        next_flap=$((next_flap + flap_every * 60))
    fi
    if (( rtsp_every > 0 && now >= next_rtsp && now + rtsp_outage < end )); then
        kill -KILL "$rtsp_pid"; wait "$rtsp_pid" 2>/dev/null || true
        rtsp_kills=$((rtsp_kills + 1))
        echo "soak: $(date -u +%T) RTSP server killed ($rtsp_kills)" >&2
        sleep "$rtsp_outage"
        start_rtsp
        next_rtsp=$((next_rtsp + rtsp_every * 60))
    fi
    sleep 5
done

sample
kill -TERM "$agent_pid"
wait "$agent_pid" || true
agent_pid=""
sleep 3
kill "$sub_pid" 2>/dev/null || true
wait "$sub_pid" 2>/dev/null || true
sub_pid=""
elapsed=$(( $(date +%s) - start ))

python3 - "$out" "$elapsed" "$flaps" "$device" "$rtsp_kills" <<'EOF'
import json, sys
out, elapsed, flaps, device, rtsp_kills = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
seqs, received, stats = {}, 0, None
with open(f"{out}/received.log", encoding="utf-8", errors="replace") as f:
    for line in f:
        topic, _, payload = line.rstrip("\n").partition(" ")
        if topic.endswith("/events"):
            received += 1
            camera = topic.split("/")[2]
            seqs.setdefault(camera, set()).add(json.loads(payload)["seq"])
        elif topic.endswith("/stats"):
            stats = json.loads(payload)
produced = sum(max(s) for s in seqs.values())
delivered = sum(len(s) for s in seqs.values())
rss = [l.split() for l in open(f"{out}/rss.log") if len(l.split()) == 4]
print(f"soak: {elapsed / 3600:.2f} h ({elapsed // 60} min), {flaps} broker flaps, {rtsp_kills} RTSP server kills")
for camera in sorted(seqs):
    print(f"  camera {camera}: produced {max(seqs[camera])}, delivered {len(seqs[camera])}")
print(f"events: produced {produced}, delivered {delivered}, dropped {produced - delivered}, duplicates {received - delivered}")
if stats:
    p = stats["publisher"]
    print(f"publisher (last stats): published {p['published']}, failed {p['failed']}, dropped {p['dropped']}, reconnects {p['reconnects']}")
if rss:
    print(f"VmRSS: start {int(rss[0][1]) // 1024} MB, end {int(rss[-1][1]) // 1024} MB, max {max(int(r[1]) for r in rss) // 1024} MB; "
          f"threads {rss[0][2]} -> {rss[-1][2]}; fds {rss[0][3]} -> {rss[-1][3]}")
EOF

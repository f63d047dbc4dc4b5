#!/usr/bin/python3
"""Serves an H.264 MP4 file over RTSP at rtsp://<address>:<port>/clip with Debian's gst-rtsp-server.

    /usr/bin/python3 tools/rtsp-server/serve-clip.py PORT [FILE] [ADDRESS]

FILE defaults to samples/vtest-clip.mp4 and ADDRESS to 127.0.0.1. Every client gets its own playback from
the start of the file, in real time; at the end of the file the stream ends (the agent then reconnects and
the clip starts again). Prints "serving rtsp://..." once the port is bound, then runs until killed.
Needs: apt-get install gir1.2-gst-rtsp-server-1.0 python3-gi gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
"""
import os
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def main():
    if len(sys.argv) < 2 or not sys.argv[1].isdigit() or not 0 < int(sys.argv[1]) < 65536:
        sys.exit("usage: serve-clip.py PORT [FILE] [ADDRESS]  (PORT 1-65535)")
    port = sys.argv[1]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    clip = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "samples", "vtest-clip.mp4"))
    address = sys.argv[3] if len(sys.argv) > 3 else "127.0.0.1"
    if not os.path.isfile(clip):
        sys.exit(f"serve-clip: file not found: {clip}")

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address(address)
    server.set_service(port)
    factory = GstRtspServer.RTSPMediaFactory()
    location = clip.replace("\\", "\\\\").replace('"', '\\"')
    factory.set_launch(f'( filesrc location="{location}" ! qtdemux ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=1 )')
    factory.set_shared(False)
    server.get_mount_points().add_factory("/clip", factory)
    if server.attach(None) == 0:
        sys.exit(f"serve-clip: cannot listen on {address}:{port}")
    print(f"serving rtsp://{address}:{port}/clip from {clip}", flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()

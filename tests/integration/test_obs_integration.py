"""Runs the real-OBS integration group (tests/integration/obs) inside a private network namespace, and checks the
adapter's failure mapping against plain sockets on 127.0.0.1 (no OBS needed for those).

OBS calls home at start and obs-websocket listens on all interfaces, so OBS only ever runs inside
`unshare --net` with loopback up (docs/obs-testbed.md). The inner run sets CONTROLROOM_OBS_NETNS=1,
which tests/integration/obs/conftest.py requires before it collects anything.
"""
from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from controlroom.stream.obs_adapter import ObsSwitcher, decode_gray
from controlroom.stream.ports import SwitcherTimeout, SwitcherUnavailable
from tests.integration.obs.harness import missing_tools

ROOT = Path(__file__).resolve().parents[2]
INNER_TIMEOUT_S = int(os.environ.get("CONTROLROOM_OBS_TIMEOUT", "1800"))


def _netns_prefix() -> list[str] | None:
    """`unshare --net` as root; otherwise a user namespace mapping us to root, if the kernel allows."""
    if shutil.which("unshare") is None:
        return None
    for prefix in (["unshare", "--net"], ["unshare", "--user", "--map-root-user", "--net"]):
        try:
            r = subprocess.run(prefix + ["true"], capture_output=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if r.returncode == 0:
            return prefix
    return None


@pytest.mark.obs
@pytest.mark.slow
def test_real_obs_group_in_private_network_namespace():
    missing = missing_tools()
    if missing:
        pytest.skip(f"real-OBS tests need {', '.join(missing)} (bash .ci/obs_setup.sh installs them)")
    prefix = _netns_prefix()
    if prefix is None:
        pytest.skip("cannot create a private network namespace (unshare --net needs root or user namespaces)")
    inner = (f"ip link set lo up && exec {sys.executable} -m pytest tests/integration/obs -q -p no:cacheprovider "
             f"-o addopts='' -o testpaths=tests/integration/obs")
    env = dict(os.environ, CONTROLROOM_OBS_NETNS="1", PYTHONUNBUFFERED="1")
    env.pop("DISPLAY", None)
    proc = subprocess.Popen(prefix + ["sh", "-c", inner], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    timer = threading.Timer(INNER_TIMEOUT_S, proc.kill)
    timer.start()
    try:
        for line in proc.stdout:
            lines.append(line)
            sys.stdout.write(line)      # shown by pytest on failure, live with -s
        rc = proc.wait()
    finally:
        timer.cancel()
    out = "".join(lines)
    assert rc == 0, f"real-OBS integration group failed (exit {rc}):\n{out[-6000:]}"
    assert " passed" in out, out[-2000:]


# ---- adapter failure mapping without OBS (plain sockets on 127.0.0.1) ------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_refused_connection_is_unavailable_and_backs_off():
    sw = ObsSwitcher("nobody", "127.0.0.1", _free_port(), "s3cret-pw", backoff_initial=0.3, backoff_max=0.6)
    with pytest.raises(SwitcherUnavailable) as ei:
        sw.status(0.5)
    assert "s3cret-pw" not in str(ei.value) and "s3cret-pw" not in repr(sw)
    t0 = time.monotonic()
    with pytest.raises(SwitcherUnavailable) as ei2:
        sw.connect(0.5)
    assert time.monotonic() - t0 < 0.05 and "backing off" in str(ei2.value)
    time.sleep(0.35)
    with pytest.raises(SwitcherUnavailable) as ei3:
        sw.connect(0.5)
    assert "refused" in str(ei3.value)
    sw.close()


def test_silent_peer_times_out_within_the_budget(caplog):
    """A peer that accepts TCP but never speaks (like a SIGSTOPped OBS) must not block the caller."""
    caplog.set_level(logging.DEBUG)
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    port = srv.getsockname()[1]
    held = []
    stop = threading.Event()

    def accept():
        srv.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(srv.accept()[0])
            except OSError:
                pass

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    try:
        sw = ObsSwitcher("mute", "127.0.0.1", port, "hunter2-pw")
        t0 = time.monotonic()
        with pytest.raises(SwitcherTimeout):
            sw.status(0.4)
        assert time.monotonic() - t0 < 0.7
        assert "hunter2-pw" not in caplog.text
        sw.close()
    finally:
        stop.set()
        t.join(1)
        for c in held:
            c.close()
        srv.close()


def test_tiny_screenshot_decoders():
    import struct
    import zlib
    w, h = 2, 2
    px = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)]   # RGB, top row first
    # BMP, 24 bit, bottom-up rows padded to 4 bytes
    rows = []
    for y in (1, 0):
        row = b"".join(bytes((b, g, r)) for r, g, b in px[y * w:(y + 1) * w])
        rows.append(row + b"\0" * ((4 - len(row) % 4) % 4))
    pix = b"".join(rows)
    bmp = (b"BM" + struct.pack("<IHHI", 54 + len(pix), 0, 0, 54)
           + struct.pack("<IiiHHIIiiII", 40, w, h, 1, 24, 0, len(pix), 0, 0, 0, 0) + pix)
    want = bytes([76, 150, 29, 255])
    assert decode_gray(bmp) == want
    # PNG, RGB, filter "Sub" on the first row and "Up" on the second
    raw = bytearray()
    prev = [0] * 6
    for y, ftype in ((0, 1), (1, 2)):
        line = [c for p in px[y * w:(y + 1) * w] for c in p]
        if ftype == 1:
            enc = [line[i] - (line[i - 3] if i >= 3 else 0) for i in range(6)]
        else:
            enc = [line[i] - prev[i] for i in range(6)]
        raw += bytes([ftype]) + bytes(v & 0xFF for v in enc)
        prev = line

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(bytes(raw))) + chunk(b"IEND", b""))
    assert decode_gray(png) == want

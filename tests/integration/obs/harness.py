"""A real OBS Studio testbed: Xvfb, nginx-rtmp ingests, OBS instances, a viewer probe, faults.

Everything here must run inside a private network namespace (see tests/integration/test_obs_integration.py):
OBS calls home at start and obs-websocket listens on all interfaces. Facts this relies on are in
docs/obs-testbed.md (OBS 29.0.2 / obs-websocket 5.1 on Debian bookworm).

Only processes started here are signalled, always by the PID we got from Popen.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from controlroom.stream.probe import StreamProbe

NGINX_RTMP_MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so"
TOOLS = ("obs", "Xvfb", "nginx", "ffmpeg", "unshare", "ip")


def missing_tools() -> list[str]:
    missing = [t for t in TOOLS if shutil.which(t) is None and not Path("/usr/sbin", t).exists()]
    if not Path(NGINX_RTMP_MODULE).exists():
        missing.append("libnginx-mod-rtmp")
    return missing


def in_private_netns() -> bool:
    """Only loopback visible (socket.if_nameindex; /sys/class/net still shows the host's)."""
    try:
        return [n for _, n in socket.if_nameindex()] == ["lo"]
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1", timeout: float = 0.2) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def set_small_tcp_buffers(values: dict[str, str] | None = None) -> dict[str, str]:
    """Make a frozen ingest visible to OBS within seconds (bytes flatten, congestion rises).
    Sockets take their sizes when created: call before starting the ingest and OBS. Returns the
    previous values (pass them back to restore). Refuses outside a private network namespace:
    these sysctls would change the whole machine's TCP."""
    if not in_private_netns():
        raise RuntimeError("refusing to change TCP buffers outside a private network namespace")
    old = {}
    for name in ("tcp_rmem", "tcp_wmem"):
        path = Path("/proc/sys/net/ipv4", name)
        old[name] = path.read_text().strip()
        path.write_text((values or {}).get(name, "4096 16384 16384") + "\n")
    return old


@dataclass
class Proc:
    name: str
    argv: list[str]
    env: dict
    log_path: Path
    popen: subprocess.Popen | None = None

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal(self, sig: int) -> None:
        if self.alive():
            os.kill(self.popen.pid, sig)

    def kill(self) -> None:
        if self.popen is None:
            return
        if self.popen.poll() is None:
            try:
                os.kill(self.popen.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            self.popen.wait(5)
        except subprocess.TimeoutExpired:
            pass

    def log_tail(self, n: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


@dataclass
class Ingest:
    name: str
    rtmp_port: int
    http_port: int
    proc: Proc
    prefix: Path
    app: str = "live"

    @property
    def server(self) -> str:
        return f"rtmp://127.0.0.1:{self.rtmp_port}/{self.app}"

    def url(self, key: str) -> str:
        return f"{self.server}/{key}"

    def stat(self, timeout: float = 1.0) -> dict[str, dict]:
        """{stream key: {'publishing': bool, 'bw_in': bits/s, 'bytes_in': int, 'nclients': int}}."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/stat", timeout=timeout) as r:
            root = ET.fromstring(r.read())
        out: dict[str, dict] = {}
        for app in root.iter("application"):
            if (app.findtext("name") or "") != self.app:
                continue
            for st in app.iter("stream"):
                key = st.findtext("name") or ""
                out[key] = {
                    "publishing": st.find("publishing") is not None,
                    "bw_in": int(st.findtext("bw_in") or 0),
                    "bytes_in": int(st.findtext("bytes_in") or 0),
                    "nclients": int(st.findtext("nclients") or 0),
                }
        return out

    def publishing(self, key: str) -> bool:
        try:
            return bool(self.stat().get(key, {}).get("publishing"))
        except OSError:
            return False


@dataclass
class ObsInstance:
    name: str
    ws_port: int
    password: str
    config_home: Path
    proc: Proc
    display: str
    extra: dict = field(default_factory=dict)

    def switcher(self, **kw):
        from controlroom.stream.obs_adapter import ObsSwitcher
        return ObsSwitcher(self.name, "127.0.0.1", self.ws_port, self.password, **kw)


MAIN_SCENE = "Main"
BACKUP_SCENE = "Backup"
BLACK_SCENE = "Black"            # a black colour source: what a dead camera or a closed capture looks like
FROZEN_SCENE = "Frozen"          # a media source the tests pause: a picture that stops moving
FROZEN_MEDIA = "Frozen pattern"
STREAM_KEY = "test"


class Testbed:
    """Owns every process it starts; `close()` SIGKILLs them (by PID)."""
    __test__ = False

    def __init__(self, workdir: Path):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.procs: list[Proc] = []
        self.display: str | None = None
        self._xvfb: Proc | None = None
        self._clip: Path | None = None
        self._probes: list[StreamProbe] = []

    # ---- processes ----------------------------------------------------------------------------

    def _spawn(self, name: str, argv: list[str], env: dict | None = None, pass_fds=()) -> Proc:
        log_path = self.workdir / f"{name}.log"
        full_env = dict(os.environ)
        full_env.update(env or {})
        p = Proc(name, argv, full_env, log_path)
        with open(log_path, "ab") as log:
            p.popen = subprocess.Popen(argv, env=full_env, stdout=log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, pass_fds=pass_fds,
                                       cwd=str(self.workdir), start_new_session=True)
        self.procs.append(p)
        return p

    def restart(self, proc: Proc) -> Proc:
        proc.kill()
        with open(proc.log_path, "ab") as log:
            proc.popen = subprocess.Popen(proc.argv, env=proc.env, stdout=log, stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL, cwd=str(self.workdir),
                                          start_new_session=True)
        return proc

    def close(self) -> None:
        for pr in self._probes:
            pr.stop()
        self._probes.clear()
        for p in reversed(self.procs):
            p.kill()
        self.procs.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---- display --------------------------------------------------------------------------------

    def start_display(self, timeout: float = 10.0) -> str:
        if self.display:
            return self.display
        r, w = os.pipe()
        try:
            p = self._spawn("xvfb", ["Xvfb", "-displayfd", str(w), "-screen", "0", "640x480x24",
                                     "-nolisten", "tcp", "-noreset"], pass_fds=(w,))
        finally:
            os.close(w)
        buf = b""
        deadline = time.monotonic() + timeout
        os.set_blocking(r, False)
        try:
            while b"\n" not in buf:
                if time.monotonic() > deadline or not p.alive():
                    raise RuntimeError(f"Xvfb did not start:\n{p.log_tail()}")
                try:
                    chunk = os.read(r, 64)
                    if chunk:
                        buf += chunk
                        continue
                except BlockingIOError:
                    pass
                time.sleep(0.05)
        finally:
            os.close(r)
        self.display = ":" + buf.decode().strip()
        self._xvfb = p
        return self.display

    # ---- ingest (nginx-rtmp, foreground, one process) ---------------------------------------------

    def start_ingest(self, name: str = "ingest", timeout: float = 10.0) -> Ingest:
        prefix = self.workdir / f"nginx-{name}"
        (prefix / "logs").mkdir(parents=True, exist_ok=True)
        (prefix / "tmp").mkdir(exist_ok=True)
        rtmp_port, http_port = free_port(), free_port()
        conf = f"""
load_module {NGINX_RTMP_MODULE};
daemon off;
master_process off;
worker_processes 1;
error_log {prefix}/logs/error.log warn;
pid {prefix}/nginx.pid;
events {{ worker_connections 64; }}
rtmp {{
    server {{
        listen 127.0.0.1:{rtmp_port};
        chunk_size 4096;
        application live {{ live on; record off; }}
    }}
}}
http {{
    access_log off;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    server {{
        listen 127.0.0.1:{http_port};
        location /stat {{ rtmp_stat all; }}
    }}
}}
"""
        (prefix / "nginx.conf").write_text(conf)
        p = self._spawn(f"nginx-{name}", ["nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf")])
        ing = Ingest(name, rtmp_port, http_port, p, prefix)
        self.wait_ingest(ing, timeout)
        return ing

    def wait_ingest(self, ing: Ingest, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not ing.proc.alive():
                raise RuntimeError(f"nginx {ing.name} exited:\n{ing.proc.log_tail()}\n"
                                   + _tail(ing.prefix / "logs" / "error.log"))
            if port_open(ing.rtmp_port):
                try:
                    ing.stat(timeout=0.5)
                    return
                except OSError:
                    pass
            time.sleep(0.05)
        raise RuntimeError(f"nginx {ing.name} not ready in {timeout} s")

    def restart_ingest(self, ing: Ingest) -> None:
        self.restart(ing.proc)
        self.wait_ingest(ing)

    # ---- OBS -------------------------------------------------------------------------------------

    def clip(self) -> Path:
        """A short moving test pattern, looped by a media source: a program that is neither black
        nor frozen, so the guard's picture check sees a live picture."""
        if self._clip is None:
            path = self.workdir / "pattern.mp4"
            if not path.exists():
                subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                                "testsrc2=size=320x180:rate=10", "-t", "4", "-c:v", "libx264",
                                "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "10", str(path)],
                               check=True, timeout=60)
            self._clip = path
        return self._clip

    def start_obs(self, name: str, server: str, key: str = STREAM_KEY, password: str | None = None,
                  timeout: float = 30.0, ws_port: int | None = None) -> ObsInstance:
        display = self.start_display()
        home = self.workdir / f"obs-{name}"
        port = ws_port or free_port()
        password = password or f"pw-{name}-{os.getpid()}-{port}"
        write_obs_config(home, port, password, server, key, self.clip())
        env = {"XDG_CONFIG_HOME": str(home / "config"), "HOME": str(home), "DISPLAY": display,
               "LIBGL_ALWAYS_SOFTWARE": "1", "QT_QPA_PLATFORM": "xcb"}
        p = self._spawn(f"obs-{name}", ["obs", "--multi", "--disable-missing-files-check",
                                        "--profile", "Testbed", "--collection", "Testbed"], env=env)
        inst = ObsInstance(name, port, password, home, p, display)
        self.wait_obs(inst, timeout)
        return inst

    def wait_obs(self, inst: ObsInstance, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not inst.proc.alive():
                # OBS exits with 0 when it cannot open the display: watch the process, not just the port.
                raise RuntimeError(f"OBS {inst.name} exited with {inst.proc.popen.returncode}:\n"
                                   f"{inst.proc.log_tail()}")
            if port_open(inst.ws_port):
                return
            time.sleep(0.05)
        raise RuntimeError(f"OBS {inst.name} websocket not open in {timeout} s:\n{inst.proc.log_tail()}")

    def restart_obs(self, inst: ObsInstance) -> None:
        self.restart(inst.proc)
        self.wait_obs(inst)

    # ---- viewer-side probe -------------------------------------------------------------------------

    def probe(self, url: str, clock=None) -> "ViewerProbe":
        """The production probe (controlroom.stream.probe.StreamProbe) pulling `url`, started; stopped
        by close()."""
        pr = ViewerProbe(url, clock=clock, rw_timeout_s=3.0, backoff_initial_s=0.2, backoff_max_s=1.0)
        self._probes.append(pr)
        return pr.start()


class ViewerProbe(StreamProbe):
    """The production probe, with what the tests ask of a viewer."""

    def receiving(self, within: float = 1.0) -> bool:
        last = self.last_frame_at()
        return last is not None and self.clock.monotonic() - last <= within


class PlaybackProbe:
    """What a viewer of the platform's playback URL sees: media from whichever ingest carries the
    stream (the platform plays the backup ingest when the primary one stops delivering). Built from
    production probes, one per ingest; the first one is the one the guard config's probe_url made."""

    def __init__(self, probes: list[StreamProbe]):
        self.probes = probes

    def last_frame_at(self) -> float | None:
        times = [t for t in (p.last_frame_at() for p in self.probes) if t is not None]
        return max(times) if times else None

    def error(self) -> str | None:
        errs = [p.error() for p in self.probes]
        return errs[0] if all(errs) else None

    def describe(self) -> str:
        return " + ".join(p.describe() for p in self.probes)

    def status(self) -> dict:
        return {"url": self.describe(), "probes": [p.status() for p in self.probes]}

    def stop(self) -> None:
        for p in self.probes:
            p.stop()


# ---- configuration files ---------------------------------------------------------------------------

def write_obs_config(home: Path, ws_port: int, password: str, server: str, key: str, clip: Path) -> Path:
    """The unattended OBS 29 configuration from docs/obs-testbed.md."""
    root = home / "config" / "obs-studio"
    prof = root / "basic" / "profiles" / "Testbed"
    scenes = root / "basic" / "scenes"
    prof.mkdir(parents=True, exist_ok=True)
    scenes.mkdir(parents=True, exist_ok=True)
    (root / "global.ini").write_text(f"""[General]
Pre19Defaults=false
Pre21Defaults=false
Pre23Defaults=false
Pre24.1Defaults=false
FirstRun=true
LastVersion=486539266
ConfirmOnExit=false
EnableAutoUpdates=false

[BasicWindow]
WarnBeforeStartingStream=false
WarnBeforeStoppingStream=false
SysTrayEnabled=false

[Basic]
Profile=Testbed
ProfileDir=Testbed
SceneCollection=Testbed
SceneCollectionFile=Testbed

[OBSWebSocket]
FirstLoad=false
ServerEnabled=true
ServerPort={ws_port}
AlertsEnabled=false
AuthRequired=true
ServerPassword={password}
""")
    (prof / "basic.ini").write_text("""[General]
Name=Testbed

[Video]
BaseCX=320
BaseCY=180
OutputCX=320
OutputCY=180
FPSType=0
FPSCommon=10

[Output]
Mode=Simple
Reconnect=true
RetryDelay=1
MaxRetries=20

[SimpleOutput]
VBitrate=150
ABitrate=64
StreamEncoder=x264
UseAdvanced=true
Preset=ultrafast
x264Settings=keyint=20
""")
    (prof / "service.json").write_text(json.dumps(
        {"type": "rtmp_custom", "settings": {"server": server, "key": key}}))
    (scenes / "Testbed.json").write_text(json.dumps(scene_collection(clip), indent=1))
    return root


def _item(name: str, item_id: int, x: float = 0, y: float = 0, scale: float = 1.0) -> dict:
    return {"name": name, "id": item_id, "visible": True, "locked": False, "rot": 0.0,
            "pos": {"x": x, "y": y}, "scale": {"x": scale, "y": scale}, "align": 5,
            "bounds_type": 0, "bounds_align": 0, "bounds": {"x": 0.0, "y": 0.0},
            "crop_left": 0, "crop_top": 0, "crop_right": 0, "crop_bottom": 0,
            "scale_filter": "disable", "blend_method": "default", "blend_type": "normal",
            "private_settings": {}}


def _scene(name: str, items: list[dict]) -> dict:
    return {"id": "scene", "versioned_id": "scene", "name": name, "enabled": True, "flags": 0,
            "mixers": 0, "volume": 1.0, "muted": False, "sync": 0, "balance": 0.5,
            "settings": {"items": items, "id_counter": len(items), "custom_size": False},
            "private_settings": {}, "filters": [], "hotkeys": {}}


def _input(kind: str, versioned: str, name: str, settings: dict) -> dict:
    return {"id": kind, "versioned_id": versioned, "name": name, "enabled": True, "flags": 0,
            "mixers": 0, "volume": 1.0, "muted": True, "sync": 0, "balance": 0.5,
            "settings": settings, "private_settings": {}, "filters": [], "hotkeys": {}}


def scene_collection(clip: Path) -> dict:
    """Main = a blue background with a moving test pattern; Backup = an orange background with a
    smaller pattern (the "loop with the product card"); Black = a black colour source; Frozen = a grey
    background with the pattern, which the picture tests pause (TriggerMediaInputAction). No audio
    devices: no PulseAudio needed."""
    media = {"local_file": str(clip), "is_local_file": True, "looping": True,
             "restart_on_activate": False, "close_when_inactive": False, "hw_decode": False,
             "clear_on_media_end": False}
    return {
        "name": "Testbed",
        "current_scene": MAIN_SCENE,
        "current_program_scene": MAIN_SCENE,
        "current_transition": "Cut",
        "transition_duration": 0,
        "scene_order": [{"name": MAIN_SCENE}, {"name": BACKUP_SCENE}, {"name": BLACK_SCENE}, {"name": FROZEN_SCENE}],
        "groups": [],
        "quick_transitions": [],
        "transitions": [],
        "saved_projectors": [],
        "preview_locked": False,
        "scaling_enabled": False,
        "modules": {},
        "sources": [
            _scene(MAIN_SCENE, [_item("Main colour", 1), _item("Main pattern", 2, 40, 20, 0.75)]),
            _scene(BACKUP_SCENE, [_item("Backup colour", 1), _item("Backup pattern", 2, 200, 100, 0.3)]),
            _scene(BLACK_SCENE, [_item("Black colour", 1)]),
            _scene(FROZEN_SCENE, [_item("Frozen colour", 1), _item(FROZEN_MEDIA, 2, 0, 0, 1.0)]),
            _input("color_source", "color_source_v3", "Main colour",
                   {"color": 0xFFC06030, "width": 320, "height": 180}),
            _input("color_source", "color_source_v3", "Backup colour",
                   {"color": 0xFF30A0F0, "width": 320, "height": 180}),
            _input("ffmpeg_source", "ffmpeg_source", "Main pattern", media),
            _input("ffmpeg_source", "ffmpeg_source", "Backup pattern", media),
            _input("color_source", "color_source_v3", "Black colour",
                   {"color": 0xFF000000, "width": 320, "height": 180}),
            _input("color_source", "color_source_v3", "Frozen colour",
                   {"color": 0xFF808080, "width": 320, "height": 180}),
            _input("ffmpeg_source", "ffmpeg_source", FROZEN_MEDIA, media),
        ],
    }


def _tail(path: Path, n: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return ""


def wait_until(pred, timeout: float, interval: float = 0.05, what: str = "condition"):
    """Poll `pred` until truthy; returns (value, seconds waited). Raises AssertionError on timeout."""
    t0 = time.monotonic()
    while True:
        v = pred()
        if v:
            return v, time.monotonic() - t0
        if time.monotonic() - t0 > timeout:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)

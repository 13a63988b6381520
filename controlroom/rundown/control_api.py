"""A small local HTTP control API for the runner, for a Stream Deck through Bitfocus Companion's
generic HTTP module (or curl).

Bound to 127.0.0.1 only. Every request needs the token, as `?token=...`, or an `X-Control-Token:`
header, or `Authorization: Bearer ...`. No token: 401; a wrong one: 403. GET and POST both work so
Companion's simplest "GET request" button is enough.

  /api/rundown/state              the runner's state as JSON
  /api/rundown/start              start the show (or resume)
  /api/rundown/toggle             start / pause / resume (the Space key)
  /api/rundown/pause              pause
  /api/rundown/resume             resume
  /api/rundown/next               next segment
  /api/rundown/previous           previous segment
  /api/rundown/goto?cue=7         go to a cue
  /api/rundown/add?seconds=60     add time to the current segment (negative removes); /plus1 and
  /api/rundown/plus1 , /minus1    /minus1 add or remove one minute
  /api/rundown/message?text=…&style=normal|blink|blackout   operator message on the cue screen
                                  (POST may send JSON {"text": "...", "style": "blink"} instead)
  /api/rundown/clear              clear the message

Answers are JSON: {"ok": true, "status": ..., "cue": ..., "display": ...} or {"ok": false, "error": ...}.
Each action is journaled like the same key press in the panel, with actor "control-api".
"""
from __future__ import annotations

import hmac
import json
import logging
import os
import re
import secrets as _secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from controlroom.datadir import private_file
from controlroom.rundown.runner import MAX_ADD_S
from controlroom.secrets import get_secret, set_secret

log = logging.getLogger(__name__)

SECRET_NAME = "rundown.control_api_token"
TOKEN_ENV = "CONTROLROOM_CONTROL_TOKEN"
ACTOR = "control-api"
TOKEN_FILE = "control_api_token"


def control_token(data_dir: str | Path | None = None, on_tightened=None) -> str:
    """The API token: env var, then keyring; generated and stored on first use.

    Without a keyring backend (a headless box) it is kept in <data dir>/control_api_token, readable by
    the user only (0600), so it survives restarts and Companion keeps working. A token file found
    readable by others is tightened before it is used, and the notice goes to `on_tightened` (the
    runtime journals it) as well as the log.
    """
    tok = get_secret(SECRET_NAME, env=TOKEN_ENV)
    if tok:
        return tok
    file = Path(data_dir) / TOKEN_FILE if data_dir else None
    if file is not None and file.exists():
        notice = private_file(file)
        if notice is not None and on_tightened is not None:
            on_tightened(notice)
        return file.read_text(encoding="utf-8").strip()
    tok = _secrets.token_urlsafe(24)
    try:
        set_secret(SECRET_NAME, tok)
    except Exception:
        if file is None:
            raise
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # never a moment readable by others
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(tok)
    return tok


_SECONDS = re.compile(r"[+-]?\d{1,6}(?:\.\d{1,3})?")


def _seconds(text: str | None) -> float:
    """?seconds= as plain decimal seconds within a day either way: no nan, inf, exponents or 1e12
    (float() takes all of those, and a NaN once journaled broke every later state request)."""
    s = (text or "").strip()
    if not _SECONDS.fullmatch(s) or abs(float(s)) > MAX_ADD_S:
        raise ValueError(f"add needs ?seconds=<seconds between -{MAX_ADD_S} and {MAX_ADD_S}>, e.g. 60 or -30; "
                         f"got {text!r}")
    return float(s)


class ControlAPI:
    def __init__(self, runner, token: str, port: int = 8765, host: str = "127.0.0.1"):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the control API listens on 127.0.0.1 only")
        if not token:
            raise ValueError("the control API needs a token")
        self.runner = runner
        self._token = token
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/rundown/"

    def start(self) -> "ControlAPI":
        self._thread = threading.Thread(target=self._server.serve_forever, name="rundown-control-api", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=2)

    # ---- request handling ----------------------------------------------------------------------
    def authorised(self, supplied: str | None) -> int:
        """200 when the token matches, 401 when none was given, 403 when it is wrong."""
        if not supplied:
            return 401
        return 200 if hmac.compare_digest(supplied.encode(), self._token.encode()) else 403

    def dispatch(self, action: str, args: dict[str, str]) -> tuple[int, dict]:
        r = self.runner
        simple = {"start": r.start, "toggle": r.toggle, "pause": r.pause, "resume": r.resume, "next": r.next,
                  "previous": r.previous, "prev": r.previous, "back": r.previous, "clear": r.clear_message,
                  "end": r.end}
        try:
            if action == "state":
                return 200, {"ok": True, **r.snapshot()}
            if action in simple:
                simple[action](actor=ACTOR)
            elif action in ("plus1", "minus1", "add"):
                secs = 60.0 if action == "plus1" else -60.0 if action == "minus1" else _seconds(args.get("seconds"))
                r.add_time(secs, actor=ACTOR)
            elif action == "goto":
                cue = args.get("cue")
                if cue is None:
                    return 400, {"ok": False, "error": "goto needs ?cue=<cue number>"}
                r.goto(str(cue), actor=ACTOR)
            elif action == "message":
                r.send_message(args.get("text", ""), args.get("style", "normal"), actor=ACTOR)
            else:
                return 404, {"ok": False, "error": f"unknown action {action!r}"}
        except (KeyError, ValueError, IndexError) as e:
            return 400, {"ok": False, "error": str(e).strip("'\"")}
        snap = r.snapshot()
        return 200, {"ok": True, "status": snap["status"], "cue": (snap["segment"] or {}).get("cue"),
                     "display": snap["display"], "offset": snap["offset_text"]}

    def _handler_class(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "ControlRoomRundown/1"

            def log_message(self, fmt, *a):  # keep tokens out of logs: no request lines
                log.debug("control api: %s", self.command)

            def _handle(self, body: bytes = b"") -> None:
                url = urlparse(self.path)
                args = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
                if body:
                    ctype = self.headers.get("Content-Type", "")
                    try:
                        if "json" in ctype:
                            data = json.loads(body.decode("utf-8"))
                            if isinstance(data, dict):
                                args.update({k: str(v) for k, v in data.items()})
                        else:
                            args.update({k: v[-1] for k, v in parse_qs(body.decode("utf-8")).items()})
                    except (ValueError, UnicodeDecodeError):
                        return self._send(400, {"ok": False, "error": "body must be JSON or form data"})
                supplied = args.pop("token", None) or self.headers.get("X-Control-Token")
                auth = self.headers.get("Authorization", "")
                if not supplied and auth.lower().startswith("bearer "):
                    supplied = auth[7:].strip()
                status = api.authorised(supplied)
                if status != 200:
                    return self._send(status, {"ok": False, "error": "token required" if status == 401
                                               else "wrong token"})
                parts = [p for p in url.path.split("/") if p]
                if len(parts) != 3 or parts[:2] != ["api", "rundown"]:
                    return self._send(404, {"ok": False, "error": "use /api/rundown/<action>"})
                code, payload = api.dispatch(parts[2], args)
                self._send(code, payload)

            def do_GET(self):
                self._handle()

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                self._handle(self.rfile.read(n) if n else b"")

            def _send(self, code: int, payload: dict) -> None:
                data = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
                self.send_response(code)
                if code == 401:
                    self.send_header("WWW-Authenticate", 'Bearer realm="control-room"')
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

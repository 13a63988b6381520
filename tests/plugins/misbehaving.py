"""A misbehaving shop: a real ThreadingHTTPServer on 127.0.0.1 in front of one of the well-behaved fakes
(tests/fakes.HttpShop, tests/plugins/shops/*_fake.py). It forwards each request to the fake — so a write
really lands there — and then answers the adapter the way a broken network or gateway would.

`MisbehavingShop(inner_url).on(match, mode)`: requests whose "METHOD /path?query body" contains `match`
(first rule wins, `times` per rule; the body lets a GraphQL mutation be told from a query) are answered by `mode`:
    "slow"      the fake's answer (+ 64 trailing spaces), one byte every `pace` s (headers at once)
    "cut"       the fake's answer's headers and half its body, then the connection closes
    "big"       the fake's status and a 50 MB body (forwarded first: the write landed)
    "deep"      200 with 200,000 nested '[' (a JSON parser's recursion; forwarded first)
    "hang"      the connection is accepted and never answered (not forwarded)
    "redirect"  307 to `location` (not forwarded)
Anything else is passed through unchanged. A 204 from the fake is answered as 200 "{}" by the misbehaving
modes (they need a body to misbehave with).
"""
from __future__ import annotations

import http.client
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

BIG = 50_000_000


@dataclass
class Rule:
    match: str
    mode: str
    times: int = 1_000_000
    pace: float = 1.0
    location: str = ""


class MisbehavingShop:
    def __init__(self, inner_url: str):
        inner = urlsplit(inner_url)
        self._inner = (inner.hostname, inner.port)
        self.rules: list[Rule] = []
        self.hits: list[tuple[str, str]] = []          # (mode, "METHOD /path") of every misbehaviour
        self._lock = threading.Lock()
        self._stop = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _handle(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                line = f"{self.command} {self.path} {body[:4000].decode('utf-8', 'replace')}"
                rule = outer._rule(line)
                mode = rule.mode if rule else "pass"
                if mode == "hang":
                    outer._stop.wait(60)
                    return
                if mode == "redirect":
                    self._send(307, b"", {"Location": rule.location + self.path})
                    return
                status, headers, data = outer._forward(self.command, self.path, dict(self.headers), body)
                if mode == "deep":
                    self._send(200, b"[" * 200_000, {})
                    return
                if status == 204 and mode != "pass":
                    status, data = 200, b"{}"       # a body to misbehave with (a 204 has none)
                try:
                    if mode == "pass":
                        self._send(status, data, headers)
                    elif mode == "slow":
                        data += b" " * 64       # trailing JSON whitespace: a trickle that lasts, whatever the body
                        self._head(status, len(data), headers)
                        for i in range(len(data)):
                            if outer._stop.wait(rule.pace):
                                return
                            self.wfile.write(data[i:i + 1])
                            self.wfile.flush()
                    elif mode == "cut":
                        self._head(status, len(data) + 10, headers)
                        self.wfile.write(data[:len(data) // 2])
                        self.wfile.flush()
                        self.close_connection = True
                        self.connection.shutdown(socket.SHUT_RDWR)
                    elif mode == "big":
                        self._head(status, BIG, headers)
                        chunk, sent = b" " * 65536, 0
                        while sent < BIG and not outer._stop.is_set():
                            self.wfile.write(chunk)
                            sent += len(chunk)
                except OSError:
                    pass   # the adapter gave up reading: that is the point

            def _head(self, status, length, headers):
                self.send_response(status)
                for k, v in headers.items():
                    if k.lower() not in ("content-length", "transfer-encoding", "connection", "date", "server"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(length))
                self.end_headers()
                self.wfile.flush()

            def _send(self, status, data, headers):
                self._head(status, len(data), headers)
                self.wfile.write(data)
                self.wfile.flush()

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True, name=f"misbehaving-{self.port}")
        self._thread.start()

    def on(self, match: str, mode: str, **kw) -> "MisbehavingShop":
        with self._lock:
            self.rules.append(Rule(match, mode, **kw))
        return self

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()

    def _rule(self, line: str) -> Rule | None:
        with self._lock:
            for r in self.rules:
                if r.match in line and r.times > 0:
                    r.times -= 1
                    self.hits.append((r.mode, line))
                    return r
        return None

    def _forward(self, method: str, path: str, headers: dict, body: bytes) -> tuple[int, dict, bytes]:
        conn = http.client.HTTPConnection(*self._inner, timeout=30)
        try:
            hdrs = {k: v for k, v in headers.items() if k.lower() not in ("host", "connection")}
            conn.request(method, path, body=body or None, headers=hdrs)
            r = conn.getresponse()
            return r.status, dict(r.getheaders()), r.read()
        finally:
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=2)


def elapsed(fn, *a, **kw) -> tuple[float, object]:
    """(seconds, result or the exception raised) of one call."""
    t0 = time.monotonic()
    try:
        r = fn(*a, **kw)
    except BaseException as e:   # noqa: BLE001 — the exception is the result under test
        r = e
    return time.monotonic() - t0, r

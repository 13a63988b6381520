"""The shared real-shop layer on its own: the ledger, the transport's never-resend-a-landed-write rule,
token renewal, strict tables."""
from __future__ import annotations

import socket
import threading

import pytest

from controlroom.clock import ManualClock
from controlroom.platform import PlatformError, PlatformTimeout, PlatformUnavailable
from controlroom.settings import Settings, SettingsError
from plugins.shop_common.config import read_table
from plugins.shop_common.ledger import IdempotencyLedger, KeyReused
from plugins.shop_common.tokens import Grant, TokenKeeper
from plugins.shop_common.transport import ShopTransport, Timing
from tests.fakes import LocalServer, Reply


# ---- ledger ---------------------------------------------------------------------------------------
def test_ledger_states_and_reuse(tmp_path):
    led = IdempotencyLedger(tmp_path / "l.sqlite", "shop:a")
    e = led.claim("k1", "set_price", ["S", 100])
    assert e.state == "new"
    led.attempt(e, own_price=5)
    again = led.claim("k1", "set_price", ["S", 100])
    assert (again.state, again.attempts, again.notes) == ("pending", 1, {"own_price": 5})
    led.done(again, "R-1")
    assert led.claim("k1", "set_price", ["S", 100]).result == "R-1"
    with pytest.raises(KeyReused) as ex:
        led.claim("k1", "set_price", ["S", 101])
    assert not ex.value.retryable
    with pytest.raises(KeyReused):
        led.claim("k1", "set_stock", ["S", 100])
    assert led.claim("k1", "set_price", ["S", 100]).state == "done"      # the refusal changed nothing
    led.close()
    # another shop sharing the data directory has its own keys; the file keeps them across a restart
    other = IdempotencyLedger(tmp_path / "l.sqlite", "shop:b")
    assert other.claim("k1", "set_price", ["S", 999]).state == "new"
    other.close()
    led = IdempotencyLedger(tmp_path / "l.sqlite", "shop:a")
    assert led.claim("k1", "set_price", ["S", 100]).result == "R-1"
    led.close()


def test_a_newer_completed_write_supersedes_older_pending_keys_of_its_target_only(tmp_path):
    led = IdempotencyLedger(tmp_path / "l.sqlite", "shop:a")
    old = led.claim("k1", "set_price", ["S", 100], target=("S", "price"))
    led.attempt(old)                                                        # sent, answer lost: pending
    other_sku = led.claim("k2", "set_price", ["T", 100], target=("T", "price"))
    other_field = led.claim("k3", "set_stock", ["S", 5], target=("S", "stock"))
    completing = led.claim("k4", "set_price", ["S", 200], target=("S", "price"))
    newer_pending = led.claim("k5", "set_price", ["S", 300], target=("S", "price"))   # claimed after k4
    led.done(completing)
    again = led.claim("k1", "set_price", ["S", 100], target=("S", "price"))
    assert (again.state, again.result) == ("superseded", "k4")
    # another SKU, another field, and a key claimed AFTER the one that completed are left as they were
    assert led.claim("k2", "set_price", ["T", 100], target=("T", "price")).state == "pending"
    assert led.claim("k3", "set_stock", ["S", 5], target=("S", "stock")).state == "pending"
    assert led.claim("k5", "set_price", ["S", 300], target=("S", "price")).state == "pending"
    assert (other_sku.state, other_field.state, newer_pending.state) == ("new", "new", "new")
    led.close()
    led = IdempotencyLedger(tmp_path / "l.sqlite", "shop:a")                 # it is in the file
    assert led.claim("k1", "set_price", ["S", 100], target=("S", "price")).state == "superseded"
    # the order of claims survives the restart: a key claimed now is newer than all of the above
    led.done(led.claim("k6", "set_price", ["S", 400], target=("S", "price")))
    assert led.claim("k5", "set_price", ["S", 300], target=("S", "price")).state == "superseded"
    led.close()


def test_a_ledger_file_from_before_targets_is_upgraded_in_place(tmp_path):
    import sqlite3
    path = tmp_path / "l.sqlite"
    db = sqlite3.connect(path)
    db.execute("""CREATE TABLE writes (
        scope TEXT NOT NULL, key TEXT NOT NULL, op TEXT NOT NULL, fp TEXT NOT NULL,
        state TEXT NOT NULL, result TEXT, attempts INTEGER NOT NULL DEFAULT 0, notes TEXT NOT NULL DEFAULT '{}',
        created REAL NOT NULL, PRIMARY KEY (scope, key))""")
    from plugins.shop_common.ledger import fingerprint
    import time
    db.execute("INSERT INTO writes (scope, key, op, fp, state, created) VALUES (?,?,?,?,?,?)",
               ("s", "k1", "set_price", fingerprint("set_price", ["S", 100]), "pending", time.time()))
    db.commit()
    db.close()
    led = IdempotencyLedger(path, "s")
    # a row written before targets has none: it keeps its state, and the old behaviour (read, then send)
    led.done(led.claim("k2", "set_price", ["S", 200], target=("S", "price")))
    assert led.claim("k1", "set_price", ["S", 100], target=("S", "price")).state == "pending"
    k3 = led.claim("k3", "set_price", ["S", 300], target=("S", "price"))
    assert k3.seq > led.claim("k2", "set_price", ["S", 200], target=("S", "price")).seq
    led.close()


def test_ledger_drops_old_rows(tmp_path, monkeypatch):
    led = IdempotencyLedger(tmp_path / "l.sqlite", "s")
    led.done(led.claim("old", "op", []), 1)
    led.close()
    import plugins.shop_common.ledger as ledger_mod
    real = ledger_mod.time.time
    monkeypatch.setattr(ledger_mod.time, "time", lambda: real() + 15 * 86400)
    led = IdempotencyLedger(tmp_path / "l.sqlite", "s", keep_days=14)
    assert led.claim("old", "op", []).state == "new"
    led.close()


# ---- transport: a write that may have landed is not resent ---------------------------------------------
class DropAfterReading(LocalServer):
    """Reads the request, counts it, then closes the connection without an answer (applied, answer lost)."""

    def __init__(self):
        self.count = 0
        self._lock = threading.Lock()
        super().__init__(self._app)

    def _app(self, req):
        with self._lock:
            self.count += 1
        return Reply(drop=True)


def fast() -> Timing:
    return Timing(connect_timeout=0.5, read_timeout=0.5, max_attempts=3, backoff_base=0.01, backoff_max=0.02,
                  retry_budget=1.0, jitter=0)


def test_a_write_whose_connection_dropped_after_sending_is_not_resent():
    srv = DropAfterReading()
    t = ShopTransport("shop", fast())
    with pytest.raises(PlatformTimeout, match="may have been applied") as e:
        t.send("POST", srv.url + "/x", label="shop write", write=True, data=b"{}")
    assert e.value.retryable and srv.count == 1
    with pytest.raises(PlatformUnavailable):      # a read is safe to repeat: it is
        t.send("GET", srv.url + "/x", label="shop read", write=False)
    assert srv.count == 1 + 3
    t.close()
    srv.close()


def test_a_write_that_never_connected_is_resent():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    t = ShopTransport("shop", fast())
    with pytest.raises(PlatformUnavailable, match=r"connection refused \(3 attempts\)"):
        t.send("POST", f"http://127.0.0.1:{port}/x", label="shop write", write=True, data=b"{}")
    t.close()


# ---- tokens -----------------------------------------------------------------------------------------
def test_a_refused_refresh_token_falls_back_to_a_new_grant():
    clock = ManualClock()
    asked: list[str | None] = []

    def fetch(refresh):
        asked.append(refresh)
        if refresh == "rt-1":
            raise PlatformError("refresh token expired")          # not retryable
        return Grant(f"at-{len(asked)}", 100, "rt-1")
    keeper = TokenKeeper("shop", fetch, clock, margin=10)
    assert keeper.get() == "at-1"
    clock.advance(95)
    assert keeper.get() == "at-3" and asked == [None, "rt-1", None]
    keeper.invalidate("someone-else's-token")                     # only the current token is dropped
    assert keeper.get() == "at-3"
    keeper.invalidate("at-3")
    assert keeper.get() != "at-3"


def test_a_retryable_failure_while_renewing_is_raised_not_swallowed():
    def fetch(refresh):
        if refresh:
            raise PlatformUnavailable("busy")
        return Grant("at", 1, "rt")
    clock = ManualClock()
    keeper = TokenKeeper("shop", fetch, clock, margin=0)
    keeper.get()
    clock.advance(2)
    with pytest.raises(PlatformUnavailable):
        keeper.get()


# ---- strict tables ----------------------------------------------------------------------------------
def test_read_table_refuses_by_name():
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class T:
        key: str = ""
        n: int = 1

    s = Settings("/x/settings.toml", data={"platform": {"demo": {"n": 2}}})
    with pytest.raises(SettingsError, match=r"/x/settings.toml: \[platform.demo\] key: missing; the thing"):
        read_table(s, "demo", T, required=("key",), hints={"key": "the thing"})
    s = Settings("/x/settings.toml", data={"platform": {"demo": {"key": "  "}}})
    with pytest.raises(SettingsError, match="key: missing"):
        read_table(s, "demo", T, required=("key",))
    s = Settings("/x/settings.toml", data={"platform": {"demo": "not a table"}})
    with pytest.raises(SettingsError, match=r"\[platform.demo\] must be a table"):
        read_table(s, "demo", T)

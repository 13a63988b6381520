"""`python main.py shop check` against a generic JSON gateway (`[platform] kind = "http"`) that answers
garbage: real HTTP on 127.0.0.1. Whatever comes back, the check ends in bounded time with exit 2 and a
sentence on stderr (or exit 1 naming the SKU) — never a traceback, never a secret, never a write."""
from __future__ import annotations

import time

import pytest

from tests.fakes import LocalServer, Reply
from tests.plugins.misbehaving import MisbehavingShop
from tests.plugins.shops.shop_check_io import run_check, write_settings, write_show

TOKEN = "tok-shopcheck-a41f7d"
PLAN = "sku,title,list_price,live_price,stock\nSKU1,保温杯,59.90,29.90,100\n"
GOOD = {"sku": "SKU1", "title": "保温杯", "list_price": 5990, "price": 2990, "stock": 100, "listed": True}


def settings(tmp_path, url: str):
    return write_settings(tmp_path, f'[platform]\nkind = "http"\n\n[platform.http]\nbase_url = "{url}"\n'
                                    f'auth_secret = ""\nauth_env = "SHOPCHECK_TOKEN"\nread_timeout = 0.3\n'
                                    f'connect_timeout = 0.3\nmax_attempts = 2\nbackoff_base = 0.01\n'
                                    f'backoff_max = 0.05\nretry_budget = 1.0\n')


BODIES = {
    "a list of lists": [[GOOD]],
    "a list where the products go": {"products": {"SKU1": GOOD}},
    "null": None,
    "text where numbers go": {"products": [dict(GOOD, list_price="five", stock="100")]},
    "a price of -1": {"products": [dict(GOOD, list_price=-1)]},
    "1e300": {"products": [dict(GOOD, list_price=1e300)]},
    "NaN": '{"products": [{"sku": "SKU1", "title": "", "list_price": NaN, "price": 1, "stock": 1, "listed": true}]}',
    "Infinity": '{"products": [{"sku": "SKU1", "title": "", "list_price": 1, "price": Infinity, "stock": 1, "listed": true}]}',
    "too many decimals": {"products": [dict(GOOD, list_price="12.345")]},
    "a bool as a price": {"products": [dict(GOOD, list_price=True)]},
    "a huge offer duration": {"products": [dict(GOOD, offer={"offer_id": "O1", "sku": "SKU1", "price": 1,
                                                              "active": True, "duration_s": 1e400})]},
    "not JSON": "<html>502 Bad Gateway</html>",
    "200 with an error inside": {"error": "internal", "code": 500},
}


@pytest.mark.parametrize("what", list(BODIES))
def test_garbage_from_the_gateway_is_a_sentence_not_a_traceback(tmp_path, capsys, monkeypatch, what):
    monkeypatch.setenv("SHOPCHECK_TOKEN", TOKEN)
    body = BODIES[what]
    if isinstance(body, str) and body.startswith("{"):
        body = body.encode()      # NaN / Infinity as the bytes a broken gateway sends
    srv = LocalServer(lambda req: Reply(200, body))
    try:
        data, show = settings(tmp_path, srv.url), write_show(tmp_path, PLAN)
        rc, lines, err = run_check(capsys, "--data-dir", str(data), "--show", str(show), "--json")
    finally:
        srv.close()
    assert rc in (1, 2), (rc, lines, err)
    assert "Traceback" not in err and TOKEN not in err and TOKEN not in "".join(lines)
    if rc == 2:
        assert err.startswith("shop check: cannot run:"), err
    assert all(r.method == "GET" for r in srv.requests)


@pytest.mark.parametrize("mode", ["slow", "big", "deep", "hang", "redirect"])
def test_a_misbehaving_gateway_ends_the_check_in_bounded_time(tmp_path, capsys, monkeypatch, mode):
    monkeypatch.setenv("SHOPCHECK_TOKEN", TOKEN)
    good = LocalServer(lambda req: Reply(200, {"products": [GOOD]} if req.path == "/products" else GOOD))
    other = LocalServer(lambda req: Reply(200, {"products": [GOOD]}))
    bad = MisbehavingShop(good.url).on("", mode, pace=0.2, location=other.url)
    try:
        data, show = settings(tmp_path, bad.url), write_show(tmp_path, PLAN)
        t0 = time.monotonic()
        rc, lines, err = run_check(capsys, "--data-dir", str(data), "--show", str(show), "--json")
        took = time.monotonic() - t0
    finally:
        bad.close()
        good.close()
        other.close()
    assert rc == 2 and err.startswith("shop check: cannot run:"), (rc, lines, err)
    assert "Traceback" not in err and TOKEN not in err
    assert took < 5.0, f"shop check took {took:.1f} s"
    assert other.requests == []

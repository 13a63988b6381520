"""`python main.py shop check` against the real-shop conformance fakes: read-only (the fakes count
writes: zero), differences reported, exit 0/1/2 with reasons, JSON lines then a summary."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import main as entry
from controlroom import shop_check
from controlroom.secrets import set_secret
from tests.fakes import refused_url
from tests.plugins.shops import shop_check_io
from tests.plugins.shops.douyin_fake import DouyinFake
from tests.plugins.shops.shop_check_io import run_check, write_settings
from tests.plugins.shops.test_douyin import APP_KEY, SECRET as DY_SECRET, SHOP_ID, products as dy_products
from tests.plugins.shops.test_wechat_channels import APPID, SECRET as WX_SECRET, products as wx_products
from tests.plugins.shops.wechat_fake import WechatFake

ROOT = Path(__file__).resolve().parents[3]
DY_READS = {"token.create", "token.refresh", "product.listV2", "product.detail", "sku.detail"}
WX_READS = {"/cgi-bin/token", "/channels/ec/product/list/get", "/channels/ec/product/get"}

PLAN = """sku,title,list_price,live_price,stock
LIP-001,丝绒雾面口红,129,69,800
SER-002,玻尿酸补水精华,299,199,600
SER-002-M,玻尿酸补水精华 小样,199,99,300
NEW-404,新品 not in the shop,59.9,39.9,100
"""


def write_show(tmp_path: Path, plan: str = PLAN) -> Path:
    return shop_check_io.write_show(tmp_path, plan)


def douyin_settings(tmp_path: Path, url: str, extra: str = "") -> Path:
    return write_settings(tmp_path, f'[platform]\nkind = "douyin"\n\n[platform.douyin]\napp_key = "{APP_KEY}"\n'
                                    f'shop_id = "{SHOP_ID}"\nbase_url = "{url}"\nread_timeout = 0.5\n'
                                    f'connect_timeout = 0.5\nmax_attempts = 2\nbackoff_base = 0.01\n'
                                    f'retry_budget = 1.0\n{extra}')


@pytest.fixture
def dy():
    f = DouyinFake(app_key=APP_KEY, app_secret=DY_SECRET, shop_id=SHOP_ID, products=dy_products())
    yield f
    f.close()


run = run_check


def test_douyin_differences_are_reported_and_nothing_is_written(dy, tmp_path, capsys):
    set_secret("douyin_app_secret", DY_SECRET)
    data, show = douyin_settings(tmp_path, dy.url), write_show(tmp_path)
    rc, lines, err = run(capsys, "--data-dir", str(data), "--show", str(show), "--json")
    assert rc == 1, err
    rows = [json.loads(line) for line in lines]
    by = {r["sku"]: r for r in rows if r["kind"] == "sku"}
    assert by["LIP-001"] == {"kind": "sku", "sku": "LIP-001", "status": "ok", "title": "丝绒雾面口红",
                             "plan_list_price": "129.00", "shop_list_price": "129.00", "shop_price": "69.00",
                             "shop_stock": 800, "listed": False, "reason": ""}
    assert by["SER-002"]["status"] == "ok"
    assert by["SER-002-M"]["status"] == "list_price_differs" and by["SER-002-M"]["shop_list_price"] == "299.00"
    assert by["NEW-404"]["status"] == "missing" and by["NEW-404"]["shop_price"] is None
    assert "sku不存在" in by["NEW-404"]["reason"]
    assert rows[-1] == {"kind": "summary", "platform": "douyin", "skus": 4, "ok": 2, "missing": 1,
                        "list_price_differs": 1, "plan_invalid": 0, "shop_only": 0, "exit": 1}
    # read-only, proven at the shop: no write arrived, and only read methods were called
    assert dy.writes == 0
    assert {r.query["method"] for r in dy.requests} <= DY_READS


def test_douyin_all_match_exits_0_with_a_table(dy, tmp_path, capsys):
    set_secret("douyin_app_secret", DY_SECRET)
    plan = "sku,title,list_price,live_price\nLIP-001,口红,129,69\nSER-002,精华,299,199\n"
    rc, lines, err = run(capsys, "--data-dir", str(douyin_settings(tmp_path, dy.url)),
                         "--show", str(write_show(tmp_path, plan)))
    assert rc == 0, err
    assert lines[0].split()[:3] == ["sku", "title", "status"]
    assert "douyin: 2 plan SKUs: 2 ok" in lines[-1] and "1 shop SKUs not in the plan" in lines[-1]
    assert dy.writes == 0


def test_wechat_check_is_read_only_too(tmp_path, capsys):
    fake = WechatFake(appid=APPID, secret=WX_SECRET, products=wx_products())
    set_secret("wechat_channels_secret", WX_SECRET)
    data = write_settings(tmp_path, f'[platform]\nkind = "wechat_channels"\n\n[platform.wechat_channels]\n'
                                    f'appid = "{APPID}"\nbase_url = "{fake.url}"\n')
    plan = "sku,title,list_price,live_price\nCUP-001,保温杯,159,99\nBAG-002,帆布包,189,129\nDRAFT-3,草稿,50,50\n"
    rc, lines, _ = run(capsys, "--data-dir", str(data), "--show", str(write_show(tmp_path, plan)), "--json")
    by = {r["sku"]: r for r in map(json.loads, lines) if r["kind"] == "sku"}
    assert rc == 1
    assert by["CUP-001"]["status"] == "ok" and by["CUP-001"]["shop_price"] == "99.00"
    assert by["BAG-002"]["status"] == "list_price_differs"           # the shop's 划线价 is 199.00
    assert by["DRAFT-3"]["status"] == "missing"                       # never listed: not in the product list
    assert fake.writes == 0 and {r.path for r in fake.requests} <= WX_READS
    fake.close()


@pytest.mark.parametrize("case", ["wrong_secret", "unreachable", "unknown_key", "no_products", "no_secret",
                                  "bad_plan"])
def test_cannot_run_exits_2_with_the_reason(dy, tmp_path, capsys, monkeypatch, case):
    set_secret("douyin_app_secret", DY_SECRET)
    show = write_show(tmp_path)
    data = douyin_settings(tmp_path, dy.url)
    expect = ""
    if case == "wrong_secret":
        set_secret("douyin_app_secret", "wrong-secret")
        expect = "isv.signature-invalid"
    elif case == "unreachable":
        data = douyin_settings(tmp_path, refused_url())
        expect = "connection refused"
    elif case == "unknown_key":
        data = douyin_settings(tmp_path, dy.url, 'app_secret = "pasted-here-by-mistake"\n')
        expect = "unknown keys: app_secret"
    elif case == "no_products":
        (show / "products.csv").unlink()
        expect = "no products.csv"
    elif case == "no_secret":
        data = douyin_settings(tmp_path, dy.url, 'app_secret_name = "nowhere"\napp_secret_env = "NOWHERE_ENV"\n')
        monkeypatch.delenv("NOWHERE_ENV", raising=False)
        expect = "no app secret: store it in the keyring entry 'nowhere'"
    elif case == "bad_plan":
        (show / "products.csv").write_text("sku,title\nA,B\n", encoding="utf-8")
        expect = "missing required column(s) list_price, live_price"
    rc, lines, err = run(capsys, "--data-dir", str(data), "--show", str(show), "--json")
    assert rc == 2 and lines == []
    assert err.startswith("shop check: cannot run:") and expect in err
    assert "pasted-here-by-mistake" not in err and DY_SECRET not in err
    assert dy.writes == 0


def test_the_read_only_view_offers_no_write():
    view = shop_check.ReadOnlyShop(object())
    for write in ("list_product", "unlist_product", "set_price", "set_stock", "set_displayed_stock",
                  "pin_product", "issue_coupon", "stop_coupon", "start_offer", "stop_offer"):
        assert not hasattr(view, write)


def test_the_real_command_line_in_a_child_process(dy, tmp_path):
    data, show = douyin_settings(tmp_path, dy.url), write_show(tmp_path)
    env = dict(os.environ, CONTROLROOM_DOUYIN_APP_SECRET=DY_SECRET, CONTROLROOM_KEYRING="memory")
    proc = subprocess.run([sys.executable, "main.py", "shop", "check", "--data-dir", str(data), "--show", str(show),
                           "--json"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert lines[-1]["kind"] == "summary" and lines[-1]["missing"] == 1 and lines[-1]["list_price_differs"] == 1
    assert DY_SECRET not in proc.stdout + proc.stderr
    assert dy.writes == 0

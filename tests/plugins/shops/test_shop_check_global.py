"""`python main.py shop check` against the TikTok Shop and Shopify conformance fakes: read-only (the fakes
record every write and every call: no write, no mutation), differences reported, exit 0/1/2; and the
README's worked examples for both shops are accepted settings."""
from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from controlroom.secrets import set_secret
from controlroom.settings import Settings
from plugins.shopify import ShopifyConfig
from plugins.tiktok_shop import TikTokShopConfig
from tests.plugins.shops import shop_check_io
from tests.plugins.shops.shop_check_io import run_check, write_settings
from tests.plugins.shops.shopify_fake import ShopifyFake
from tests.plugins.shops.test_shopify import stock_shop as shopify_stock
from tests.plugins.shops.test_tiktok_shop import stock_shop as tiktok_stock
from tests.plugins.shops.tiktok_fake import TikTokShopFake

README = Path(__file__).resolve().parents[3] / "README.md"
TIKTOK_WRITES = ("/prices/update", "/inventory/update", "/activate", "/deactivate", "/promotion/202309/activities")

# list prices in the shop's currency (USD): the fakes' LIP-001 is 25.90, SER-002 49.90
PLAN = """sku,title,list_price,live_price,stock
LIP-001,Velvet Matte Lipstick,25.90,12.90,800
SER-002,Hyaluronic Serum 30ml,49.90,29.90,600
NEW-404,not in the shop,59.90,39.90,100
"""


def write_show(tmp_path: Path, plan: str = PLAN) -> Path:
    return shop_check_io.write_show(tmp_path, plan)


def run(capsys, *argv: str) -> tuple[int, list[dict], str]:
    rc, lines, err = run_check(capsys, *argv, "--json")
    return rc, [json.loads(line) for line in lines], err


FAST = "read_timeout = 0.5\nconnect_timeout = 0.5\nmax_attempts = 2\nbackoff_base = 0.01\nretry_budget = 1.0\n"


@pytest.fixture
def tts():
    f = tiktok_stock(TikTokShopFake())
    yield f
    f.close()


@pytest.fixture
def shopify():
    f = shopify_stock(ShopifyFake())
    yield f
    f.close()


def tiktok_settings(tmp_path: Path, f: TikTokShopFake) -> Path:
    set_secret("tiktok_shop_app_secret", f.app_secret)
    set_secret("tiktok_shop_access_token", f.access_token)
    return write_settings(tmp_path, f'[platform]\nkind = "tiktok_shop"\n\n[platform.tiktok_shop]\n'
                                    f'app_key = "{f.app_key}"\ncurrency = "USD"\nbase_url = "{f.url}"\n{FAST}')


def shopify_settings(tmp_path: Path, f: ShopifyFake) -> Path:
    set_secret("shopify_access_token", f.token)
    return write_settings(tmp_path, f'[platform]\nkind = "shopify"\n\n[platform.shopify]\n'
                                    f'shop = "fake-store.myshopify.com"\ncurrency = "USD"\nbase_url = "{f.url}"\n{FAST}')


def test_tiktok_shop_check_reports_and_writes_nothing(tts, tmp_path, capsys):
    rc, rows, err = run(capsys, "--data-dir", str(tiktok_settings(tmp_path, tts)), "--show", str(write_show(tmp_path)))
    assert rc == 1, err
    by = {r["sku"]: r for r in rows if r["kind"] == "sku"}
    assert by["LIP-001"] == {"kind": "sku", "sku": "LIP-001", "status": "ok", "title": "Velvet Matte Lipstick",
                             "plan_list_price": "25.90", "shop_list_price": "25.90", "shop_price": "12.90",
                             "shop_stock": 800, "listed": True, "reason": ""}
    assert by["SER-002"]["status"] == "ok" and by["NEW-404"]["status"] == "missing"
    assert rows[-1]["kind"] == "summary" and rows[-1]["platform"] == "tiktok_shop" and rows[-1]["shop_only"] == 1
    assert tts.applied == []
    assert not [r.path for r in tts.requests if r.path.endswith(TIKTOK_WRITES) or r.method == "PUT"]


def test_shopify_shop_check_reports_and_writes_nothing(shopify, tmp_path, capsys):
    plan = PLAN.replace("LIP-001,Velvet Matte Lipstick,25.90", "LIP-001,Velvet Matte Lipstick,29.90")
    rc, rows, err = run(capsys, "--data-dir", str(shopify_settings(tmp_path, shopify)),
                        "--show", str(write_show(tmp_path, plan)))
    assert rc == 1, err
    by = {r["sku"]: r for r in rows if r["kind"] == "sku"}
    assert by["LIP-001"]["status"] == "list_price_differs" and by["LIP-001"]["shop_list_price"] == "25.90"
    assert by["SER-002"]["status"] == "ok" and by["NEW-404"]["status"] == "missing"
    assert shopify.applied == []
    assert not [r for r in shopify.requests if json.loads(r.body)["query"].lstrip().startswith("mutation")]


def test_a_plan_that_matches_exits_0(shopify, tmp_path, capsys):
    plan = "sku,title,list_price,live_price,stock\nLIP-001,Velvet Matte Lipstick,25.90,12.90,800\n"
    rc, rows, err = run(capsys, "--data-dir", str(shopify_settings(tmp_path, shopify)),
                        "--show", str(write_show(tmp_path, plan)))
    assert rc == 0, err
    assert rows[-1]["exit"] == 0


def test_refused_credentials_exit_2_with_the_reason_and_no_secret(tts, tmp_path, capsys):
    data = tiktok_settings(tmp_path, tts)
    set_secret("tiktok_shop_access_token", "TTP_wrong-token-9xQ")
    rc, rows, err = run(capsys, "--data-dir", str(data), "--show", str(write_show(tmp_path)))
    assert rc == 2 and "36009004" in err and "TTP_wrong-token-9xQ" not in err


# ---- the README's worked examples ----------------------------------------------------------------------
def example(heading: str) -> dict:
    section = README.read_text(encoding="utf-8").split(heading, 1)[1]
    return tomllib.loads(re.search(r"```toml\n(.*?)```", section, re.S).group(1))


@pytest.mark.parametrize("heading,cls,kind", [
    ("#### TikTok Shop (`[platform.tiktok_shop]`)", TikTokShopConfig, "tiktok_shop"),
    ("#### Shopify (`[platform.shopify]`)", ShopifyConfig, "shopify")])
def test_the_readme_example_is_accepted(heading, cls, kind):
    data = example(heading)
    assert data["platform"]["kind"] == kind
    assert isinstance(cls.from_settings(Settings(None, data=data)), cls)

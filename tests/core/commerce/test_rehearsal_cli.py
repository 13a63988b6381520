"""`python main.py rehearse`: the public contract (README, "Rehearsal (预案演练)") through the real CLI."""
from __future__ import annotations

import json
import shutil

import pytest

from controlroom.journal import Journal
from controlroom.paths import SAMPLE_SHOW
from tests.core.commerce.rehearsal_helpers import autos, final_sku, line, rehearse

LINE_KEYS = {"line", "t", "do", "sku", "verdict", "rules", "outcome", "net_price"}
AUTO_KEYS = {"line", "t", "do", "what", "sku", "outcome", "reason"}


def test_output_shape_time_order_and_a_normal_session(tmp_path):
    rc, recs, final, err = rehearse(tmp_path, [
        "# a comment, then a blank line",
        "",
        {"t": 0, "do": "list", "sku": "SER-002"},
        {"t": 0, "do": "pin", "sku": "SER-002"},
        {"t": 1, "do": "stock", "sku": "SER-002", "shown": 50},
        {"t": 2, "do": "coupon", "sku": "SER-002", "threshold": "300", "off": "10", "quantity": 50,
         "per_buyer_limit": 1},
        {"t": 3, "do": "offer", "sku": "SER-002", "price": "189.00", "duration_s": 5},
        {"t": 4, "do": "orders", "sku": "SER-002", "count": 3, "over_s": 0, "per_buyer": 1},
        {"t": 20, "do": "unlist", "sku": "SER-002"},
    ])
    assert rc == 0, err
    for r in recs:
        assert set(r) == (AUTO_KEYS if r["do"] == "auto" else
                          LINE_KEYS | ({"filled", "rejected"} if r["do"] == "orders" else set())), r
        assert r["outcome"] in ("applied", "refused", "failed", "uncertain", "ignored")
    assert [r["t"] for r in recs] == sorted(r["t"] for r in recs)
    assert [line(recs, n)["outcome"] for n in (3, 4, 5, 6, 7, 9)] == ["applied"] * 6
    assert line(recs, 3)["net_price"] == "199.00" and line(recs, 3)["verdict"] == "allow"
    assert line(recs, 6)["net_price"] == "194.00", "two for 398 − 10"
    assert line(recs, 8)["filled"] == {"189.00": 3} and line(recs, 8)["rejected"] == 0
    end = autos(recs, "offer_end", "SER-002")
    assert end and end[0]["t"] == 8.0
    assert set(final) == {"final", "skus"} and final["final"] is True
    assert {s["sku"] for s in final["skus"]} >= {"LIP-001", "SER-002"} and len(final["skus"]) == 12
    ser = final_sku(final, "SER-002")
    assert ser == {"sku": "SER-002", "listed": False, "shop_price": "199.00", "console_price": "199.00",
                   "locked": False, "sold": 3}
    j = Journal(tmp_path / "data" / Journal.FILENAME)
    try:
        (s,) = j.sessions()
        assert s.meta.get("rehearsal") is True and s.ended_utc is not None
        kinds = {e.kind for e in j.events(s.id)}
        assert {"console.intent", "console.listed", "console.offer_started", "console.coupon_issued"} <= kinds
    finally:
        j.close()


def test_orders_on_an_unlisted_product_are_rejected_and_ignored(tmp_path):
    rc, recs, final, err = rehearse(tmp_path, [{"t": 0, "do": "orders", "sku": "LIP-001", "count": 4}])
    assert rc == 0, err
    r = line(recs, 1)
    assert r["outcome"] == "ignored" and r["filled"] == {} and r["rejected"] == 4


def test_override_with_pin_and_without(tmp_path):
    script = [
        {"t": 0, "do": "list", "sku": "LIP-001"},
        {"t": 1, "do": "price", "sku": "LIP-001", "price": "6.90",
         "override": {"name": "Supervisor Wang", "reason": "decimal test, approved"}},
    ]
    rc, recs, final, err = rehearse(tmp_path, script, pin="482193")
    assert rc == 0, err
    r = line(recs, 2)
    assert r["verdict"] == "block" and "power_of_ten_change" in r["rules"] and r["outcome"] == "applied"
    assert final_sku(final, "LIP-001")["shop_price"] == "6.90"
    rc, recs, final, err = rehearse(tmp_path, script, data_dir=tmp_path / "other")
    assert rc == 0, err
    assert line(recs, 2)["outcome"] == "refused" and final_sku(final, "LIP-001")["shop_price"] == "69.00"


def test_a_confirm_without_confirmation_is_refused(tmp_path):
    rc, recs, final, err = rehearse(tmp_path, [
        {"t": 0, "do": "list", "sku": "LIP-001"},
        {"t": 1, "do": "price", "sku": "LIP-001", "price": "59.00"},
        {"t": 2, "do": "price", "sku": "LIP-001", "price": "59.00", "confirm": True},
    ])
    assert rc == 0, err
    assert line(recs, 2)["verdict"] == "confirm" and line(recs, 2)["outcome"] == "refused"
    assert line(recs, 3)["outcome"] == "applied"


def test_restart_resumes_from_the_journal(tmp_path):
    rc, recs, final, err = rehearse(tmp_path, [
        {"t": 0, "do": "list", "sku": "SER-002"},
        {"t": 1, "do": "offer", "sku": "SER-002", "price": "189.00", "duration_s": 30},
        {"t": 10, "do": "restart"},
        {"t": 40, "do": "price", "sku": "SER-002", "price": "195.00"},
    ])
    assert rc == 0, err
    assert line(recs, 3)["outcome"] == "applied"
    end = autos(recs, "offer_end", "SER-002")
    assert end and end[0]["t"] == 31.0, "the resumed console ends the offer on time"
    assert line(recs, 4)["outcome"] == "applied"
    assert final_sku(final, "SER-002")["shop_price"] == "195.00"


def test_readable_table_without_json(tmp_path):
    rc, _, _, out = rehearse(tmp_path, [{"t": 0, "do": "list", "sku": "LIP-001"}], json_out=False)
    assert rc == 0
    assert "LIP-001" in out and "ALLOW" in out and "at the end" in out and not out.lstrip().startswith("{")


@pytest.mark.parametrize("text,where", [
    ('{"t":0,"do":"list"}', "line 1, field sku: missing"),
    ('{"t":0,"do":"list","sku":"NOPE-1"}', "line 1, field sku: 'NOPE-1' is not a product"),
    ('{"t":0,"do":"price","sku":"LIP-001","price":"59,90"}', "line 1, field price"),
    ('{"t":0,"do":"price","sku":"LIP-001","price":"-5"}', "line 1, field price"),
    ('{"t":5,"do":"list","sku":"LIP-001"}\n{"t":1,"do":"list","sku":"SER-002"}', "line 2, field t"),
    ('{"t":NaN,"do":"list","sku":"LIP-001"}', "line 1: not valid JSON"),
    ('{"t":0,"do":"offer","sku":"LIP-001","price":"50","duration_s":0}', "line 1, field duration_s"),
    ('{"t":0,"do":"offer","sku":"LIP-001","price":"50","duration_s":60,"quantity":1.5}', "field quantity"),
    ('{"t":0,"do":"orders","sku":"LIP-001","count":true}', "field count"),
    ('{"t":0,"do":"fault","kind":"meteor","for_s":3}', "field kind"),
    ('{"t":0,"do":"dance"}', "field do"),
    ('{"t":0,"do":"list","sku":"LIP-001","prcie":"1"}', "field prcie"),
    ('{"t":0,"do":"coupon","threshold":"100","off":"10","confirm_at":-1}', "field confirm_at"),
    ('{"t":0,"do":"list","sku":"LIP-001","override":{"name":"x"}}', "field override.reason"),
    ('[1,2]', "line 1: expected a JSON object"),
    ('{"t":1e400,"do":"list","sku":"LIP-001"}', "field t"),
])
def test_a_script_that_cannot_be_read_exits_2_naming_line_and_field(tmp_path, text, where):
    rc, recs, final, err = rehearse(tmp_path, [text])
    assert rc == 2 and where in err, err
    assert recs == [] and final is None


def test_a_show_that_cannot_be_read_exits_2(tmp_path):
    show = tmp_path / "show"
    shutil.copytree(SAMPLE_SHOW, show)
    (show / "products.csv").write_text("sku,title\nA,x\n", encoding="utf-8")
    rc, recs, final, err = rehearse(tmp_path, [{"t": 0, "do": "list", "sku": "A"}], show=show)
    assert rc == 2 and "products.csv" in err
    rc, _, _, err = rehearse(tmp_path, [{"t": 0, "do": "list", "sku": "A"}], show=tmp_path / "nowhere")
    assert rc == 2 and "nowhere" in err


def test_missing_script_exits_2(tmp_path):
    import subprocess
    import sys
    from tests.core.commerce.rehearsal_helpers import ROOT
    p = subprocess.run([sys.executable, str(ROOT / "main.py"), "rehearse", str(tmp_path / "none.jsonl")],
                       capture_output=True, text=True, env={"CONTROLROOM_DATA_DIR": str(tmp_path / "d"),
                                                            "PATH": "/usr/bin:/bin"})
    assert p.returncode == 2 and "no such file" in p.stderr
    json.dumps(p.stdout)


def test_an_action_in_flight_when_the_app_dies_is_uncertain_then_settled(tmp_path):
    rc, recs, final, err = rehearse(tmp_path, [
        {"t": 0, "do": "list", "sku": "SER-002"},
        {"t": 1, "do": "fault", "sku": "SER-002", "kind": "hang", "for_s": 20},
        {"t": 2, "do": "price", "sku": "SER-002", "price": "189.00"},
        {"t": 4, "do": "restart"},
        {"t": 40, "do": "price", "sku": "SER-002", "price": "185.00"},
    ])
    assert rc == 0, err
    assert line(recs, 3)["outcome"] == "uncertain" and line(recs, 3)["t"] == 4.0
    lock = autos(recs, "lock", "SER-002")
    assert lock and "stopped before the outcome was known" in lock[0]["reason"]
    settled = autos(recs, "reconcile", "SER-002")
    assert settled and settled[0]["outcome"] == "failed" and settled[0]["t"] >= 21
    assert line(recs, 5)["outcome"] == "applied" and final_sku(final, "SER-002")["shop_price"] == "185.00"
    assert "Traceback" not in err


def _readme_rehearsal_example() -> tuple[list[str], list[dict]]:
    """The README's worked example, as an operator copies it: the script block and its `--json` output."""
    import re
    from tests.core.commerce.rehearsal_helpers import ROOT
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    sec = text[text.index("### Rehearsal (预案演练)"):text.index("### Preflight")]
    blocks = re.findall(r"```[a-z]*\n(.*?)```", sec, re.S)
    script = next(b for b in blocks if '"do":"list"' in b and not b.startswith("$"))
    out = next(b for b in blocks if b.startswith("$ .venv/bin/python main.py rehearse tonight.jsonl --json"))
    shown = [ln for ln in out.splitlines()[1:] if ln.strip()]
    return script.splitlines(), shown


def test_the_readme_worked_example_prints_what_the_readme_shows(tmp_path):
    """Copy-pasted from the README: every JSON line it shows is what the command prints (a text cut with "…" is
    compared up to the cut); no line it leaves out appears, and every auto line keeps to the contract's five kinds."""
    script, shown = _readme_rehearsal_example()
    rc, recs, final, err = rehearse(tmp_path, script, name="tonight.jsonl")
    assert rc == 0, err
    assert all(r["what"] in ("revert", "offer_end", "breaker", "reconcile", "lock") for r in autos(recs))
    expected = [ln for ln in shown if not ln.startswith('{"final"')]
    assert len(recs) == len(expected), (recs, expected)

    def same(want, got) -> bool:
        if isinstance(want, str) and want.endswith("…"):
            return isinstance(got, str) and got.startswith(want[:-1].rstrip())
        return want == got
    for want_line, got in zip(expected, recs):
        want = json.loads(want_line)
        assert all(same(v, got.get(k)) for k, v in want.items()), (want, got)
    final_line = next(ln for ln in shown if ln.startswith('{"final"'))
    for want in json.loads(final_line.replace(", …]", "]"))["skus"]:
        assert final_sku(final, want["sku"]) == want


def test_a_script_that_is_not_utf8_exits_2_naming_the_line(tmp_path):
    """A GBK-saved script: the message names the line with the bad bytes (as every other script error does)."""
    import subprocess
    import sys
    from tests.core.commerce.rehearsal_helpers import ROOT
    script = tmp_path / "gbk.jsonl"
    script.write_bytes(b'{"t":0,"do":"list","sku":"LIP-001"}\n'
                       + '{"t":1,"do":"list","sku":"SER-002","note":"口红"}\n'.encode("gbk"))
    p = subprocess.run([sys.executable, str(ROOT / "main.py"), "rehearse", str(script), "--json"],
                       capture_output=True, text=True, env=dict(__import__("os").environ,
                                                                CONTROLROOM_DATA_DIR=str(tmp_path / "d")))
    assert p.returncode == 2 and p.stdout == ""
    assert "gbk.jsonl, line 2" in p.stderr and "UTF-8" in p.stderr, p.stderr


@pytest.mark.parametrize("action", [
    {"do": "unlist", "sku": "LIP-001"},
    {"do": "pin", "sku": "LIP-001"},
    {"do": "stock", "sku": "LIP-001", "shown": 50},
])
def test_a_lying_read_back_of_an_action_that_does_not_set_the_price_is_never_adopted(tmp_path, action):
    """Found by a random script: an unlist under a `lie` fault (the read-back shows the price ×10) was journaled
    applied and the console took 690.00 as LIP-001's price, unlocked, while the shop sold at 69.00. A read-back
    showing a price nobody commanded locks the SKU (as for a list or a price change); the console never believes it."""
    rc, recs, final, err = rehearse(tmp_path, [
        {"t": 0, "do": "list", "sku": "LIP-001"},
        {"t": 1, "do": "fault", "sku": "LIP-001", "kind": "lie", "for_s": 5},
        {"t": 2, **action},
    ])
    assert rc == 0, err
    lip = final_sku(final, "LIP-001")
    assert lip["shop_price"] == "69.00"
    assert lip["console_price"] == "69.00" or lip["locked"], lip
    assert line(recs, 3)["outcome"] == "uncertain" and autos(recs, "lock", "LIP-001"), recs


def test_a_stock_read_under_a_lying_shop_does_not_change_the_console_price(tmp_path):
    """The low-stock watch reads a product back for its stock; under a `lie` fault that read-back shows the price
    ×10 and the console took it (690.00 for a 69.00 product, unlocked). A stock read is about stock."""
    show = tmp_path / "show"
    shutil.copytree(SAMPLE_SHOW, show)
    p = show / "products.csv"
    rows = p.read_text(encoding="utf-8").splitlines()
    rows = [r.replace(",49,8000,5,", ",49,30,5,") if r.startswith("LIP-001,") else r for r in rows]
    p.write_text("\n".join(rows) + "\n", encoding="utf-8")
    rc, recs, final, err = rehearse(tmp_path, [
        {"t": 0, "do": "list", "sku": "LIP-001"},
        {"t": 1, "do": "fault", "sku": "LIP-001", "kind": "lie", "for_s": 30},
        {"t": 5, "do": "orders", "sku": "LIP-001", "count": 3, "over_s": 1, "per_buyer": 5},
        {"t": 40, "do": "orders", "sku": "LIP-001", "count": 1},
    ], show=show)
    assert rc == 0, err
    j = Journal(tmp_path / "data" / Journal.FILENAME)
    try:
        (s,) = j.sessions()
        assert j.events(s.id, kinds=["console.stock_read"]), "the watch read the low product back"
    finally:
        j.close()
    lip = final_sku(final, "LIP-001")
    assert lip["shop_price"] == "69.00" and lip["sold"] == 16
    assert lip["console_price"] == "69.00", lip


def test_an_offer_proved_by_a_lying_product_read_back_does_not_change_the_console_price(tmp_path):
    """Found by a random script: an offer whose call was applied and answered 500 is proved by the product's
    read-back; under a `lie` fault as well it was applied and the console took 2059.60 as SER-002's own price."""
    rc, recs, final, err = rehearse(tmp_path, [
        {"t": 0, "do": "list", "sku": "SER-002"},
        {"t": 1, "do": "fault", "sku": "SER-002", "kind": "apply_then_error", "for_s": 5},
        {"t": 1, "do": "fault", "sku": "SER-002", "kind": "lie", "for_s": 5},
        {"t": 2, "do": "offer", "sku": "SER-002", "price": "179.00", "duration_s": 30, "quantity": 10,
         "per_buyer_limit": 1},
        {"t": 60, "do": "orders", "sku": "SER-002", "count": 1},
    ])
    assert rc == 0, err
    ser = final_sku(final, "SER-002")
    assert ser["shop_price"] == "199.00"
    assert ser["console_price"] == "199.00" or ser["locked"], (ser, recs)


def test_a_price_below_floor_under_a_running_shop_offer_is_blocked(tmp_path):
    """Found by a random script: while the shop ran CRM-003's flash offer at 162.80, a price change of its own
    price to 111.54 (floor 139) was judged on the offer's price, allowed and applied; when the offer ended the shop
    sold at 111.54. The product's own price is what buyers pay once the offer ends: it is judged on its own too."""
    rc, recs, final, err = rehearse(tmp_path, [
        {"t": 0, "do": "list", "sku": "CRM-003"},
        {"t": 0, "do": "offer", "sku": "CRM-003", "price": "162.80", "duration_s": 10, "quantity": 19,
         "per_buyer_limit": 1},
        {"t": 1, "do": "price", "sku": "CRM-003", "price": "136.24"},
        {"t": 20, "do": "orders", "sku": "CRM-003", "count": 1},
    ])
    assert rc == 0, err
    r = line(recs, 3)
    assert r["verdict"] == "block" and "below_floor" in r["rules"] and r["outcome"] == "refused", r
    assert line(recs, 4)["filled"] == {"179.00": 1}
    assert final_sku(final, "CRM-003")["shop_price"] == "179.00"

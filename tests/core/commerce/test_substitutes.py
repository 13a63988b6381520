"""Sold out and low stock: the alert names the plan's substitute and its talk track; one call switches to it
(list, explain with the talk track, the cue screen's line). products.csv's substitute columns are checked."""
from __future__ import annotations

import pytest

from controlroom.commerce.plan import check_plan, read_plan
from tests.core.comments.voice_show import VoiceShow, show_dir

COLS = ("substitute_sku", "substitute_talk_track")
TALK = "口红卖空了！同价位的5号链接面霜也超好用，姐妹们冲"


def plan_with(tmp_path, rows: dict[str, tuple[str, str]]):
    def edit(r):
        if r["sku"] in rows:
            r["substitute_sku"], r["substitute_talk_track"] = rows[r["sku"]]
        return r
    return show_dir(tmp_path, edit, COLS)


def test_substitute_columns_are_read_and_checked(tmp_path):
    d = plan_with(tmp_path, {"LIP-001": ("CRM-003", TALK), "SER-002": ("SER-002", ""), "CRM-003": ("NOPE-9", ""),
                             "MSK-004": ("", "没有替换也要说点什么"), "SUN-005": ("LIP-001", "全网最低价，买它")})
    plan = read_plan(d / "products.csv")
    rows = {r.sku: r for r in plan.rows}
    assert (rows["LIP-001"].substitute_sku, rows["LIP-001"].substitute_talk_track) == ("CRM-003", TALK)
    assert rows["LIP-001"].invalid == ()
    assert ("substitute_sku", "'SER-002' is the product itself; name another SKU of the plan") in rows["SER-002"].invalid
    assert ("substitute_sku", "'NOPE-9' is not a SKU of this plan") in rows["CRM-003"].invalid
    assert any(f == "substitute_talk_track" and "substitute_sku is empty" in why for f, why in rows["MSK-004"].invalid)
    verdicts = {r.sku: r.verdict for r in check_plan(plan)}
    sun = verdicts["SUN-005"]
    assert "banned_terms" in sun.rules and any("substitute_talk_track" in f.message and "全网最低价" in f.message
                                                for f in sun.findings)
    assert verdicts["SER-002"].verdict == "block" and verdicts["LIP-001"].verdict != "block"


def test_preflight_names_file_row_and_field(tmp_path):
    import subprocess
    import sys
    d = plan_with(tmp_path, {"SER-002": ("SER-002", "")})
    out = subprocess.run([sys.executable, "main.py", "preflight", str(d / "products.csv")], capture_output=True,
                         text=True, cwd=str(__import__("controlroom.paths", fromlist=["x"]).ROOT), timeout=120)
    line = next(x for x in out.stdout.splitlines() if x.strip().startswith("2  SER-002"))
    assert "BLOCK" in line and "substitute_sku: 'SER-002' is the product itself" in line, out.stdout
    assert out.returncode == 1


@pytest.fixture
def show(tmp_path):
    d = plan_with(tmp_path, {"LIP-001": ("CRM-003", TALK)})

    def low(r):
        return r
    s = VoiceShow(tmp_path / "data", d, settings={("console", "low_stock_units"): 20,
                                                  ("console", "stock_read_every_s"): 2.0})
    yield s
    s.close()


def _shrink(show, sku: str, stock: int) -> None:
    show.shop.set_stock(sku, stock, idempotency_key=f"shrink-{sku}-{stock}")
    show.console.resolve_lock(sku, note="test: stock set at the shop")   # the console reads it back


def test_low_stock_then_sold_out_name_the_substitute_and_one_key_switches(show):
    show.list_all(["LIP-001", "SER-002"])
    show.console.pin_product("LIP-001", wait=True)
    _shrink(show, "LIP-001", 45)
    for _ in range(900):
        show.step(1)
        if show.rules("sku_sold_out"):
            break
    low = show.rules("sku_low_stock")
    gone = show.rules("sku_sold_out")
    assert len(low) == 1 and low[0].sku == "LIP-001" and low[0].values["stock"] <= 20
    assert len(gone) == 1 and gone[0].severity == "critical" and gone[0].to_cue
    v = gone[0].values
    assert (v["substitute_sku"], v["talk_track"], v["stock"]) == ("CRM-003", TALK, 0)
    assert show.console.sold_out("LIP-001")
    assert show.rt.journal.events(show.sid, kinds=["console.stock_read"])
    # one key: the cue line, CRM-003 listed (it was not) and explained with the talk track
    tickets = show.console.swap_to_substitute("LIP-001")
    show.idle()
    assert all(t.outcome and t.outcome.ok for t in tickets), [t.outcome for t in tickets]
    snap = show.console.snapshot()
    assert show.console.state.pinned == "CRM-003" and snap.product("CRM-003").pinned and snap.product("CRM-003").listed
    assert snap.substitute.sku == "LIP-001" and snap.substitute.substitute == "CRM-003"
    assert snap.substitute.talk_track == TALK and snap.substitute.substitute_title.startswith("烟酰胺")
    pinned = show.rt.journal.events(show.sid, kinds=["console.pinned"])[-1].payload
    assert pinned["pinned_sku"] == "CRM-003" and pinned["text"] == TALK
    # the host moves on: the sold-out line goes
    show.console.pin_product("SER-002", wait=True)
    assert show.console.snapshot().substitute is None
    # no second alert for the same level
    show.step(30)
    assert len(show.rules("sku_sold_out")) == 1


def test_no_substitute_in_the_plan_says_so(show):
    show.list_all(["SUN-005"])
    _shrink(show, "SUN-005", 0)
    show.step(3)
    (a,) = show.rules("sku_sold_out")
    assert a.values["substitute_sku"] is None and a.detail == "no substitute in the price plan"
    from controlroom.commerce.tickets import ConsoleError
    with pytest.raises(ConsoleError, match="no substitute"):
        show.console.swap_to_substitute("SUN-005")


def test_a_banned_term_in_the_talk_track_needs_a_confirmation_at_the_swap(tmp_path):
    d = plan_with(tmp_path, {"LIP-001": ("CRM-003", "全网最低价的面霜来了")})
    s = VoiceShow(tmp_path / "data", d)
    try:
        s.list_all(["LIP-001", "CRM-003"])
        tickets = s.console.swap_to_substitute("LIP-001")
        assert [t.verdict.verdict for t in tickets] == ["confirm", "confirm"]      # the line and the pin
        assert all(t.future is None for t in tickets)                              # nothing sent unconfirmed
        tickets = s.console.swap_to_substitute("LIP-001", confirmed=True)
        s.idle()
        assert s.console.state.pinned == "CRM-003"
    finally:
        s.close()

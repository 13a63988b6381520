"""The interlock engine: every rule and its threshold edges, and invariants by property tests."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from controlroom.commerce.interlocks import (RULES, Coupon, InterlockEngine, InterlockSettings, Step, Terms, Tier)
from controlroom.settings import Settings

E = InterlockEngine()


def T(**kw):
    base = dict(sku="S", list_price=10000, live_price=8000, floor_price=3000, stock=100, per_buyer_limit=2)
    base.update(kw)
    return Terms(**base)


def test_clean_allows():
    v = E.evaluate(T())
    assert v.verdict == "allow" and v.rules == [] and v.net_price == 8000
    assert v.pct_off == pytest.approx(20.0) and v.margin == 5000


@pytest.mark.parametrize("terms,kw,rule,verdict", [
    (T(live_price=0, floor_price=None), {}, "net_price_nonpositive", "block"),
    (T(live_price=2999), {}, "below_floor", "block"),
    (T(live_price=3000), {}, None, "confirm"),  # exactly at the floor; 70 % off -> confirm only
    (T(live_price=10001), {}, "above_list", "block"),
    (T(live_price=2999, floor_price=None), {}, "discount_over_70", "block"),
    (T(live_price=3000, floor_price=None), {}, "discount_50_70", "confirm"),
    (T(live_price=5000), {}, "discount_50_70", "confirm"),
    (T(live_price=5001), {}, None, "allow"),
    (T(tiers=(Tier(2, 7000), Tier(3, 6500), Tier(4, 6200), Tier(5, 6000))), {}, "tiers_over_3", "confirm"),
    (T(tiers=(Tier(2, 7000), Tier(3, 6500), Tier(4, 6200))), {}, None, "allow"),
    (T(bundle_items_sum=9411), {}, "bundle_over_85", "confirm"),   # 8000/9411 = 85.006 %
    (T(bundle_items_sum=9412), {}, None, "allow"),
    (T(gift_value=1199), {}, "gift_ratio", "confirm"),            # 14.99 %
    (T(gift_value=1200), {}, None, "allow"),
    (T(gift_value=2001), {}, "gift_ratio", "confirm"),
    (T(title="全網最低價 面霜"), {}, "banned_terms", "confirm"),
    (T(texts=("the best cream",)), {}, "banned_terms", "confirm"),
    (T(stock=0), {"listing": True}, "list_no_stock", "block"),
    (T(offer_price=7000, offer_qty=101), {}, "offer_qty_over_stock", "block"),
    (T(invalid=(("live_price", "bad"),)), {}, "invalid_input", "block"),
    (T(stock=-1), {}, "invalid_input", "block"),
    (T(), {"new_coupons": (Coupon(0, 500, None),)}, "coupon_no_min_no_cap", "block"),
    (T(), {"new_coupons": (Coupon(0, 500, 100),)}, None, "allow"),
    (T(), {"new_coupons": (Coupon(5000, 5000, 100),)}, "coupon_amount_ge_threshold", "block"),
    (T(), {"new_coupons": (Coupon(5000, 4999, 100),)}, None, "allow"),
    (T(live_price=8000), {"step": Step(800, 8000)}, "power_of_ten_change", "block"),
    (T(live_price=8000), {"step": Step(8000, 80)}, "power_of_ten_change", "block"),
    (T(live_price=8000), {"step": Step(7000, 8000)}, None, "allow"),
    (T(live_price=6000), {"step": Step(4000, 6000)}, None, "allow"),   # +50 % exactly: inside the band
    (T(live_price=6001), {"step": Step(4000, 6001)}, "price_band", "block"),
    (T(live_price=8000), {"step": Step(800, 8000, known_good=True)}, None, "allow"),
])
def test_rule_table(terms, kw, rule, verdict):
    v = E.evaluate(terms, **kw)
    assert v.verdict == verdict, v.words
    if rule:
        assert rule in v.rules
        assert RULES[rule][0] == verdict or verdict == "block"
        assert any(f.message for f in v.findings)


def test_power_of_ten_edges():
    s = InterlockSettings()
    for new, hit in [(2990 * 9 - 1, False), (2990 * 9, True), (2990 * 11, True), (2990 * 11 + 1, False),
                     (2990 * 100, True), (299, True), (2720, False)]:
        v = E.evaluate(T(live_price=new, list_price=10**9), step=Step(2990, new))
        assert ("power_of_ten_change" in v.rules) is hit, (new, v.words)
    assert s.power_of_ten_tolerance_pct == 10


def test_stacked_coupons_little_swan():
    """1,699 元 machines taken to 299 元 by discounts that each looked fine."""
    t = Terms("W", 169900, 169900, floor_price=120000, stock=1000, per_buyer_limit=2,
              coupons=(Coupon(100000, 70000, 500, sku="W"), Coupon(150000, 70000, 500, sku=None)))
    v = E.evaluate(t)
    assert v.net_price == 29900 and v.verdict == "block"
    assert {"below_floor", "discount_over_70"} <= set(v.rules)
    assert "¥299.00" in v.words


def test_coupon_threshold_reached_by_basket():
    t = T(live_price=5900, list_price=9900, floor_price=4500, per_buyer_limit=5, coupons=(Coupon(9900, 1000, 2000, "S"),))
    assert E.net_price(t) == (2 * 5900 - 1000) // 2
    t1 = T(live_price=5900, list_price=9900, floor_price=4500, per_buyer_limit=1, coupons=(Coupon(9900, 1000, 2000, "S"),))
    assert E.net_price(t1) == 5900


def test_approved_exception_needs_limit_and_cap():
    ok = Terms("L", 9900, 1, floor_price=2500, stock=50, per_buyer_limit=1, approved_deep_discount=True)
    assert E.evaluate(ok).verdict == "allow"
    assert E.evaluate(Terms("L", 9900, 1, floor_price=2500, stock=None, per_buyer_limit=1,
                            approved_deep_discount=True)).verdict == "block"
    v = E.evaluate(Terms("L", 9900, 1, floor_price=2500, stock=50, per_buyer_limit=None, approved_deep_discount=True))
    assert v.verdict == "block" and "per-buyer limit" in v.words
    assert E.evaluate(Terms("L", 9900, 1, floor_price=2500, stock=50, per_buyer_limit=1)).verdict == "block"


def test_settings_section_defaults_and_override(tmp_path):
    s = Settings(tmp_path / "settings.toml")
    assert s.section("interlocks", InterlockSettings) == InterlockSettings()
    d = InterlockSettings()
    assert (d.price_band_pct, d.max_discount_pct, d.confirm_discount_pct, d.power_of_ten_tolerance_pct,
            d.breaker_rate_multiple, d.breaker_window_s, d.pause_action) == (50, 70, 50, 10, 5.0, 60.0, "pause")
    s.set("interlocks", "price_band_pct", 30)
    e = InterlockEngine(Settings(tmp_path / "settings.toml").section("interlocks", InterlockSettings))
    assert "price_band" in e.evaluate(T(live_price=6000), step=Step(8000, 5000)).rules
    with pytest.raises(ValueError):
        InterlockSettings(pause_action="explode")


prices = st.integers(min_value=0, max_value=10**7)


@st.composite
def terms(draw):
    lst = draw(st.integers(min_value=1, max_value=10**7))
    coupons = tuple(Coupon(draw(prices), draw(st.integers(1, 10**6)), draw(st.none() | st.integers(1, 10**4)),
                           sku=draw(st.sampled_from(["S", None])))
                    for _ in range(draw(st.integers(0, 3))))
    tiers = tuple(Tier(draw(st.integers(1, 10)), draw(prices)) for _ in range(draw(st.integers(0, 4))))
    return Terms("S", lst, draw(prices), floor_price=draw(st.none() | prices), cost=draw(st.none() | prices),
                 stock=draw(st.none() | st.integers(0, 10**5)), per_buyer_limit=draw(st.none() | st.integers(1, 10)),
                 approved_deep_discount=draw(st.booleans()), coupons=coupons, tiers=tiers,
                 offer_price=draw(st.none() | prices))


@given(terms())
def test_invariant_nothing_below_floor_allowed_without_approval(t):
    v = E.evaluate(t)
    if v.net_price is not None and not t.approved_exception:
        if v.net_price <= 0 or (t.floor is not None and v.net_price < t.floor):
            assert v.verdict == "block"
        if v.net_price * 100 < 30 * t.list_price:
            assert v.verdict == "block"
    if t.effective_price is not None and t.effective_price > t.list_price:
        assert v.verdict == "block"


@given(terms())
def test_invariant_net_never_above_effective_price(t):
    n = E.net_price(t)
    assert n is not None and n <= t.effective_price


@given(st.integers(1, 10**6), st.integers(0, 10**7))
def test_invariant_power_of_ten_steps_never_allowed(old, new):
    v = E.evaluate(Terms("S", 10**9, new), step=Step(old, new))
    if new >= 9 * old or new * 9 <= old:
        assert v.verdict == "block"


def test_stacked_coupons_each_fine_alone_block_together_little_swan():
    """Little Swan 2024: discounts that were each acceptable stacked a 1,699 元 machine down to 299 元.
    By default every coupon a buyer could hold stacks (the worst case)."""
    from controlroom.commerce.interlocks import Coupon, InterlockEngine, InterlockSettings, Terms
    engine = InterlockEngine(InterlockSettings())
    sku_coupon = Coupon(threshold=100000, amount=50000, total_qty=1000, sku="WM-1")
    other_sku_coupon = Coupon(threshold=100000, amount=45000, total_qty=1000, sku="WM-1")
    shop_coupon = Coupon(threshold=100000, amount=40000, total_qty=1000, sku=None)
    base = dict(sku="WM-1", list_price=229900, live_price=169900, floor_price=110000, stock=500, per_buyer_limit=1)
    alone = engine.evaluate(Terms(**base, coupons=(sku_coupon,)))
    assert alone.verdict != "block", alone.words
    stacked = engine.evaluate(Terms(**base, coupons=(sku_coupon, other_sku_coupon, shop_coupon)))
    assert stacked.verdict == "block"
    assert "below_floor" in stacked.rules or "net_price_nonpositive" in stacked.rules
    assert stacked.net_price == 169900 - 50000 - 45000 - 40000

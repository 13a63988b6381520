"""A sold-out product's add-to-cart rate is not a talk-track problem: no add-to-cart alert on it."""
from __future__ import annotations

from tests.core.comments.voice_show import VoiceShow, show_dir


def test_no_add_to_cart_alert_fires_on_a_sold_out_sku(tmp_path):
    def edit(r):
        if r["sku"] == "LIP-001":
            r["stock"] = "60"
        return r
    s = VoiceShow(tmp_path / "data", show_dir(tmp_path, edit), seed=3)
    try:
        s.list_all(["LIP-001", "SER-002", "MSK-004"])
        s.console.pin_product("LIP-001", wait=True)
        s.step(240)
        sold_out_at = None
        for second in range(1200):
            s.step(1)
            if sold_out_at is None and s.shop.true_product("LIP-001").stock == 0:
                sold_out_at = len(s.alerts)
        assert sold_out_at is not None, "the pinned product should sell its 60 units in 24 minutes"
        after = [a for a in s.alerts[sold_out_at:] if a.rule == "sku_add_to_cart_low" and a.sku == "LIP-001"]
        assert after == [], [a.title for a in after]
        # and the console knows it is sold out (the metrics rules ask it)
        assert s.console.sold_out("LIP-001")
    finally:
        s.close()

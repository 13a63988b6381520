"""Alert rules on synthetic series: hysteresis, cool-down, minimum-sample guards, no storms."""
from __future__ import annotations

import random

import pytest

from controlroom.alerts import Alert
from controlroom.metrics.alert_rules import AlertEngine, AlertSettings
from controlroom.metrics.live import LiveMetrics
from controlroom.metrics.series import SeriesStore
from controlroom.platform import MetricsSnapshot, SkuMetrics
from controlroom.settings import Settings, SettingsError


class Show:
    """Cumulative counters driven second by second from per-second rates."""

    def __init__(self, **settings_overrides):
        self.store = SeriesStore(capacity=20_000)
        self.live = LiveMetrics(self.store, start_mono=0.0)
        self.raised: list[Alert] = []
        self.cleared: list[tuple[str, str, str]] = []
        self.engine = AlertEngine(AlertSettings(**settings_overrides), self._raise,
                                  lambda r, k, a: self.cleared.append((r, k, a)), category_uv_value=400)
        self.t = 0
        self.c = dict(views=0, unique_viewers=0, buyers=0, orders=0, gmv=0, product_clicks=0, add_to_cart=0)
        self.sku = {}

    def _raise(self, a: Alert) -> Alert:
        from dataclasses import replace
        a = replace(a, alert_id=f"A{len(self.raised) + 1}")
        self.raised.append(a)
        return a

    def run(self, seconds: int, *, online=1000, new_viewers=10.0, conversion=0.2, order_value=10_000,
            sku_clicks=None, sku_atc=0.3):
        for _ in range(seconds):
            self.t += 1
            on = online(self.t) if callable(online) else online
            nv = new_viewers
            self.c["views"] += int(nv * 1.5)
            self.c["unique_viewers"] += int(nv)
            # fractional buyers accumulate exactly: buyers = floor(conversion-share of new viewers)
            self._acc = getattr(self, "_acc", 0.0) + nv * (conversion(self.t) if callable(conversion) else conversion)
            nb = int(self._acc)
            self._acc -= nb
            self.c["buyers"] += nb
            self.c["orders"] += nb
            ov = order_value(self.t) if callable(order_value) else order_value
            self.c["gmv"] += nb * ov
            skus = {}
            if sku_clicks:
                for s, clicks in sku_clicks.items():
                    m = self.sku.get(s, SkuMetrics(s))
                    atc_acc = getattr(self, "_atc_" + s, 0.0) + clicks * sku_atc.get(s, 0.3)
                    n_atc = int(atc_acc)
                    setattr(self, "_atc_" + s, atc_acc - n_atc)
                    m = SkuMetrics(s, impressions=m.impressions + clicks * 5, clicks=m.clicks + clicks,
                                   add_to_cart=m.add_to_cart + n_atc)
                    self.sku[s] = m
                skus = dict(self.sku)
            self.store.append(float(self.t), 1.7e9 + self.t, MetricsSnapshot(online=on, skus=skus, **self.c))
            self.engine.evaluate(self.live)

    def rules(self):
        return [a.rule for a in self.raised]


def test_show_start_is_silent():
    show = Show()
    show.run(240, conversion=0.0, online=lambda t: 1000 if t < 100 else 500)
    # conversion 0 % and viewers halved, but neither a 5-minute window nor 100 viewers yet: no alert
    # ... except the viewers drop, which needs only its 2-minute window: make sure it is the only one
    assert "conversion_low" not in show.rules()
    assert "gmv_swing" not in show.rules()
    assert "uv_value_low" not in show.rules()


def test_conversion_low_raises_once_for_a_sustained_drop_then_clears():
    show = Show()
    show.run(600, conversion=0.20)
    assert show.raised == []
    show.run(1200, conversion=0.08)          # 20 minutes at 8 %: one alert, not one a second
    conv = [a for a in show.raised if a.rule == "conversion_low"]
    assert len(conv) == 1
    a = conv[0]
    assert a.severity in ("warning", "critical") and a.source == "metrics"
    assert a.values["conversion"] < 0.15 and a.values["threshold"] == 0.15
    show.run(900, conversion=0.25)           # recovered: it clears once
    assert [c[0] for c in show.cleared].count("conversion_low") == 1
    assert ("conversion_low", "", a.alert_id) in show.cleared


def test_noisy_conversion_around_the_threshold_does_not_storm():
    rnd = random.Random(5)
    show = Show()
    show.run(600, conversion=0.20)
    show.run(3600, conversion=lambda t: rnd.uniform(0.10, 0.20))   # hovers around 15 % for an hour
    n = show.rules().count("conversion_low")
    # hysteresis + cool-down: at most one alert per cool-down period, far below one per minute
    assert n <= 3600 / AlertSettings().cooldown_s
    assert n <= 6


def test_viewers_drop_glitch_vs_sustained_drop_cooldown_and_cue():
    show = Show()
    show.run(300, online=10_000)
    show.run(2, online=6_000)                 # a two-second glitch
    show.run(60, online=10_000)
    assert "viewers_drop" not in show.rules()
    rnd = random.Random(1)
    show.run(300, online=lambda t: int(10_000 * rnd.uniform(0.93, 1.07)))   # ±7 % noise
    assert "viewers_drop" not in show.rules()
    show.run(60, online=7_000)                # -30 %, sustained
    drops = [a for a in show.raised if a.rule == "viewers_drop"]
    assert len(drops) == 1
    assert drops[0].to_cue and "福袋" in drops[0].suggestion
    assert drops[0].values["peak"] >= 9_300 and drops[0].values["online"] == 7_000
    show.run(120, online=7_000)               # the peak slides out of the 2-minute window: clears
    assert ("viewers_drop", "", drops[0].alert_id) in show.cleared
    show.run(60, online=10_000)
    show.run(30, online=6_000)                # drops again within the cool-down: quiet
    assert show.rules().count("viewers_drop") == 1
    show.run(400, online=10_000)
    show.run(30, online=5_000)                # after the cool-down: raises again, critical at -50 %
    drops = [a for a in show.raised if a.rule == "viewers_drop"]
    assert len(drops) == 2 and drops[1].severity == "critical"


def test_gmv_swing_both_directions():
    show = Show()
    show.run(900, conversion=0.2, order_value=10_000)
    assert "gmv_swing" not in show.rules()
    show.run(400, conversion=0.2, order_value=5_000)     # orders worth half: GMV -50 %
    swings = [a for a in show.raised if a.rule == "gmv_swing"]
    assert len(swings) == 1 and swings[0].values["direction"] == "down" and swings[0].severity == "warning"
    assert swings[0].values["change"] <= -0.30
    show.run(700, conversion=0.2, order_value=5_000)      # steady at the new level: clears, no new one
    assert [a.rule for a in show.raised].count("gmv_swing") == 1
    assert any(c[:2] == ("gmv_swing", "down") for c in show.cleared)
    show.run(400, conversion=0.2, order_value=10_000)     # doubles
    ups = [a for a in show.raised if a.rule == "gmv_swing" and a.values["direction"] == "up"]
    assert len(ups) == 1 and ups[0].severity == "info"


def test_sku_add_to_cart_low_needs_enough_clicks_and_names_the_sku():
    show = Show()
    show.run(900, sku_clicks={"LIP-001": 1, "SER-002": 0}, sku_atc={"LIP-001": 0.05})
    few = [a for a in show.raised if a.rule == "sku_add_to_cart_low"]
    assert len(few) == 1 and few[0].sku == "LIP-001"             # 300 clicks per 5 min at 5 %
    assert few[0].values["add_to_cart_rate"] < 0.10
    show2 = Show()
    # 0.1 clicks a second would be 30 per 5 minutes: below the 50-click guard, never raised
    show2.run(900, sku_clicks={"MSK-004": 0}, sku_atc={"MSK-004": 0.0})
    assert "sku_add_to_cart_low" not in show2.rules()


def test_uv_value_below_category_figure():
    show = Show()
    # 20 % of viewers buy 10 元 orders: UV value 2 元, under the 4 元 category figure
    show.run(1000, conversion=0.2, order_value=1_000)
    uv = [a for a in show.raised if a.rule == "uv_value_low"]
    assert len(uv) == 1 and uv[0].values["uv_value"] == 200 and uv[0].values["category"] == 400


def test_rules_can_be_disabled_and_tuned_in_settings(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('[alerts]\nconversion_min = 0.05\nconversion_clear = 0.06\ndisabled = "uv_value_low"\n',
                    encoding="utf-8")
    s = Settings(path).section("alerts", AlertSettings)
    assert s.conversion_min == 0.05
    show = Show(**{k: getattr(s, k) for k in ("conversion_min", "conversion_clear", "disabled")})
    show.run(600, conversion=0.2)
    show.run(900, conversion=0.08, order_value=100)
    assert "conversion_low" not in show.rules() and "uv_value_low" not in show.rules()
    with pytest.raises(ValueError, match="nonsense"):
        AlertEngine(AlertSettings(disabled="nonsense"), lambda a: a)
    path.write_text('[alerts]\nconversion_min = "low"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="conversion_min"):
        Settings(path).section("alerts", AlertSettings)

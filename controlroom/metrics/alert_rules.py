"""Alert rules on the live metrics (domain.md defaults), read from settings.toml [alerts].

Why each rule is shaped the way it is:
- hysteresis: a rule raises when its value crosses the raise threshold and stays there for
  `*_sustain_s`, and clears only after it has crossed the (stricter) clear threshold for
  `clear_sustain_s`; a value hovering at the threshold neither flaps nor storms;
- cool-down: after raising, the same rule (and SKU) stays quiet for `cooldown_s` even if it clears
  and trips again;
- minimum samples: a rule says nothing until its window is covered by data and its denominator is
  large enough (viewers, clicks, GMV), so the first minutes of a show are silent;
- a sold-out product is not judged on its add-to-cart rate: nobody can add what is gone, and the
  sold-out alert (the console's stock watch) already says what to do.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Protocol

from controlroom.alerts import Alert
from controlroom.metrics.kpi import Kpis, SkuKpis, fmt_rate, fmt_yuan
from controlroom.metrics.targets import yuan_to_fen

RULES = ("conversion_low", "gmv_swing", "sku_add_to_cart_low", "viewers_drop", "uv_value_low")


@dataclass(frozen=True)
class AlertSettings:
    disabled: str = ""                # rule ids to switch off, comma-separated: "gmv_swing, uv_value_low"
    cooldown_s: float = 300.0         # quiet time after a rule (per SKU) raised
    clear_sustain_s: float = 30.0     # the value must look healthy this long before the alert clears

    conversion_min: float = 0.15      # raise below 15 % ...
    conversion_clear: float = 0.17    # ... clear at 17 % or more
    conversion_critical: float = 0.08
    conversion_window_s: float = 300.0
    conversion_sustain_s: float = 30.0
    conversion_min_viewers: int = 100

    gmv_swing: float = 0.30           # ±30 % last window vs the one before
    gmv_swing_clear: float = 0.20
    gmv_window_s: float = 300.0
    gmv_sustain_s: float = 30.0
    gmv_min_yuan: str = "1000"        # the earlier window must have sold at least this much

    sku_add_to_cart_min: float = 0.10
    sku_add_to_cart_clear: float = 0.12
    sku_window_s: float = 300.0
    sku_sustain_s: float = 60.0
    sku_min_clicks: int = 50

    viewers_drop: float = 0.20        # online down more than 20 % ...
    viewers_drop_clear: float = 0.10
    viewers_drop_critical: float = 0.40
    viewers_window_s: float = 120.0   # ... from the peak of the last 2 minutes
    viewers_sustain_s: float = 5.0
    viewers_min_online: int = 100

    uv_value_yuan: str = ""           # category figure in 元; empty = the show's [targets] uv_value
    uv_value_clear_margin: float = 0.05
    uv_value_min_elapsed_s: float = 900.0
    uv_value_min_viewers: int = 500
    uv_value_sustain_s: float = 60.0


class LiveView(Protocol):
    """What the rules read (implemented by controlroom.metrics.live.LiveMetrics)."""
    def now(self) -> float: ...
    def elapsed_s(self) -> float: ...
    def show(self) -> Kpis: ...
    def between(self, start_mono: float, end_mono: float) -> Kpis: ...
    def skus_window(self, seconds: float) -> dict[str, SkuKpis] | None: ...
    def online_peak(self, seconds: float) -> tuple[int | None, int | None]: ...  # (peak, now)


@dataclass
class _State:
    raised: bool = False
    bad_since: float | None = None
    good_since: float | None = None
    last_raised: float | None = None
    alert_id: str = ""


@dataclass(frozen=True)
class Reading:
    """One rule's verdict on one key at one instant."""
    rule: str
    key: str                  # "" or the SKU or a direction
    value: float | None       # None: guards not met, say nothing
    bad: bool
    good: bool
    sustain_s: float
    make_alert: Callable[[], Alert] | None = None


@dataclass
class AlertEngine:
    settings: AlertSettings
    raise_fn: Callable[[Alert], Alert]
    clear_fn: Callable[[str, str, str], None] = lambda rule, key, alert_id: None
    category_uv_value: int | None = None   # 分, from the show's targets when settings leave it empty
    states: dict[tuple[str, str], _State] = field(default_factory=dict)
    sold_out: Callable[[str], bool] = lambda sku: False   # the console's word on a SKU's stock

    def __post_init__(self):
        self.disabled = {r.strip() for r in self.settings.disabled.split(",") if r.strip()}
        unknown = self.disabled - set(RULES)
        if unknown:
            raise ValueError(f"[alerts] disabled: unknown rule(s) {', '.join(sorted(unknown))}; "
                             f"known: {', '.join(RULES)}")
        s = self.settings
        self.gmv_min = yuan_to_fen(s.gmv_min_yuan, "[alerts] gmv_min_yuan")
        if s.uv_value_yuan:
            self.category_uv_value = yuan_to_fen(s.uv_value_yuan, "[alerts] uv_value_yuan")

    # ---- state machine ----------------------------------------------------------------------
    def _step(self, now: float, r: Reading) -> None:
        st = self.states.setdefault((r.rule, r.key), _State())
        s = self.settings
        if r.value is None:            # not enough data: hold whatever state we are in
            st.bad_since = None
            st.good_since = None
            return
        if not st.raised:
            if not r.bad:
                st.bad_since = None
                return
            if st.bad_since is None:
                st.bad_since = now
            cooled = st.last_raised is None or now - st.last_raised >= s.cooldown_s
            if now - st.bad_since >= r.sustain_s and cooled and r.make_alert is not None:
                alert = self.raise_fn(r.make_alert())
                st.raised, st.last_raised, st.good_since = True, now, None
                st.alert_id = getattr(alert, "alert_id", "") or ""
        else:
            if not r.good:
                st.good_since = None
                return
            if st.good_since is None:
                st.good_since = now
            if now - st.good_since >= s.clear_sustain_s:
                st.raised, st.bad_since, st.good_since = False, None, None
                self.clear_fn(r.rule, r.key, st.alert_id)

    def restore(self, rule: str, key: str, raised_at: float, still_raised: bool, alert_id: str = "") -> None:
        """Rebuild after a crash from the journal's alert events."""
        st = self.states.setdefault((rule, key), _State())
        st.last_raised = raised_at if st.last_raised is None else max(st.last_raised, raised_at)
        st.raised, st.alert_id = still_raised, alert_id

    def active(self) -> list[tuple[str, str]]:
        return [k for k, st in self.states.items() if st.raised]

    def evaluate(self, view: LiveView) -> None:
        now = view.now()
        for rule in RULES:
            if rule in self.disabled:
                continue
            for reading in getattr(self, "_" + rule)(view):
                self._step(now, reading)

    # ---- rules --------------------------------------------------------------------------------
    def _conversion_low(self, v: LiveView) -> list[Reading]:
        s = self.settings
        now = v.now()
        k = v.between(now - s.conversion_window_s, now)
        ok = k.complete and k.unique_viewers >= s.conversion_min_viewers and k.conversion is not None
        val = k.conversion if ok else None
        minutes = round(s.conversion_window_s / 60)

        def make() -> Alert:
            sev = "critical" if val < s.conversion_critical else "warning"
            return Alert(rule="conversion_low", severity=sev, source="metrics",
                         title=f"Conversion {fmt_rate(val)} over the last {minutes} min "
                               f"(below {fmt_rate(s.conversion_min, 0)})",
                         detail=f"{k.buyers} buyers of {k.unique_viewers} viewers",
                         values={"conversion": val, "buyers": k.buyers, "viewers": k.unique_viewers,
                                 "threshold": s.conversion_min, "window_s": s.conversion_window_s},
                         suggestion="push a price anchor or a coupon, restate the selling point")
        return [Reading("conversion_low", "", val, val is not None and val < s.conversion_min,
                        val is not None and val >= s.conversion_clear, s.conversion_sustain_s, make)]

    def _gmv_swing(self, v: LiveView) -> list[Reading]:
        s = self.settings
        now, w = v.now(), s.gmv_window_s
        if v.elapsed_s() < 2 * w:
            return [Reading("gmv_swing", d, None, False, False, s.gmv_sustain_s) for d in ("down", "up")]
        cur = v.between(now - w, now)
        prev = v.between(now - 2 * w, now - w)
        if not (cur.complete and prev.complete) or prev.gmv < self.gmv_min:
            return [Reading("gmv_swing", d, None, False, False, s.gmv_sustain_s) for d in ("down", "up")]
        change = (cur.gmv - prev.gmv) / prev.gmv
        minutes = round(w / 60)

        def make(direction: str) -> Callable[[], Alert]:
            def _m() -> Alert:
                word = "dropped" if direction == "down" else "jumped"
                return Alert(rule="gmv_swing", severity="warning" if direction == "down" else "info",
                             source="metrics",
                             title=f"GMV {word} {abs(change) * 100:.0f} % in the last {minutes} min "
                                   f"({fmt_yuan(cur.gmv, False)} vs {fmt_yuan(prev.gmv, False)})",
                             values={"change": change, "gmv_now": cur.gmv, "gmv_before": prev.gmv,
                                     "window_s": w, "direction": direction},
                             suggestion="check stock, price and the product on screen" if direction == "down"
                             else "keep the current product on; check stock")
            return _m
        return [
            Reading("gmv_swing", "down", -change, change <= -s.gmv_swing, change > -s.gmv_swing_clear,
                    s.gmv_sustain_s, make("down")),
            Reading("gmv_swing", "up", change, change >= s.gmv_swing, change < s.gmv_swing_clear,
                    s.gmv_sustain_s, make("up")),
        ]

    def _sku_add_to_cart_low(self, v: LiveView) -> list[Reading]:
        s = self.settings
        skus = v.skus_window(s.sku_window_s) or {}
        out = []
        for sku, k in skus.items():
            if self.sold_out(sku):
                continue   # nothing to add to a cart: not the talk track's fault (and no alert to clear it by)
            ok = k.clicks >= s.sku_min_clicks and k.add_to_cart_rate is not None
            val = k.add_to_cart_rate if ok else None

            def make(k=k, val=val) -> Alert:
                return Alert(rule="sku_add_to_cart_low", severity="warning", source="metrics", sku=k.sku,
                             title=f"{k.sku}: add-to-cart {fmt_rate(val)} "
                                   f"(below {fmt_rate(s.sku_add_to_cart_min, 0)})",
                             detail=f"{k.add_to_cart} add-to-cart of {k.clicks} clicks "
                                    f"in {round(s.sku_window_s / 60)} min",
                             values={"add_to_cart_rate": val, "clicks": k.clicks, "add_to_cart": k.add_to_cart,
                                     "threshold": s.sku_add_to_cart_min},
                             suggestion="demo the product again, show the offer, or switch products")
            out.append(Reading("sku_add_to_cart_low", sku, val, val is not None and val < s.sku_add_to_cart_min,
                               val is not None and val >= s.sku_add_to_cart_clear, s.sku_sustain_s, make))
        return out

    def _viewers_drop(self, v: LiveView) -> list[Reading]:
        s = self.settings
        peak, now_online = v.online_peak(s.viewers_window_s)
        if peak is None or now_online is None or peak < s.viewers_min_online or v.elapsed_s() < 10:
            return [Reading("viewers_drop", "", None, False, False, s.viewers_sustain_s)]
        drop = (peak - now_online) / peak

        def make() -> Alert:
            return Alert(rule="viewers_drop", severity="critical" if drop >= s.viewers_drop_critical else "warning",
                         source="metrics", to_cue=True,
                         title=f"Viewers down {drop * 100:.0f} % in {round(s.viewers_window_s / 60)} min "
                               f"({peak:,} → {now_online:,})",
                         values={"drop": drop, "peak": peak, "online": now_online, "window_s": s.viewers_window_s},
                         suggestion="launch a lucky bag 福袋 to hold viewers")
        return [Reading("viewers_drop", "", drop, drop > s.viewers_drop, drop < s.viewers_drop_clear,
                        s.viewers_sustain_s, make)]

    def _uv_value_low(self, v: LiveView) -> list[Reading]:
        s = self.settings
        fig = self.category_uv_value
        k = v.show()
        if not fig or v.elapsed_s() < s.uv_value_min_elapsed_s or k.unique_viewers < s.uv_value_min_viewers \
                or k.uv_value is None:
            return [Reading("uv_value_low", "", None, False, False, s.uv_value_sustain_s)]
        val = k.uv_value

        def make() -> Alert:
            return Alert(rule="uv_value_low", severity="warning", source="metrics",
                         title=f"UV value {fmt_yuan(val)} below the category figure {fmt_yuan(fig)}",
                         values={"uv_value": val, "category": fig, "gmv": k.gmv, "viewers": k.unique_viewers},
                         suggestion="raise the average order: bundles, add-ons, a hero product")
        return [Reading("uv_value_low", "", val, val < fig, val >= fig * (1 + s.uv_value_clear_margin),
                        s.uv_value_sustain_s, make)]

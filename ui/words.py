"""Words for the core's codes: the core emits rule ids, states and event kinds with their numbers; this
module turns them into sentences in the current language. One place, so the feed, the tickets, the
banners, the status strip and the cue screen say the same thing the same way.

Every English source string is marked for Qt Linguist (context "Words"); placeholders are Python's.
An unknown code is shown as the code itself: better a raw key than a silent gap (and the zh_CN test
catches it).
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP

from controlroom.commerce.money import format_money
from ui.i18n import translate


def w(text: str) -> str:
    """Translate a marked table entry (QT_TRANSLATE_NOOP("Words", …)); literals call translate("Words", …)."""
    return translate("Words", text)


# ---- money, numbers, times ---------------------------------------------------------------------------
def yuan(fen: int | None) -> str:
    """¥1,299.00 (grouped, the unit in front; a dash for nothing)."""
    if fen is None:
        return "—"
    s = format_money(int(fen), grouping=True)
    return "-¥" + s[1:] if s.startswith("-") else "¥" + s


def plain_yuan(fen: int | None) -> str:
    """69.00 (no unit: for "69.00 → 59.00 元")."""
    return "—" if fen is None else format_money(int(fen), grouping=True)


def pct(x: float | None, digits: int = 1, signed: bool = False) -> str:
    if x is None:
        return "—"
    return f"{x:+.{digits}f} %" if signed else f"{x:.{digits}f} %"


def clock_text(seconds: float | None) -> str:
    """m:ss or h:mm:ss of a length (never signed)."""
    if seconds is None:
        return "—"
    s = int(round(abs(float(seconds))))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def off_list_words(pct_off: float | None) -> tuple[str, bool]:
    """("35.0 % off list", False) or ("+434.9 % ABOVE list", True): a price above its list price is a markup,
    never a negative discount."""
    if pct_off is None:
        return "—", False
    if pct_off < 0:
        return translate("Words", "+{pct} ABOVE the list price").format(pct=pct(-pct_off)), True
    return translate("Words", "{pct} off").format(pct=pct(pct_off)), False


def offset_words(offset_s: float | None) -> tuple[str, str]:
    """How far the show is from its plan, the same on the strip and the run-of-show panel:
    ("2:32 behind", "behind") / ("2:32 ahead", "ahead") / ("on time", "on_time"); no sign — the word says it."""
    if offset_s is None or abs(offset_s) < 1:
        return translate("Words", "on time"), "on_time"
    if offset_s > 0:
        return translate("Words", "{t} behind").format(t=clock_text(offset_s)), "behind"
    return translate("Words", "{t} ahead").format(t=clock_text(offset_s)), "ahead"


# ---- states ------------------------------------------------------------------------------------------
STREAM_STATES = {
    "STANDBY": QT_TRANSLATE_NOOP("Words", "Standby (not streaming)"),
    "ON_PRIMARY": QT_TRANSLATE_NOOP("Words", "On primary"),
    "FAILING_OVER": QT_TRANSLATE_NOOP("Words", "Failing over…"),
    "ON_BACKUP": QT_TRANSLATE_NOOP("Words", "ON BACKUP"),
    "RETURNING": QT_TRANSLATE_NOOP("Words", "Returning to primary…"),
    "NOT_CONFIGURED": QT_TRANSLATE_NOOP("Words", "Stream guard not configured"),
    "WAITING": QT_TRANSLATE_NOOP("Words", "Waiting for the show to start"),
}
LEVELS = {
    "HEALTHY": QT_TRANSLATE_NOOP("Words", "HEALTHY"), "DEGRADED": QT_TRANSLATE_NOOP("Words", "DEGRADED"),
    "FAILED": QT_TRANSLATE_NOOP("Words", "FAILED"), "UNKNOWN": QT_TRANSLATE_NOOP("Words", "UNKNOWN"),
    "IDLE": QT_TRANSLATE_NOOP("Words", "IDLE"),
}
SIGNALS = {
    "link": QT_TRANSLATE_NOOP("Words", "Link"), "output": QT_TRANSLATE_NOOP("Words", "Output"),
    "bitrate": QT_TRANSLATE_NOOP("Words", "Bitrate"), "congestion": QT_TRANSLATE_NOOP("Words", "Congestion"),
    "frames": QT_TRANSLATE_NOOP("Words", "Dropped frames"), "render": QT_TRANSLATE_NOOP("Words", "Render"),
    "picture": QT_TRANSLATE_NOOP("Words", "Picture"), "probe": QT_TRANSLATE_NOOP("Words", "Viewer probe"),
}
METHODS = {
    "backup_encoder": QT_TRANSLATE_NOOP("Words", "backup encoder"),
    "backup_ingest": QT_TRANSLATE_NOOP("Words", "backup ingest"),
    "backup_scene": QT_TRANSLATE_NOOP("Words", "backup scene"),
    "manual": QT_TRANSLATE_NOOP("Words", "manual"),
}
ROLES = {"primary": QT_TRANSLATE_NOOP("Words", "primary"), "backup": QT_TRANSLATE_NOOP("Words", "backup")}
RUN_STATUS = {
    "idle": QT_TRANSLATE_NOOP("Words", "not started"), "running": QT_TRANSLATE_NOOP("Words", "running"),
    "paused": QT_TRANSLATE_NOOP("Words", "paused"), "ended": QT_TRANSLATE_NOOP("Words", "ended"),
}
MESSAGE_STYLES = {
    "normal": QT_TRANSLATE_NOOP("Words", "normal"), "blink": QT_TRANSLATE_NOOP("Words", "blink"),
    "blackout": QT_TRANSLATE_NOOP("Words", "blackout"),
}
SEGMENT_KINDS = {   # the run-of-show's segment kinds (controlroom.rundown.model.KINDS)
    "opening": QT_TRANSLATE_NOOP("Words", "opening"), "product": QT_TRANSLATE_NOOP("Words", "product"),
    "interaction": QT_TRANSLATE_NOOP("Words", "interaction"), "benefit": QT_TRANSLATE_NOOP("Words", "giveaway"),
    "qa": QT_TRANSLATE_NOOP("Words", "Q&A"), "closing": QT_TRANSLATE_NOOP("Words", "closing"),
    "break": QT_TRANSLATE_NOOP("Words", "buffer"),
}
FUNNEL = {
    "impressions": QT_TRANSLATE_NOOP("Words", "impressions"), "room entries": QT_TRANSLATE_NOOP("Words", "room entries"),
    "product clicks": QT_TRANSLATE_NOOP("Words", "product clicks"), "add to cart": QT_TRANSLATE_NOOP("Words", "add to cart"),
    "orders": QT_TRANSLATE_NOOP("Words", "orders"), "paid": QT_TRANSLATE_NOOP("Words", "paid"),
}
SEVERITIES = {"info": QT_TRANSLATE_NOOP("Words", "info"), "warning": QT_TRANSLATE_NOOP("Words", "warning"),
              "critical": QT_TRANSLATE_NOOP("Words", "critical")}
ACTORS = {
    "operator": QT_TRANSLATE_NOOP("Words", "operator"), "system": QT_TRANSLATE_NOOP("Words", "system"),
    "sample-show": QT_TRANSLATE_NOOP("Words", "sample show"), "breaker": QT_TRANSLATE_NOOP("Words", "breaker"),
    "guard": QT_TRANSLATE_NOOP("Words", "stream guard"), "rundown": QT_TRANSLATE_NOOP("Words", "run of show"),
    "metrics": QT_TRANSLATE_NOOP("Words", "metrics"), "console": QT_TRANSLATE_NOOP("Words", "console"),
    "stream": QT_TRANSLATE_NOOP("Words", "stream guard"), "supervisor": QT_TRANSLATE_NOOP("Words", "supervisor"),
    "control-api": QT_TRANSLATE_NOOP("Words", "control API"), "host": QT_TRANSLATE_NOOP("Words", "host"),
    "comments": QT_TRANSLATE_NOOP("Words", "comment room"), "rehearsal": QT_TRANSLATE_NOOP("Words", "rehearsal"),
    "simulator": QT_TRANSLATE_NOOP("Words", "simulated room"),
}


def word_for(table: dict[str, str], code: Any) -> str:
    """The word for a code from one of the tables above, the code itself when there is none."""
    if code is None or code == "":
        return ""
    text = table.get(str(code))
    return w(text) if text else str(code)


def actor_word(actor: str | None) -> str:
    return word_for(ACTORS, actor) if actor in ACTORS else (actor or "")


def kind_word(kind: str | None) -> str:
    return word_for(SEGMENT_KINDS, kind)


# ---- interlock rules -----------------------------------------------------------------------------------
def finding_words(rule: str, values: dict[str, Any] | None, settings: Any = None) -> str:
    """One tripped rule in words, with the numbers that tripped it."""
    v = values or {}
    g = v.get
    if rule == "invalid_input":
        return translate("Words", "a value could not be read: {field}").format(field=word_for(FIELDS, g("field") or "?"))
    if rule == "net_price_nonpositive":
        return translate("Words", "net price {net} after every discount is not above zero").format(net=yuan(g("net_price")))
    if rule == "below_floor":
        net, floor = g("net_price"), g("floor")
        return translate("Words", "net price {net} is below the floor {floor} by {gap}").format(
            net=yuan(net), floor=yuan(floor), gap=yuan(floor - net) if None not in (net, floor) else "—")
    if rule == "above_list":
        return translate("Words", "price {price} is above the list price {list}").format(price=yuan(g("price")),
                                                                      list=yuan(g("list_price")))
    if rule in ("discount_over_70", "discount_50_70"):
        limit = getattr(settings, "max_discount_pct", 70) if rule == "discount_over_70" else \
            getattr(settings, "confirm_discount_pct", 50)
        text = (translate("Words", "{pct} off list ({net} against {list}): deeper than {limit} %") if rule == "discount_over_70"
                else translate("Words", "{pct} off list ({net} against {list}): {limit} % or more off needs a second look"))
        return text.format(pct=pct(g("pct_off")), net=yuan(g("net_price")), list=yuan(g("list_price")), limit=limit)
    if rule == "power_of_ten_change":
        up = (g("new") or 0) > (g("old") or 0)
        text = translate("Words", "new price {new} is ≈{f}× above the current {old}: a shifted decimal point or 元/分 mix-up?") if up \
            else translate("Words", "new price {new} is ≈{f}× below the current {old}: a shifted decimal point or 元/分 mix-up?")
        return text.format(new=yuan(g("new")), old=yuan(g("old")), f=_factor(g("factor")))
    if rule == "price_band":
        band = getattr(settings, "price_band_pct", 50)
        return translate("Words", "one step moves the price {pct} ({old} → {new}); the band is ±{band} %").format(
            pct=pct(g("pct")), old=yuan(g("old")), new=yuan(g("new")), band=band)
    if rule == "coupon_no_min_no_cap":
        return translate("Words", "a coupon of {amount} off with no minimum spend and no quantity cap").format(amount=yuan(g("amount")))
    if rule == "coupon_amount_ge_threshold":
        return translate("Words", "coupon {amount} off is at least its minimum spend {threshold}: the item becomes free").format(
            amount=yuan(g("amount")), threshold=yuan(g("threshold")))
    if rule == "list_no_stock":
        stock = g("stock")
        return translate("Words", "listing with no stock ({stock})").format(stock=stock if stock is not None else translate("Words", "unknown"))
    if rule == "offer_qty_over_stock":
        return translate("Words", "offer quantity {qty} is above stock {stock}").format(qty=g("offer_qty"), stock=g("stock"))
    if rule == "tiers_over_3":
        return translate("Words", "{n} price tiers: more than 3 confuse viewers and stack into mistakes").format(n=g("tiers"))
    if rule == "bundle_over_85":
        price, items = g("price"), g("items_sum")
        share = 100.0 * price / items if price and items else None
        return translate("Words", "bundle at {price} is {share} of its items' sum {items} (should be below 85 %)").format(
            price=yuan(price), share=pct(share), items=yuan(items))
    if rule == "gift_ratio":
        gift, price = g("gift_value"), g("price")
        share = 100.0 * gift / price if gift is not None and price else None
        return translate("Words", "gift worth {gift} is {share} of the item's {price} (expected 15–25 %)").format(
            gift=yuan(gift), share=pct(share), price=yuan(price))
    if rule == "banned_terms":
        terms = "、".join(f"“{t}”" for t in (g("terms") or []))
        return translate("Words", "banned absolute terms: {terms}").format(terms=terms)
    if rule == "duplicate_sku":
        return translate("Words", "the same SKU twice with different prices")
    if rule == "sku_locked":
        return translate("Words", "the product is locked until someone checks it at the shop and unlocks it")
    if rule == "plan_blocked":
        return translate("Words", "its row in the price plan is blocked: fix the plan and import it again")
    if rule == "journal_unavailable":
        return translate("Words", "the journal cannot be written: nothing is sent until it can")
    if rule == "no_floor":
        return translate("Words", "no floor price or cost is known for it: the net price cannot be checked against a "
                                  "floor")
    if rule == "lucky_bag_running":
        return translate("Words", "a lucky bag is still running: end it first")
    text = RULE_NAMES.get(rule)
    return w(text) if text else rule


FIELDS = {   # the console's field codes (invalid_input names the one it could not read)
    "price": QT_TRANSLATE_NOOP("Words", "price"), "list_price": QT_TRANSLATE_NOOP("Words", "list price"),
    "live_price": QT_TRANSLATE_NOOP("Words", "live price"), "cost": QT_TRANSLATE_NOOP("Words", "cost"),
    "floor_price": QT_TRANSLATE_NOOP("Words", "floor price"), "stock": QT_TRANSLATE_NOOP("Words", "stock"),
    "offer_price": QT_TRANSLATE_NOOP("Words", "flash price"), "offer_qty": QT_TRANSLATE_NOOP("Words", "offer quantity"),
    "offer": QT_TRANSLATE_NOOP("Words", "flash offer"), "per_buyer_limit": QT_TRANSLATE_NOOP("Words", "per-buyer limit"),
    "sku": QT_TRANSLATE_NOOP("Words", "product"), "coupon": QT_TRANSLATE_NOOP("Words", "coupon"),
    "coupon_qty": QT_TRANSLATE_NOOP("Words", "coupon quantity"),
    "displayed_stock": QT_TRANSLATE_NOOP("Words", "shown stock"),
    "prize": QT_TRANSLATE_NOOP("Words", "prize"), "passphrase": QT_TRANSLATE_NOOP("Words", "passphrase"),
    "countdown_s": QT_TRANSLATE_NOOP("Words", "countdown"), "winners": QT_TRANSLATE_NOOP("Words", "winners"),
    "substitute": QT_TRANSLATE_NOOP("Words", "substitute"),
}

RULE_NAMES = {   # the rule in a few words (banners, the feed's short form)
    "invalid_input": QT_TRANSLATE_NOOP("Words", "unreadable value"),
    "net_price_nonpositive": QT_TRANSLATE_NOOP("Words", "net price zero or less"),
    "below_floor": QT_TRANSLATE_NOOP("Words", "below the floor price"),
    "above_list": QT_TRANSLATE_NOOP("Words", "above the list price"),
    "discount_over_70": QT_TRANSLATE_NOOP("Words", "discount too deep"),
    "discount_50_70": QT_TRANSLATE_NOOP("Words", "deep discount"),
    "power_of_ten_change": QT_TRANSLATE_NOOP("Words", "≈10× price change"),
    "price_band": QT_TRANSLATE_NOOP("Words", "price step too large"),
    "coupon_no_min_no_cap": QT_TRANSLATE_NOOP("Words", "coupon without minimum or cap"),
    "coupon_amount_ge_threshold": QT_TRANSLATE_NOOP("Words", "coupon makes the item free"),
    "list_no_stock": QT_TRANSLATE_NOOP("Words", "no stock"),
    "offer_qty_over_stock": QT_TRANSLATE_NOOP("Words", "offer quantity above stock"),
    "duplicate_sku": QT_TRANSLATE_NOOP("Words", "duplicate SKU"),
    "sku_locked": QT_TRANSLATE_NOOP("Words", "product locked"),
    "plan_blocked": QT_TRANSLATE_NOOP("Words", "blocked in the price plan"),
    "journal_unavailable": QT_TRANSLATE_NOOP("Words", "journal cannot be written"),
    "no_floor": QT_TRANSLATE_NOOP("Words", "no floor known"),
    "tiers_over_3": QT_TRANSLATE_NOOP("Words", "too many price tiers"),
    "bundle_over_85": QT_TRANSLATE_NOOP("Words", "bundle discount too small"),
    "gift_ratio": QT_TRANSLATE_NOOP("Words", "gift value out of range"),
    "banned_terms": QT_TRANSLATE_NOOP("Words", "banned terms"),
    "lucky_bag_running": QT_TRANSLATE_NOOP("Words", "a lucky bag is running"),
}


def rule_name(rule: str) -> str:
    base = rule.split(":", 1)[0]
    text = RULE_NAMES.get(base)
    return w(text) if text else rule


def _factor(f: Any) -> str:
    """The power of ten a ratio is near (the rule trips within a tolerance of 10×, 100×, 1000×)."""
    import math
    try:
        return f"{10 ** max(1, round(math.log10(float(f)))):g}"
    except (TypeError, ValueError):
        return "10"


VERDICTS = {"allow": QT_TRANSLATE_NOOP("Words", "ALLOWED"), "confirm": QT_TRANSLATE_NOOP("Words", "CONFIRM"),
            "block": QT_TRANSLATE_NOOP("Words", "BLOCKED")}


# ---- console actions -----------------------------------------------------------------------------------
TitleOf = Callable[[str], str]


class ProductTitles:
    """A `TitleOf` for the screens that name products: SKU → title from the console, remembered once known
    (a title does not change during a show; the feed and the comment list ask for it on every paint)."""

    def __init__(self, rt: Any) -> None:
        self.rt = rt
        self._titles: dict[str, str] = {}

    def __call__(self, sku: str) -> str:
        title = self._titles.get(sku)
        if title is None:
            p = self.rt.console.product(sku) if self.rt.console is not None else None
            title = p.title if p is not None else ""
            if title:
                self._titles[sku] = title
        return title


def _product(sku: str | None, title_of: TitleOf | None) -> str:
    if not sku:
        return ""
    title = title_of(sku) if title_of else ""
    return f"{sku} {title}".strip()


ACTION_VERBS = {
    "list": QT_TRANSLATE_NOOP("Words", "List"), "unlist": QT_TRANSLATE_NOOP("Words", "Unlist"),
    "price": QT_TRANSLATE_NOOP("Words", "Change price"), "revert": QT_TRANSLATE_NOOP("Words", "Revert price"),
    "offer_start": QT_TRANSLATE_NOOP("Words", "Start flash offer"),
    "offer_stop": QT_TRANSLATE_NOOP("Words", "Stop flash offer"),
    "coupon_issue": QT_TRANSLATE_NOOP("Words", "Issue coupon"), "coupon_stop": QT_TRANSLATE_NOOP("Words", "Stop coupon"),
    "pin": QT_TRANSLATE_NOOP("Words", "Explain"), "displayed_stock": QT_TRANSLATE_NOOP("Words", "Show stock"),
    # the typed commands' kinds (controlroom.commerce.commands)
    "offer": QT_TRANSLATE_NOOP("Words", "Start flash offer"), "coupon": QT_TRANSLATE_NOOP("Words", "Issue coupon"),
    "stock": QT_TRANSLATE_NOOP("Words", "Show stock"), "restore": QT_TRANSLATE_NOOP("Words", "Restore price"),
    "gift": QT_TRANSLATE_NOOP("Words", "Set gift value"), "bundle": QT_TRANSLATE_NOOP("Words", "Set bundle value"),
    "lucky_bag": QT_TRANSLATE_NOOP("Words", "Start lucky bag"), "lucky_bag_end": QT_TRANSLATE_NOOP("Words", "Draw lucky bag"),
    "substitute": QT_TRANSLATE_NOOP("Words", "Switch to the substitute"),
}
COMMAND_KINDS = {"offer": "offer_start", "coupon": "coupon_issue", "stock": "displayed_stock", "restore": "revert"}


def action_words(kind: str, sku: str | None = None, *, price: int | None = None, before: int | None = None,
                 duration_s: float | None = None, qty: int | None = None, coupon: dict | None = None,
                 coupon_id: str | None = None, shown: int | None = None, title_of: TitleOf | None = None) -> str:
    """"Change price LIP-001 丝绒口红 69.00 → 59.00 元" — what an action does, for tickets and the feed."""
    verb = word_for(ACTION_VERBS, kind)
    kind = COMMAND_KINDS.get(kind, kind)
    prod = _product(sku, title_of)
    unit = translate("Words", "yuan")
    if kind in ("price", "revert"):
        if price is None:
            return f"{verb} {prod}".strip()
        move = (f"{plain_yuan(before)} → {plain_yuan(price)} {unit}" if before is not None
                else f"→ {plain_yuan(price)} {unit}")
        return f"{verb} {prod} {move}".strip()
    if kind == "offer_start":
        text = f"{verb} {prod} {plain_yuan(price)} {unit}" if price is not None else f"{verb} {prod}"
        if duration_s:
            text += " · " + clock_text(duration_s)
        if qty:
            text += " · " + translate("Words", "{n} units").format(n=qty)
        return text
    if kind == "coupon_issue" and coupon:
        return f"{verb} {coupon_words(coupon)}" + (f" · {prod}" if prod else " · " + translate("Words", "shop-wide"))
    if kind == "coupon_stop":
        return f"{verb} {coupon_id or ''}".strip()
    if kind == "pin" and not sku:
        return translate("Words", "Stop explaining")
    if kind == "displayed_stock":
        return f"{verb} {prod} · " + translate("Words", "only {n} left").format(n=shown)
    return f"{verb} {prod}".strip()


def coupon_words(spec: dict) -> str:
    thr, amt, qty = spec.get("threshold") or 0, spec.get("amount"), spec.get("total_qty")
    text = (translate("Words", "{amount} off over {threshold}").format(amount=yuan(amt), threshold=yuan(thr)) if thr
            else translate("Words", "{amount} off, no minimum").format(amount=yuan(amt)))
    if qty:
        text += " · " + translate("Words", "{n} coupons").format(n=qty)
    return text


def action_from(action: Any, title_of: TitleOf | None = None, before: int | None = None) -> str:
    """action_words for a console Action-like object (kind, sku, price, duration_s, qty, coupon, …)."""
    g = lambda k: getattr(action, k, None)  # noqa: E731
    if g("kind") in ("lucky_bag", "lucky_bag_end", "substitute"):
        return room_action_words({k: g(k) for k in ("kind", "prize", "winners", "countdown_s", "passphrase",
                                                    "follow_required", "bag_id", "sku", "substitute")}, title_of)
    coupon = g("coupon") if g("coupon") is not None else g("spec")
    if coupon is not None and not isinstance(coupon, dict):
        coupon = {k: getattr(coupon, k, None) for k in ("threshold", "amount", "total_qty", "sku")}
    sku = g("sku") if g("sku") is not None else (coupon or {}).get("sku")
    qty = g("qty") if g("qty") is not None else g("quantity")
    return action_words(g("kind"), sku, price=g("price"), before=before, duration_s=g("duration_s"),
                        qty=qty, coupon=coupon, coupon_id=g("coupon_id"), shown=g("shown"), title_of=title_of)


def room_action_words(c: dict, title_of: TitleOf | None = None) -> str:
    """A lucky bag or a sold-out switch in words: "Start lucky bag 口红正装一支 × 3 · 5:00 · 关注 + 口令「冲」"."""
    kind = c.get("kind")
    verb = word_for(ACTION_VERBS, kind)
    if kind == "lucky_bag":
        cond = translate("Words", "follow + comment") if c.get("follow_required") else translate("Words", "comment")
        return f"{verb} {c.get('prize') or ''} × {c.get('winners') or 1} · {clock_text(c.get('countdown_s'))} · " \
               f"{cond}「{c.get('passphrase') or ''}」"
    if kind == "lucky_bag_end":
        return f"{verb} {c.get('bag_id') or ''}".strip()
    if not c.get("substitute"):
        return translate("Words", "Sold-out line off")
    return f"{verb}: {_product(c.get('sku'), title_of)} → {_product(c.get('substitute'), title_of)}"


# ---- alerts -------------------------------------------------------------------------------------------
SAFETY_RULES = ("breaker_order_rate", "breaker_sale_below_floor", "breaker_offer_over_quantity", "readback_mismatch",
                "sku_uncertain", "action_uncertain", "overrides_locked", "plan_unreadable",
                "stream_failover_failed", "stream_return_failed", "stream_no_remedy", "stream_held",
                "stream_second_encoder_failed",
                "stream_failover", "journal_error", "action_failed")


NEEDS_VALUES = {
    "conversion_low": ("conversion", "threshold"), "gmv_swing": ("change", "gmv_now", "gmv_before"),
    "sku_add_to_cart_low": ("add_to_cart_rate", "threshold"), "viewers_drop": ("drop", "peak", "online"),
    "uv_value_low": ("uv_value", "category"), "breaker_order_rate": ("orders", "allowed"),
    "breaker_sale_below_floor": ("avg_price", "floor"),
    "complaint_burst": ("complaints", "window_s"), "question_recurring": ("topic", "askers", "window_s"),
    "sku_sold_out": ("stock",), "sku_low_stock": ("stock",),
}

QUESTION_TOPICS = {   # controlroom.comments.classify
    "size": QT_TRANSLATE_NOOP("Words", "size"), "shade": QT_TRANSLATE_NOOP("Words", "shade"),
    "price": QT_TRANSLATE_NOOP("Words", "price"), "shipping": QT_TRANSLATE_NOOP("Words", "shipping"),
    "after_sales": QT_TRANSLATE_NOOP("Words", "after-sales"), "other": QT_TRANSLATE_NOOP("Words", "other"),
}
COMPLAINT_TOPICS = {
    "quality": QT_TRANSLATE_NOOP("Words", "quality"), "shipping_slow": QT_TRANSLATE_NOOP("Words", "slow shipping"),
    "fake": QT_TRANSLATE_NOOP("Words", "fakes"), "refund": QT_TRANSLATE_NOOP("Words", "refunds"),
    "price_up": QT_TRANSLATE_NOOP("Words", "a price rise"),
}
COMMENT_KINDS = {
    "question": QT_TRANSLATE_NOOP("Words", "question"), "complaint": QT_TRANSLATE_NOOP("Words", "complaint"),
    "praise": QT_TRANSLATE_NOOP("Words", "praise"), "spam": QT_TRANSLATE_NOOP("Words", "spam"),
    "entry": QT_TRANSLATE_NOOP("Words", "lucky bag entry"), "chatter": QT_TRANSLATE_NOOP("Words", "chat"),
}


def alert_title(rule: str, values: dict | None, sku: str | None = None, title_of: TitleOf | None = None,
                fallback: str = "") -> str:
    """The alert's headline in the current language, from its rule and numbers."""
    v = values or {}
    g = v.get
    if rule in NEEDS_VALUES and not all(k in v for k in NEEDS_VALUES[rule]):
        return fallback or rule      # an alert raised without its numbers: its own words are all there is
    prod = _product(sku or g("sku"), title_of)
    minutes = lambda s: round((s or 0) / 60)  # noqa: E731
    if rule == "conversion_low":
        return translate("Words", "Conversion {rate} over the last {m} min (below {min})").format(
            rate=pct((g("conversion") or 0) * 100), m=minutes(g("window_s")), min=pct((g("threshold") or 0) * 100, 0))
    if rule == "gmv_swing":
        ch = abs(g("change") or 0) * 100
        text = translate("Words", "GMV dropped {pct} in the last {m} min ({now} vs {before})") if g("direction") == "down" \
            else translate("Words", "GMV jumped {pct} in the last {m} min ({now} vs {before})")
        return text.format(pct=pct(ch, 0), m=minutes(g("window_s")), now=yuan(g("gmv_now")),
                           before=yuan(g("gmv_before")))
    if rule == "sku_add_to_cart_low":
        return translate("Words", "{product}: add-to-cart {rate} (below {min})").format(
            product=prod, rate=pct((g("add_to_cart_rate") or 0) * 100), min=pct((g("threshold") or 0) * 100, 0))
    if rule == "viewers_drop":
        return translate("Words", "Viewers down {pct} in {m} min ({peak} → {now})").format(
            pct=pct((g("drop") or 0) * 100, 0), m=minutes(g("window_s")), peak=f"{g('peak') or 0:,}",
            now=f"{g('online') or 0:,}")
    if rule == "uv_value_low":
        return translate("Words", "UV value {value} below the category figure {category}").format(
            value=yuan(g("uv_value")), category=yuan(g("category")))
    if rule == "breaker_order_rate":
        return translate("Words", "CIRCUIT BREAKER on {product}: {orders} orders in {s} s, more than {allowed} allowed").format(
            product=prod, orders=g("orders"), s=f"{g('window_s') or 0:g}", allowed=f"{g('allowed') or 0:g}")
    if rule == "breaker_sale_below_floor":
        return translate("Words", "CIRCUIT BREAKER on {product}: sold at {price}, below the floor {floor}").format(
            product=prod, price=yuan(g("avg_price")), floor=yuan(g("floor")))
    if rule == "breaker_offer_over_quantity":
        return translate("Words", "CIRCUIT BREAKER on {product}: the offer sold {sold}, more than its {quantity}").format(
            product=prod, sold=g("sold") if g("sold") is not None else "—",
            quantity=g("quantity") if g("quantity") is not None else "—")
    if rule == "action_uncertain":
        return translate("Words", "{product}: not known whether the last action applied; the product is locked").format(
            product=prod)
    if rule == "overrides_locked":
        return translate("Words", "Supervisor overrides locked after wrong PINs")
    if rule == "plan_unreadable":
        return translate("Words", "Price plan not imported: no floors or costs, so nothing can be judged")
    if rule == "plan_rows_blocked":
        return translate("Words", "Price plan: some products cannot be listed (see the feed)")
    if rule == "rundown_offer_blocked":
        return translate("Words", "Run of show: some countdown offers would be blocked (see the feed)")
    if rule == "readback_mismatch":
        return translate("Words", "READ-BACK MISMATCH on {product}: the shop shows something else; the product is locked").format(
            product=prod)
    if rule == "sku_uncertain":
        return translate("Words", "{product}: not known whether the last action applied; the product is locked").format(product=prod)
    if rule == "action_failed":
        what = action_words(g("action") or "", g("sku") or sku, price=g("price"), title_of=title_of) \
            if g("action") else prod
        return translate("Words", "Console action failed: {what}").format(what=what)
    if rule == "rundown_offer_failed":
        return translate("Words", "Countdown offer for {product} failed ({action})").format(product=prod, action=g("action") or "")
    if rule == "stream_failover":
        return translate("Words", "ON BACKUP: the stream failed over ({ms} ms)").format(ms=g("detect_to_switch_ms") or "—")
    if rule == "stream_failover_failed":
        return translate("Words", "FAILOVER FAILED: the backup did not go live")
    if rule == "stream_returned":
        return translate("Words", "Back on the primary stream")
    if rule == "stream_return_failed":
        return translate("Words", "RETURN TO PRIMARY FAILED: back on the backup")
    if rule == "stream_no_remedy":
        return translate("Words", "Stream FAILED and no failover applies")
    if rule == "stream_held":
        return translate("Words", "Primary FAILED: manual hold is on, not switching")
    if rule == "stream_alarm":
        return translate("Words", "Stream figures missing (UNKNOWN)")
    if rule == "stream_second_encoder":
        return translate("Words", "A second encoder went live and was stopped")
    if rule == "stream_second_encoder_failed":
        return translate("Words", "TWO ENCODERS ON AIR: the guard could not stop one")
    if rule == "journal_error":
        return translate("Words", "JOURNAL ERROR: actions cannot be recorded")
    if rule == "complaint_burst":
        ratio = g("ratio")
        text = translate("Words", "Complaints burst: {n} in {s} s, {x}× the show's usual — mostly {topic}") if ratio \
            else translate("Words", "Complaints burst: {n} in {s} s — mostly {topic}")
        return text.format(n=g("complaints"), s=f"{g('window_s') or 0:g}", x=f"{ratio or 0:.1f}",
                           topic=word_for(COMPLAINT_TOPICS, g("topic")))
    if rule == "question_recurring":
        text = translate("Words", "Viewers keep asking about {product}: {topic} ({n} viewers in {s} s)") if prod \
            else translate("Words", "Viewers keep asking: {topic} ({n} viewers in {s} s)")
        return text.format(product=prod, topic=word_for(QUESTION_TOPICS, g("topic")), n=g("askers"),
                           s=f"{g('window_s') or 0:g}")
    if rule == "sku_sold_out":
        if g("substitute_sku"):
            return translate("Words", "{product} SOLD OUT: switch to {substitute} (R)").format(
                product=prod, substitute=_product(g("substitute_sku"), title_of))
        return translate("Words", "{product} SOLD OUT").format(product=prod)
    if rule == "sku_low_stock":
        return translate("Words", "{product}: only {n} left").format(product=prod, n=g("stock"))
    return fallback or rule


ALERT_TODO = {
    "conversion_low": QT_TRANSLATE_NOOP("Words", "Push a price anchor or a coupon, restate the selling point."),
    "gmv_swing:down": QT_TRANSLATE_NOOP("Words", "Check stock, price and the product on screen."),
    "gmv_swing:up": QT_TRANSLATE_NOOP("Words", "Keep the current product on; check stock."),
    "sku_add_to_cart_low": QT_TRANSLATE_NOOP("Words", "Demo the product again, show the offer, or switch products."),
    "uv_value_low": QT_TRANSLATE_NOOP("Words", "Raise the average order: bundles, add-ons, a hero product."),
    "breaker_order_rate": QT_TRANSLATE_NOOP(
        "Words", "Sales were paused on it (its offer ended, its price put back, or taken off sale). Check its price "
                 "and coupons at the shop before selling it again."),
    "breaker_order_rate:held": QT_TRANSLATE_NOOP(
        "Words", "It sells far above the planned rate at its own price, with nothing to pause: it stays on sale. "
                 "Check stock and the plan; take it off sale yourself if this is wrong."),
    "breaker_sale_below_floor": QT_TRANSLATE_NOOP(
        "Words", "Sales were paused on it (its offer ended, its price put back, or taken off sale). Check its price "
                 "and coupons at the shop before selling it again."),
    "readback_mismatch": QT_TRANSLATE_NOOP(
        "Words", "Look at the product in the shop's back office, then unlock it in the console (Ctrl+U)."),
    "sku_uncertain": QT_TRANSLATE_NOOP(
        "Words", "Wait for the read-back, or look at the product in the shop's back office, then unlock it."),
    "action_uncertain": QT_TRANSLATE_NOOP(
        "Words", "Wait for the read-back, or look at the product in the shop's back office, then unlock it."),
    "breaker_offer_over_quantity": QT_TRANSLATE_NOOP(
        "Words", "The offer was stopped. Check the quantity and stock at the shop before selling on."),
    "overrides_locked": QT_TRANSLATE_NOOP("Words", "Wait until the lock ends; a supervisor checks who typed the PIN."),
    "plan_unreadable": QT_TRANSLATE_NOOP("Words", "Fix products.csv (floor or cost for every product) and import it "
                                                  "again; until then blocked products stay off sale."),
    "plan_rows_blocked": QT_TRANSLATE_NOOP("Words", "Fix those rows in products.csv and import the plan again."),
    "rundown_offer_blocked": QT_TRANSLATE_NOOP("Words", "Fix the offer prices in the run of show before the segment "
                                                        "starts, or run them by hand."),
    "action_failed": QT_TRANSLATE_NOOP("Words", "Nothing changed at the shop. Try again, or do it in the shop's "
                                                "back office."),
    "rundown_offer_failed": QT_TRANSLATE_NOOP("Words", "Start or stop the offer by hand in the console (O)."),
    "stream_failover": QT_TRANSLATE_NOOP("Words", "The host uses the stall talk track. Fix the primary, then "
                                                  "return (F10)."),
    "stream_failover_failed": QT_TRANSLATE_NOOP(
        "Words", "Viewers may see nothing. Check both encoders in OBS, start the backup by hand if you must, "
                 "and try F9 again."),
    "stream_return_failed": QT_TRANSLATE_NOOP("Words", "Stay on the backup. Check the primary encoder before "
                                                       "returning again (F10)."),
    "stream_no_remedy": QT_TRANSLATE_NOOP("Words", "No automatic switch fits this fault: fix it in OBS by hand."),
    "stream_held": QT_TRANSLATE_NOOP("Words", "Manual hold is on: fail over yourself (F9) or release the hold."),
    "stream_alarm": QT_TRANSLATE_NOOP("Words", "Look at OBS: the guard cannot see all of its figures."),
    "stream_second_encoder": QT_TRANSLATE_NOOP("Words", "Use RETURN (F10) to go back to that encoder; two must never "
                                                        "publish for one room."),
    "stream_second_encoder_failed": QT_TRANSLATE_NOOP("Words", "Stop the second encoder in OBS now; the guard keeps "
                                                               "trying."),
    "journal_error": QT_TRANSLATE_NOOP("Words", "Nothing is sent to the shop until the journal can be written. "
                                                "Free disk space or fix the data folder's permissions."),
    "viewers_drop": QT_TRANSLATE_NOOP("Words", "Launch a lucky bag 福袋 to hold viewers: press F."),
    "complaint_burst": QT_TRANSLATE_NOOP("Words", "Give the standard reply on air, then cut to the assistant's demo."),
    "question_recurring": QT_TRANSLATE_NOOP("Words", "Answer it once, for everyone (the comment list: A marks it "
                                                     "answered)."),
    "sku_sold_out": QT_TRANSLATE_NOOP("Words", "Press R: the substitute goes on sale and on screen with its talk "
                                               "track."),
    "sku_sold_out:none": QT_TRANSLATE_NOOP("Words", "Say it is gone and move to the next product."),
    "sku_low_stock": QT_TRANSLATE_NOOP("Words", "Announce 仅剩 N 件; R switches to the substitute when it is gone."),
}


def alert_todo(rule: str, values: dict | None = None) -> str:
    """What to do about an alert (the suggestion, in the current language)."""
    key = rule
    if rule == "gmv_swing":
        key = f"gmv_swing:{(values or {}).get('direction', 'down')}"
    elif rule == "breaker_order_rate" and (values or {}).get("does") == "nothing to pause":
        key = "breaker_order_rate:held"
    elif rule == "sku_sold_out" and not (values or {}).get("substitute_sku"):
        key = "sku_sold_out:none"
    text = ALERT_TODO.get(key)
    return w(text) if text else ""


def alert_of(payload: Any) -> dict:
    """An Alert (dataclass) or a journaled alert payload, as a dict."""
    if isinstance(payload, dict):
        return payload
    inner = getattr(payload, "payload", None)
    if isinstance(inner, dict):
        return inner
    return {k: getattr(payload, k, None) for k in ("rule", "severity", "title", "detail", "values", "source",
                                                  "sku", "suggestion", "to_cue", "alert_id")}


# ---- the stream, one reading for the strip and the panel ------------------------------------------------
def stream_headline(snap: dict | None) -> tuple[str, str]:
    """(level, words) for the stream guard's snapshot: the guard's state, made honest by the encoders' health.
    The guard can sit in ON_PRIMARY after a failed switch while both encoders are FAILED: then it says FAILED."""
    snap = snap or {}
    state = str(snap.get("state") or "NOT_CONFIGURED")
    if not snap.get("configured"):
        return "IDLE", word_for(STREAM_STATES, state)
    insts = snap.get("instances") or {}
    levels = {name: str(i.get("level") or "UNKNOWN") for name, i in insts.items()}
    failed = [n for n, lv in levels.items() if lv == "FAILED"]
    active = snap.get("active")
    base = word_for(STREAM_STATES, state)
    if state in ("FAILING_OVER", "RETURNING"):
        return "DEGRADED", base
    if state == "ON_BACKUP":
        return "FAILED", base
    if failed:
        names = "、".join(f"{n} ({word_for(ROLES, (insts[n] or {}).get('role'))})" for n in failed)
        if state == "ON_PRIMARY" and active in failed:
            return "FAILED", translate("Words", "Primary FAILED: {names}").format(names=names)
        return "FAILED", translate("Words", "{state} · FAILED: {names}").format(state=base, names=names)
    if state == "ON_PRIMARY":
        lv = levels.get(active or "", "UNKNOWN")
        return lv if lv in ("HEALTHY", "DEGRADED") else "UNKNOWN", base
    return "IDLE", base


# ---- the guard's signal words ("412 kbps", "frozen 3 s") in the current language --------------------------------
# The guard describes each signal with a short phrase from a closed set (controlroom/stream/signals.py); the numbers
# are kept, the words are translated. A phrase not in the set is shown as it is.
SIGNAL_WORDS = (
    (r"not connected yet", QT_TRANSLATE_NOOP("Words", "not connected yet")),
    (r"answering", QT_TRANSLATE_NOOP("Words", "answering")),
    (r"frozen: no answer ([\d.]+) s", QT_TRANSLATE_NOOP("Words", "frozen: no answer {0} s")),
    (r"lost ([\d.]+) s", QT_TRANSLATE_NOOP("Words", "lost {0} s")),
    (r"reconnecting ([\d.]+) s", QT_TRANSLATE_NOOP("Words", "reconnecting {0} s")),
    (r"reconnecting", QT_TRANSLATE_NOOP("Words", "reconnecting")),
    (r"stopped", QT_TRANSLATE_NOOP("Words", "stopped")),
    (r"live", QT_TRANSLATE_NOOP("Words", "live")),
    (r"standby", QT_TRANSLATE_NOOP("Words", "standby")),
    (r"no data", QT_TRANSLATE_NOOP("Words", "no data")),
    (r"measuring", QT_TRANSLATE_NOOP("Words", "measuring")),
    (r"flat ([\d.]+) s", QT_TRANSLATE_NOOP("Words", "no bytes for {0} s")),
    (r"low ([\d.]+) kbps", QT_TRANSLATE_NOOP("Words", "low {0} kbps")),
    (r"([\d.]+) kbps", QT_TRANSLATE_NOOP("Words", "{0} kbps")),
    (r"([\d.]+) % dropped", QT_TRANSLATE_NOOP("Words", "{0} % dropped")),
    (r"([\d.]+) % lagged", QT_TRANSLATE_NOOP("Words", "{0} % lagged")),
    (r"ok", QT_TRANSLATE_NOOP("Words", "ok")),
    (r"no screenshot", QT_TRANSLATE_NOOP("Words", "no screenshot")),
    (r"black ([\d.]+) s", QT_TRANSLATE_NOOP("Words", "black for {0} s")),
    (r"frozen ([\d.]+) s", QT_TRANSLATE_NOOP("Words", "frozen for {0} s")),
    (r"black", QT_TRANSLATE_NOOP("Words", "black")),
    (r"moving", QT_TRANSLATE_NOOP("Words", "moving")),
    (r"still", QT_TRANSLATE_NOOP("Words", "still")),
    (r"no probe yet", QT_TRANSLATE_NOOP("Words", "no probe yet")),
    (r"no frame yet", QT_TRANSLATE_NOOP("Words", "no frame yet")),
    (r"no frames ([\d.]+) s", QT_TRANSLATE_NOOP("Words", "no frames for {0} s")),
    (r"frames arriving", QT_TRANSLATE_NOOP("Words", "frames arriving")),
)


def signal_words(word: str) -> str:
    import re
    text = str(word or "").strip()
    if not text or text == "—" or re.fullmatch(r"[\d.]+", text):
        return text
    for pattern, source in SIGNAL_WORDS:
        m = re.fullmatch(pattern, text)
        if m:
            return translate("Words", source).format(*m.groups())
    return text


def reason_words(reason: str) -> str:
    """A guard's reason "bitrate: flat 3.0 s" in words: the signal's name and its phrase."""
    name, sep, word = str(reason).partition(": ")
    if sep and name in SIGNALS:
        return translate("Words", "{signal}: {state}").format(signal=word_for(SIGNALS, name), state=signal_words(word))
    return signal_words(reason)

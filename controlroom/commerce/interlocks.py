"""Mis-price interlocks: ONE engine, used live by the console and before the show by preflight.

Each rule has a stable id and a severity. `block` cannot go live without a supervisor override
(PIN + reason, journaled); `confirm` needs the operator to confirm a second time having seen the
net price and the reason. The engine is pure: it looks at the state viewers would meet after an
action (`Terms`) and, for a price change, the step from the current price (`Step`). It never calls
the platform, so the same code judges a CSV plan and a live click.

The net price is what the cheapest-paying buyer pays per unit after every stacked discount: the
running offer or live price, the deepest quantity tier, and the best applicable coupon(s), with the
basket grown to the smallest quantity that reaches a coupon's threshold (within the per-buyer
limit). Taking the worst case is deliberate: 1,699 元 washing machines went for 299 元 through
discounts that were each fine alone.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from controlroom.commerce.compliance import Hit, check_text
from controlroom.commerce.money import format_yuan
from controlroom.settings import setting

ALLOW, CONFIRM, BLOCK = "allow", "confirm", "block"
_RANK = {ALLOW: 0, CONFIRM: 1, BLOCK: 2}

# rule id -> (severity, what it protects against). The table is the documentation.
RULES: dict[str, tuple[str, str]] = {
    "invalid_input": (BLOCK, "a value could not be read or is out of range"),
    "net_price_nonpositive": (BLOCK, "net price after every discount is zero or less"),
    "below_floor": (BLOCK, "net price after every discount is below the floor price (or cost)"),
    "above_list": (BLOCK, "live price above the list (strikethrough) price"),
    "discount_over_70": (BLOCK, "deeper than 70 % off list without an approved deep discount"),
    "power_of_ten_change": (BLOCK, "new price ≈10× or 100× the current one: a shifted decimal point or 元/分 mix-up"),
    "price_band": (BLOCK, "one step moves the live price by more than the band"),
    "coupon_no_min_no_cap": (BLOCK, "coupon with no minimum spend and no quantity cap"),
    "coupon_amount_ge_threshold": (BLOCK, "coupon amount is at least its threshold"),
    "list_no_stock": (BLOCK, "listing with no stock"),
    "offer_qty_over_stock": (BLOCK, "offer quantity above stock"),
    "duplicate_sku": (BLOCK, "the same SKU twice with different prices"),
    "sku_locked": (BLOCK, "the SKU is locked (read-back mismatch, or an outcome not known yet) until it is settled"),
    "plan_blocked": (BLOCK, "the SKU's row in the price plan is blocked: it cannot be listed until the plan is fixed"),
    "journal_unavailable": (BLOCK, "the journal cannot be written: nothing is sent until it can"),
    "no_floor": (CONFIRM, "no floor price or cost is known for this SKU (not in the price plan)"),
    "discount_50_70": (CONFIRM, "50–70 % off list"),
    "tiers_over_3": (CONFIRM, "more than 3 price tiers"),
    "bundle_over_85": (CONFIRM, "bundle priced at 85 % or more of its items' sum"),
    "gift_ratio": (CONFIRM, "gift worth outside 15–25 % of the main item"),
    "banned_terms": (CONFIRM, "banned absolute terms (最, 第一, 全网最低价 …) in a title or cue text"),
}


@dataclass(frozen=True)
class InterlockSettings:
    """Settings section [interlocks]. Percentages are whole percent; money is never here. Each range is
    declared beside its field: settings.toml refuses anything outside it (nan included)."""
    price_band_pct: int = setting(50, min=1, max=1000)             # one step may move the live price by at most this
    max_discount_pct: int = setting(70, min=0, max=100)           # deeper off list blocks unless approved
    confirm_discount_pct: int = setting(50, min=0, max=100)       # from here to max_discount_pct: confirm
    power_of_ten_factors: tuple[int, ...] = setting((10, 100, 1000), items=int, min=2)
    power_of_ten_tolerance_pct: int = setting(10, min=0, max=50)  # ≈10× means within ±10 % of 10×
    max_tiers: int = setting(3, min=1, max=100)
    bundle_max_pct: int = setting(85, min=1, max=100)
    gift_min_pct: int = setting(15, min=0, max=100)
    gift_max_pct: int = setting(25, min=0, max=1000)
    # "all" (default): every coupon a buyer could hold stacks — the worst case, as in the Little Swan incident;
    # "best_per_scope": only the best SKU coupon plus the best shop-wide one (for platforms that forbid stacking)
    coupon_stacking: str = setting("all", choices=("all", "best_per_scope"))
    # live circuit breakers. Rate trips are measured against a plan only: the row's planned_orders_per_min,
    # this default, or a running offer's quantity over its duration. No plan, no rate trip.
    breaker_rate_multiple: float = setting(5.0, min=1.0, max=1000.0)   # orders above 5x the planned rate ...
    breaker_window_s: float = setting(60.0, min=1.0, max=3600.0)       # ... over 1 minute
    breaker_min_orders: int = setting(20, min=1)                        # and at least this many orders
    planned_orders_per_min: float = setting(0.0, min=0.0, max=1e6)     # default plan rate; 0 = no plan
    # what a tripped breaker does: "pause" (default) ends the running offer, back to the price before it,
    # or puts back the price before the last change; "unlist" takes the product off sale ("revert" = pause)
    pause_action: str = setting("pause", choices=("pause", "revert", "unlist"))
    # coupling with the stream guard
    pause_offers_on_failover: bool = True
    hold_coupons_on_failover: bool = True
    metrics_poll_s: float = setting(1.0, min=0.05, max=60.0)

    def __post_init__(self):
        if self.pause_action not in ("pause", "unlist", "revert"):
            raise ValueError(f"[interlocks] pause_action must be 'pause', 'unlist' or 'revert', "
                             f"got {self.pause_action!r}")
        if self.coupon_stacking not in ("best_per_scope", "all"):
            raise ValueError(f"[interlocks] coupon_stacking must be 'best_per_scope' or 'all', "
                             f"got {self.coupon_stacking!r}")
        if self.confirm_discount_pct > self.max_discount_pct:
            raise ValueError(f"[interlocks] confirm_discount_pct ({self.confirm_discount_pct}) must not be above "
                             f"max_discount_pct ({self.max_discount_pct})")
        if self.gift_min_pct > self.gift_max_pct:
            raise ValueError(f"[interlocks] gift_min_pct ({self.gift_min_pct}) must not be above gift_max_pct "
                             f"({self.gift_max_pct})")


@dataclass(frozen=True)
class Coupon:
    threshold: int                   # 分 minimum spend; 0 = none
    amount: int                      # 分 off
    total_qty: int | None = None     # None = unlimited
    per_buyer_limit: int | None = 1
    sku: str | None = None           # None = shop-wide
    coupon_id: str = ""


@dataclass(frozen=True)
class Tier:
    min_qty: int        # buying at least this many ...
    unit_price: int     # ... costs this per unit (分)
    label: str = ""


@dataclass(frozen=True)
class Terms:
    """One SKU as viewers would meet it after the action being judged."""
    sku: str
    list_price: int | None
    live_price: int | None
    title: str = ""
    cost: int | None = None
    floor_price: int | None = None
    stock: int | None = None
    per_buyer_limit: int | None = None
    approved_deep_discount: bool = False
    coupons: tuple[Coupon, ...] = ()
    tiers: tuple[Tier, ...] = ()
    offer_price: int | None = None
    offer_qty: int | None = None
    bundle_items_sum: int | None = None
    gift_value: int | None = None
    texts: tuple[str, ...] = ()
    invalid: tuple[tuple[str, str], ...] = ()   # (field, why) for inputs that could not be read

    @property
    def floor(self) -> int | None:
        return self.floor_price if self.floor_price is not None else self.cost

    @property
    def effective_price(self) -> int | None:
        return self.offer_price if self.offer_price is not None else self.live_price

    @property
    def quantity_cap(self) -> int | None:
        caps = [q for q in (self.offer_qty, self.stock) if q is not None]
        return min(caps) if caps else None

    @property
    def approved_exception(self) -> bool:
        """A planned loss leader 引流款 or 0.01 元 lucky draw: approved AND per-buyer limit AND quantity cap."""
        return (self.approved_deep_discount and self.per_buyer_limit is not None and self.per_buyer_limit > 0
                and self.quantity_cap is not None and self.quantity_cap > 0)


@dataclass(frozen=True)
class Step:
    """A change of the live price from `old` to `new`. `known_good`: going back to a price that was
    already checked (the plan's price, the price before the change being reverted)."""
    old: int
    new: int
    known_good: bool = False


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    message: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    verdict: str
    findings: tuple[Finding, ...]
    net_price: int | None
    list_price: int | None = None
    floor: int | None = None
    sku: str = ""

    @property
    def rules(self) -> list[str]:
        """Rule ids in order; an unreadable input adds "invalid_input:<field>" naming the field."""
        out: list[str] = []
        for f in self.findings:
            ids = [f.rule]
            if f.rule == "invalid_input" and f.values.get("field"):
                ids.append(f"invalid_input:{f.values['field']}")
            out += [i for i in ids if i not in out]
        return out

    @property
    def allowed(self) -> bool:
        return self.verdict == ALLOW

    @property
    def words(self) -> str:
        return "; ".join(f.message for f in self.findings) or "all interlocks pass"

    @property
    def pct_off(self) -> float | None:
        if self.net_price is None or not self.list_price:
            return None
        return 100.0 * (self.list_price - self.net_price) / self.list_price

    @property
    def margin(self) -> int | None:
        """分 left above the floor (cost) per unit at the net price; negative is a loss."""
        if self.net_price is None or self.floor is None:
            return None
        return self.net_price - self.floor

    def to_json(self) -> dict[str, Any]:
        return {"sku": self.sku, "verdict": self.verdict, "rules": self.rules, "net_price": self.net_price,
                "words": self.words,
                "findings": [{"rule": f.rule, "severity": f.severity, "message": f.message, "values": f.values}
                             for f in self.findings]}


def worst(*verdicts: str) -> str:
    return max(verdicts, key=_RANK.__getitem__, default=ALLOW)


def _y(fen: int | None) -> str:
    return "—" if fen is None else format_yuan(fen, grouping=True)


class InterlockEngine:
    def __init__(self, settings: InterlockSettings | None = None, text_checker=check_text):
        self.settings = settings or InterlockSettings()
        self._check_text = text_checker

    # ---- the net price --------------------------------------------------------------------
    def applicable_coupons(self, terms: Terms, basket: int) -> list[Coupon]:
        usable = [c for c in terms.coupons if c.sku in (None, terms.sku) and c.threshold <= basket
                  and c.amount > 0]
        if self.settings.coupon_stacking == "all":
            return usable
        best: list[Coupon] = []
        for scope in (terms.sku, None):
            in_scope = [c for c in usable if c.sku == scope]
            if in_scope:
                best.append(max(in_scope, key=lambda c: c.amount))
        return best

    def net_price(self, terms: Terms) -> int | None:
        """Lowest per-unit price any buyer can reach (分, rounded down), or None if unreadable."""
        p = terms.effective_price
        if p is None:
            return None
        limit = terms.per_buyer_limit if terms.per_buyer_limit and terms.per_buyer_limit > 0 else None
        # candidate (quantity, unit price) pairs: one unit at the live/offer price, each tier
        candidates = [(1, p)] + [(max(1, t.min_qty), min(t.unit_price, p)) for t in terms.tiers
                                 if limit is None or t.min_qty <= limit]
        # and for each coupon threshold, the smallest basket that reaches it
        for qty0, unit in list(candidates):
            for c in terms.coupons:
                if unit > 0 and c.threshold > qty0 * unit:
                    q = -(-c.threshold // unit)
                    if limit is None or q <= limit:
                        candidates.append((q, unit))
        best = None
        for qty, unit in candidates:
            basket = qty * unit
            off = sum(c.amount for c in self.applicable_coupons(terms, basket))
            per_unit = (basket - off) // qty  # floor division rounds toward the buyer: conservative
            best = per_unit if best is None else min(best, per_unit)
        return best

    # ---- the verdict ----------------------------------------------------------------------
    def evaluate(self, terms: Terms, *, step: Step | None = None, new_coupons: tuple[Coupon, ...] = (),
                 listing: bool = False, pricing: bool = True, texts: bool = True) -> Verdict:
        """Judge the state `terms` an action would produce.

        step: the live-price change (band / power-of-ten rules); new_coupons: coupons being issued
        (coupon rules); listing: the action puts the SKU on sale (stock rule); pricing: run the
        net-price and discount rules; texts: check the title and cue texts for banned terms."""
        s = self.settings
        out: list[Finding] = []

        def add(rule: str, message: str, **values: Any) -> None:
            out.append(Finding(rule, RULES[rule][0], message, values))

        for fld, why in terms.invalid:
            add("invalid_input", f"{fld}: {why}", field=fld)
        for fld, val in (("list_price", terms.list_price), ("live_price", terms.live_price),
                         ("cost", terms.cost), ("floor_price", terms.floor_price), ("stock", terms.stock),
                         ("offer_price", terms.offer_price), ("offer_qty", terms.offer_qty)):
            if val is not None and val < 0:
                add("invalid_input", f"{fld}: {val} is negative", field=fld, value=val)
        if terms.per_buyer_limit is not None and terms.per_buyer_limit < 0:
            add("invalid_input", f"per_buyer_limit: {terms.per_buyer_limit} is negative", field="per_buyer_limit")
        if pricing and terms.list_price is not None and terms.list_price <= 0 and not terms.invalid:
            add("invalid_input", f"list_price: {_y(terms.list_price)} must be above zero", field="list_price",
                value=terms.list_price)

        unreadable = {f for f, _ in terms.invalid} & {"live_price", "list_price", "offer_price"}
        net = None if unreadable else self.net_price(terms)
        floor = terms.floor
        exception = terms.approved_exception
        lst = terms.list_price

        if pricing and net is not None:
            why_not = "" if exception else self._why_not_approved(terms)
            if net <= 0 and not exception:
                add("net_price_nonpositive",
                    f"net price {_y(net)} after every discount is not above zero{why_not}", net_price=net)
            elif floor is not None and net < floor and not exception:
                add("below_floor", f"net price {_y(net)} is below the floor {_y(floor)} "
                                   f"by {_y(floor - net)}{why_not}", net_price=net, floor=floor)
            if lst is not None and lst > 0:
                for name, price in (("live price", terms.live_price), ("offer price", terms.offer_price)):
                    if price is not None and price > lst:
                        add("above_list", f"{name} {_y(price)} is above the list price {_y(lst)}",
                            price=price, list_price=lst)
                off_x100 = (lst - net) * 100  # compare in integers: pct * list
                if off_x100 > s.max_discount_pct * lst and not exception:
                    add("discount_over_70", f"{(lst - net) * 100 / lst:.1f} % off list ({_y(net)} against "
                                            f"{_y(lst)}) is deeper than {s.max_discount_pct} %{why_not}",
                        pct_off=round((lst - net) * 100 / lst, 2), net_price=net, list_price=lst)
                elif off_x100 >= s.confirm_discount_pct * lst and not exception:
                    add("discount_50_70", f"{(lst - net) * 100 / lst:.1f} % off list ({_y(net)} against "
                                          f"{_y(lst)}): between {s.confirm_discount_pct} and "
                                          f"{s.max_discount_pct} % off",
                        pct_off=round((lst - net) * 100 / lst, 2), net_price=net, list_price=lst)
            if len(terms.tiers) > s.max_tiers:
                add("tiers_over_3", f"{len(terms.tiers)} price tiers; more than {s.max_tiers} confuse viewers "
                                    f"and stack into mistakes", tiers=len(terms.tiers))
            eff = terms.effective_price
            if terms.bundle_items_sum and eff is not None and eff * 100 >= s.bundle_max_pct * terms.bundle_items_sum:
                add("bundle_over_85", f"bundle at {_y(eff)} is {eff * 100 / terms.bundle_items_sum:.1f} % of its "
                                      f"items' sum {_y(terms.bundle_items_sum)} (should be below "
                                      f"{s.bundle_max_pct} %)", price=eff, items_sum=terms.bundle_items_sum)
            if terms.gift_value is not None and eff:
                pct = terms.gift_value * 100 / eff
                if not (s.gift_min_pct <= pct <= s.gift_max_pct):
                    add("gift_ratio", f"gift worth {_y(terms.gift_value)} is {pct:.1f} % of the item's "
                                      f"{_y(eff)} (expected {s.gift_min_pct}–{s.gift_max_pct} %)",
                        gift_value=terms.gift_value, price=eff)

        if step is not None and not step.known_good and step.old > 0 and step.new >= 0:
            self._step_rules(step, add)

        for c in new_coupons:
            if c.amount <= 0 or c.threshold < 0:
                add("invalid_input", f"coupon: amount {_y(c.amount)} and threshold {_y(c.threshold)} "
                                     f"must be positive", field="coupon")
                continue
            if c.total_qty is not None and c.total_qty <= 0:
                add("invalid_input", f"coupon_qty: {c.total_qty} must be above zero", field="coupon_qty")
            if c.threshold == 0 and c.total_qty is None:
                add("coupon_no_min_no_cap", f"coupon {_y(c.amount)} off has no minimum spend and no quantity cap",
                    amount=c.amount)
            if c.threshold > 0 and c.amount >= c.threshold:
                add("coupon_amount_ge_threshold", f"coupon {_y(c.amount)} off is at least its threshold "
                                                  f"{_y(c.threshold)}: the item becomes free",
                    amount=c.amount, threshold=c.threshold)

        if listing and (terms.stock is None or terms.stock <= 0):
            add("list_no_stock", f"listing with stock {terms.stock if terms.stock is not None else 'unknown'}",
                stock=terms.stock)
        if terms.offer_qty is not None and terms.stock is not None and terms.offer_qty > terms.stock:
            add("offer_qty_over_stock", f"offer quantity {terms.offer_qty} is above stock {terms.stock}",
                offer_qty=terms.offer_qty, stock=terms.stock)

        if texts:
            hits: list[Hit] = []
            for t in (terms.title, *terms.texts):
                hits += self._check_text(t)
            if hits:
                found = list(dict.fromkeys(h.term for h in hits))
                add("banned_terms", "banned absolute terms: " + ", ".join(f"“{t}”" for t in found), terms=found)

        verdict = worst(ALLOW, *(f.severity for f in out))
        return Verdict(verdict, tuple(out), net, lst, floor, terms.sku)

    def _step_rules(self, step: Step, add) -> None:
        s = self.settings
        old, new = step.old, step.new
        if new > 0:
            hi, lo = max(old, new), min(old, new)
            for f in s.power_of_ten_factors:
                # |hi/lo - f| <= f * tol, in integers
                if abs(hi * 100 - f * lo * 100) <= f * lo * s.power_of_ten_tolerance_pct:
                    add("power_of_ten_change", f"new price {_y(new)} is ≈{f}× {'above' if new > old else 'below'} "
                                               f"the current {_y(old)}: a shifted decimal point or 元/分 mix-up?",
                        old=old, new=new, factor=round(hi / lo, 2))
                    break
        if abs(new - old) * 100 > s.price_band_pct * old:
            add("price_band", f"one step moves the price {abs(new - old) * 100 / old:.1f} % "
                              f"({_y(old)} → {_y(new)}); the band is ±{s.price_band_pct} %",
                old=old, new=new, pct=round(abs(new - old) * 100 / old, 2))

    @staticmethod
    def _why_not_approved(terms: Terms) -> str:
        if not terms.approved_deep_discount:
            return " (not an approved deep discount)"
        missing = []
        if not terms.per_buyer_limit:
            missing.append("a per-buyer limit")
        if terms.quantity_cap is None or terms.quantity_cap <= 0:
            missing.append("a quantity cap")
        return f" (approved, but an approved deep discount also needs {' and '.join(missing)})"

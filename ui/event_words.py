"""Journal events as a person would write them in a log: who did what to which product, and whether it
worked — "李四 · 改价 LIP-001 丝绒口红 69.00 → 59.00 元 · ✓ 已生效". Raw payloads (keys, ids, 分) stay in the
feed's details pane. Used by the feed and by the console's last-outcome line.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP

from ui.i18n import translate
from ui.words import (ACTION_VERBS, COMMENT_KINDS, LEVELS, METHODS, MESSAGE_STYLES, SEVERITIES, action_words,
                      alert_title, clock_text, coupon_words, kind_word, plain_yuan, room_action_words, rule_name,
                      word_for, yuan)

TitleOf = Callable[[str], str]

# tone -> how the result reads: ok (done), fail (failed / mismatch), block, confirm, alert, warn, info
OK, FAIL, BLOCK, CONFIRM, ALERT, WARN, INFO = "ok", "fail", "block", "confirm", "alert", "warn", "info"


@dataclass(frozen=True)
class Line:
    what: str
    result: str = ""
    tone: str = INFO


def t(text: str) -> str:
    """Translate a marked table entry; literals call translate("EventWords", …) so Linguist finds them."""
    return translate("EventWords", text)


LABELS = {   # the event kind in words, for kinds without a sentence of their own and for the filter tooltips
    "alert.acked": QT_TRANSLATE_NOOP("EventWords", "Alert acknowledged"),
    "alert.raised": QT_TRANSLATE_NOOP("EventWords", "Alert"),
    "console.plan_imported": QT_TRANSLATE_NOOP("EventWords", "Price plan imported"),
    "console.reconciled": QT_TRANSLATE_NOOP("EventWords", "Shop brought in line with the journal"),
    "console.restored": QT_TRANSLATE_NOOP("EventWords", "Console restored from the journal"),
    "console.supervisor_pin_changed": QT_TRANSLATE_NOOP("EventWords", "Supervisor PIN changed"),
    "metrics.alert_cleared": QT_TRANSLATE_NOOP("EventWords", "Alert cleared"),
    "rundown.loaded": QT_TRANSLATE_NOOP("EventWords", "Run of show loaded"),
    "rundown.ended": QT_TRANSLATE_NOOP("EventWords", "Run of show ended"),
    "rundown.paused": QT_TRANSLATE_NOOP("EventWords", "Timer paused"),
    "rundown.resumed": QT_TRANSLATE_NOOP("EventWords", "Timer resumed"),
    "cue.message_cleared": QT_TRANSLATE_NOOP("EventWords", "Message to the host cleared"),
    "session.created": QT_TRANSLATE_NOOP("EventWords", "Show created"),
    "session.started": QT_TRANSLATE_NOOP("EventWords", "Show started (on air)"),
    "session.ended": QT_TRANSLATE_NOOP("EventWords", "Show ended"),
    "session.resumed": QT_TRANSLATE_NOOP("EventWords", "Show resumed"),
    "datadir.permissions_tightened": QT_TRANSLATE_NOOP("EventWords", "File made private"),
    "stream.guard_started": QT_TRANSLATE_NOOP("EventWords", "Stream guard started"),
    "stream.guard_stopped": QT_TRANSLATE_NOOP("EventWords", "Stream guard stopped"),
    "stream.armed": QT_TRANSLATE_NOOP("EventWords", "Stream guard armed (primary live)"),
    "stream.disarmed": QT_TRANSLATE_NOOP("EventWords", "Stream guard disarmed (primary stopped)"),
    "stream.alarm_cleared": QT_TRANSLATE_NOOP("EventWords", "Stream figures back"),
    "stream.command": QT_TRANSLATE_NOOP("EventWords", "Command to OBS"),
    "comments.minute": QT_TRANSLATE_NOOP("EventWords", "Comments of the minute counted"),
    "comments.bag_entries": QT_TRANSLATE_NOOP("EventWords", "Lucky bag entries recorded"),
    "comments.cue_cleared": QT_TRANSLATE_NOOP("EventWords", "Viewer's question taken off the cue screen"),
    "comments.unpinned": QT_TRANSLATE_NOOP("EventWords", "Comment unpinned"),
    "console.stock_read": QT_TRANSLATE_NOOP("EventWords", "Stock read back"),
    "metrics.rebased": QT_TRANSLATE_NOOP("EventWords", "The platform's counters fell back: figures carried on"),
    "simulator.opened": QT_TRANSLATE_NOOP("EventWords", "Simulated room opened"),
    "simulator.input": QT_TRANSLATE_NOOP("EventWords", "Simulated room input"),
}

SIM_OPS = {   # what the simulated room was told (simulator.input "op"), journaled so a resume replays it
    "list_product": QT_TRANSLATE_NOOP("EventWords", "list"),
    "unlist_product": QT_TRANSLATE_NOOP("EventWords", "unlist"),
    "set_price": QT_TRANSLATE_NOOP("EventWords", "price"),
    "set_stock": QT_TRANSLATE_NOOP("EventWords", "stock"),
    "set_displayed_stock": QT_TRANSLATE_NOOP("EventWords", "shown stock"),
    "pin_product": QT_TRANSLATE_NOOP("EventWords", "pin"),
    "issue_coupon": QT_TRANSLATE_NOOP("EventWords", "coupon issued"),
    "stop_coupon": QT_TRANSLATE_NOOP("EventWords", "coupon stopped"),
    "start_offer": QT_TRANSLATE_NOOP("EventWords", "flash offer started"),
    "stop_offer": QT_TRANSLATE_NOOP("EventWords", "flash offer stopped"),
    "set_segment": QT_TRANSLATE_NOOP("EventWords", "segment"),
    "set_off_air": QT_TRANSLATE_NOOP("EventWords", "on or off air"),
    "start_countdown": QT_TRANSLATE_NOOP("EventWords", "countdown started"),
    "stop_countdown": QT_TRANSLATE_NOOP("EventWords", "countdown stopped"),
    "start_lucky_bag": QT_TRANSLATE_NOOP("EventWords", "lucky bag started"),
    "stop_lucky_bag": QT_TRANSLATE_NOOP("EventWords", "lucky bag ended"),
    "complaint_wave": QT_TRANSLATE_NOOP("EventWords", "complaint wave"),
    "place_order": QT_TRANSLATE_NOOP("EventWords", "a buyer's order"),
    "set_audience": QT_TRANSLATE_NOOP("EventWords", "audience on or off"),
}
_SIM_SKU_OPS = frozenset({"list_product", "unlist_product", "set_price", "set_stock", "set_displayed_stock",
                          "pin_product", "place_order", "start_countdown", "stop_countdown"})   # first argument: a SKU

OVERRIDE_WHY = {   # the console's reasons for refusing an override, in words
    "wrong PIN": QT_TRANSLATE_NOOP("EventWords", "wrong PIN"),
    "the supervisor's name is required": QT_TRANSLATE_NOOP("EventWords", "the supervisor's name is required"),
}

REASONS = {
    "expired": QT_TRANSLATE_NOOP("EventWords", "time is up"),
    "operator": QT_TRANSLATE_NOOP("EventWords", "by the operator"),
    "failover": QT_TRANSLATE_NOOP("EventWords", "stream failed over"),
    "returned": QT_TRANSLATE_NOOP("EventWords", "stream back on primary"),
    "order_rate": QT_TRANSLATE_NOOP("EventWords", "circuit breaker: orders too fast"),
    "sale_below_floor": QT_TRANSLATE_NOOP("EventWords", "circuit breaker: sold below the floor"),
    "offer_over_quantity": QT_TRANSLATE_NOOP("EventWords", "circuit breaker: offer sold over its quantity"),
    "sold_out": QT_TRANSLATE_NOOP("EventWords", "offer quantity sold"),
    "reconcile": QT_TRANSLATE_NOOP("EventWords", "brought in line with the journal"),
    "cancelled": QT_TRANSLATE_NOOP("EventWords", "cancelled"),
    "show_ended": QT_TRANSLATE_NOOP("EventWords", "the show ended"),
}


def label(kind: str) -> str:
    text = LABELS.get(kind)
    return t(text) if text else kind


def _reason(code: Any) -> str:
    code = str(code or "")
    if code.startswith("breaker:"):          # "breaker:<rule>"
        code = code.split(":", 1)[1]
    text = REASONS.get(code) if code else None
    return t(text) if text else (str(code) if code else "")


def _prod(sku: Any, title_of: TitleOf | None) -> str:
    if not sku:
        return ""
    title = title_of(str(sku)) if title_of else ""
    return f"{sku} {title}".strip()


def _rules(rules: Any) -> str:
    return "；".join(dict.fromkeys(rule_name(str(r)) for r in (rules or []) if ":" not in str(r))) or "—"


def _done() -> str:
    return "✓ " + translate("EventWords", "applied")


def describe(kind: str, p: dict[str, Any] | None, title_of: TitleOf | None = None) -> Line:
    """The event as one line of a person's log."""
    p = p or {}
    g = p.get
    sku = g("sku")
    prod = _prod(sku, title_of)

    # ---- the console ------------------------------------------------------------------------------
    if kind == "console.price_changed":
        what = action_words("revert" if g("revert") else "price", sku, price=g("price"), before=g("prev_price"),
                            title_of=title_of)
        if g("ended_offer"):
            what += " · " + translate("EventWords", "ends the flash offer")
        return Line(what, _done(), OK)
    if kind in ("console.listed", "console.unlisted"):
        what = action_words("list" if kind == "console.listed" else "unlist", sku, title_of=title_of)
        if g("reason"):
            what += f" ({_reason(g('reason'))})"
        return Line(what, _done(), OK)
    if kind == "console.offer_started":
        return Line(action_words("offer_start", sku, price=g("price"), duration_s=g("duration_s"), qty=g("qty"),
                                 title_of=title_of), _done(), OK)
    if kind == "console.offer_stopped":
        what = translate("EventWords", "Flash offer ended: {product}, back to {price} yuan").format(product=prod,
                                                                            price=plain_yuan(g("price")))
        if g("reason"):
            what += f" ({_reason(g('reason'))})"
        return Line(what, _done(), OK)
    if kind == "console.offer_paused":
        return Line(translate("EventWords", "Flash offer paused: {product}, {left} left").format(
            product=prod, left=clock_text(g("remaining_s"))) + f" ({_reason(g('reason'))})", "⏸", WARN)
    if kind == "console.offer_resumed":
        return Line(translate("EventWords", "Flash offer resumed: {product}, {left} left").format(
            product=prod, left=clock_text(g("duration_s"))), "▶", INFO)
    if kind == "console.coupon_issued":
        spec = g("spec") or {}
        return Line(action_words("coupon_issue", spec.get("sku") or sku, coupon=spec, title_of=title_of), _done(), OK)
    if kind == "console.coupon_stopped":
        spec = g("spec") or {}
        what = word_for(ACTION_VERBS, "coupon_stop") + (f" {coupon_words(spec)}" if spec else "")
        return Line(what, _done(), OK)
    if kind == "console.pinned":
        pinned = g("pinned_sku")
        what = (translate("EventWords", "Explaining {product} (讲解中)").format(product=_prod(pinned, title_of)) if pinned
                else translate("EventWords", "Stopped explaining"))
        return Line(what, _done(), OK)
    if kind == "console.lucky_bag_started":
        return Line(room_action_words({"kind": "lucky_bag", **p}, title_of), _done(), OK)
    if kind == "console.lucky_bag_ended":
        if g("drawn"):
            return Line(translate("EventWords", "Lucky bag {bag} drawn: {n} winner(s) of {eligible} eligible "
                                                "({entries} entries)").format(bag=g("bag_id") or "",
                                                                              n=len(g("winners") or []),
                                                                              eligible=g("eligible") or 0,
                                                                              entries=g("entries") or 0), "✓", OK)
        return Line(translate("EventWords", "Lucky bag {bag} ended without a draw ({reason})").format(
            bag=g("bag_id") or "", reason=_reason(g("reason"))), "", WARN)
    if kind == "console.substitute_shown":
        return Line(room_action_words({"kind": "substitute", "sku": sku, "substitute": g("substitute")}, title_of),
                    _done(), OK)
    if kind == "console.stock_read":
        rb = g("readback") or {}
        return Line(translate("EventWords", "Stock of {product} read back: {n}").format(
            product=prod, n=rb.get("stock", "—")), "", INFO)
    if kind in ("comments.pushed", "comments.pinned", "comments.answered"):
        words = {"comments.pushed": translate("EventWords", "Viewer's comment to the cue screen: “{text}”"),
                 "comments.pinned": translate("EventWords", "Comment pinned: “{text}”"),
                 "comments.answered": translate("EventWords", "Answered on air: “{text}”")}[kind]
        return Line(words.format(text=g("text") or ""), word_for(COMMENT_KINDS, g("comment_kind")), INFO)
    if kind == "console.displayed_stock_set":
        return Line(action_words("displayed_stock", sku, shown=g("shown"), title_of=title_of), _done(), OK)
    if kind == "console.action_failed":
        what = action_words(g("action") or "", sku, title_of=title_of) if g("action") else prod
        return Line(what + " — " + translate("EventWords", "nothing changed at the shop"),
                    "✖ " + translate("EventWords", "failed"), FAIL)
    if kind == "console.readback_mismatch":
        what = action_words(g("action") or "", sku, title_of=title_of) if g("action") else prod
        return Line(what + " — " + translate("EventWords", "the shop shows something else: product locked"),
                    "✖ " + translate("EventWords", "mismatch"), FAIL)
    if kind == "console.sku_locked":
        return Line(translate("EventWords", "Locked {product}").format(product=prod), translate("EventWords", "until someone checks it"), FAIL)
    if kind == "console.sku_unlocked":
        return Line(translate("EventWords", "Unlocked {product}").format(product=prod), "✓", OK)
    if kind == "console.plan_imported":
        return Line(translate("EventWords", "Price plan imported: {n} products").format(n=len(g("rows") or [])), _done(), OK)
    if kind == "console.reconciled":
        return Line(translate("EventWords", "Shop brought in line with the journal: {product}").format(product=prod), _done(), OK)
    if kind == "console.restored":
        return Line(translate("EventWords", "Console restored from the journal: {n} products, {offers} running offers, {locked} locked")
                    .format(n=g("products") or 0, offers=len(g("offers") or {}), locked=len(g("locked") or {})),
                    "", INFO)

    if kind == "console.intent":
        # journaled before the shop is called; its outcome follows on its own line
        cmd = g("command") or {}
        if cmd.get("kind") in ("lucky_bag", "lucky_bag_end", "substitute"):
            return Line(room_action_words(cmd, title_of), "⋯ " + translate("EventWords", "sent"), INFO)
        what = action_words(cmd.get("kind") or "", cmd.get("sku") or sku, price=cmd.get("price"),
                            duration_s=cmd.get("duration_s"), qty=cmd.get("quantity"), coupon=cmd.get("spec"),
                            shown=cmd.get("shown"), title_of=title_of)
        return Line(what, "⋯ " + translate("EventWords", "sent"), INFO)
    if kind == "console.action_uncertain":
        what = action_words(g("action") or "", sku, title_of=title_of) if g("action") else prod
        return Line(what + " — " + translate("EventWords", "not known whether it applied: product locked"),
                    "? " + translate("EventWords", "uncertain"), FAIL)
    if kind == "console.plan_failed":
        return Line(translate("EventWords", "Price plan could not be imported"), "✖ " + translate("EventWords", "failed"),
                    FAIL)
    if kind == "console.rundown_preflight":
        offers = g("offers") or []
        bad = [o for o in offers if o.get("verdict") == "block"]
        what = translate("EventWords", "Run of show's countdown offers checked: {n}").format(n=len(offers))
        if bad:
            return Line(what + " — " + "、".join(_prod(o.get("sku"), title_of) for o in bad),
                        "✖ " + translate("EventWords", "{n} blocked").format(n=len(bad)), BLOCK)
        return Line(what, "✓", OK)
    if kind == "console.synced":
        return Line(translate("EventWords", "Read the shop: {n} products").format(n=len(g("products") or [])), "",
                    INFO)
    if kind == "console.gift_set":
        return Line(translate("EventWords", "Gift value of {product}: {value}").format(
            product=prod, value=yuan(g("gift_value"))), "✓ " + translate("EventWords", "applied"), OK)
    if kind == "console.bundle_set":
        return Line(translate("EventWords", "Bundle items' value of {product}: {value}").format(
            product=prod, value=yuan(g("items_sum"))), "✓ " + translate("EventWords", "applied"), OK)
    if kind == "interlock.overrides_locked":
        return Line(translate("EventWords", "Supervisor overrides locked after wrong PINs"), "✖", FAIL)

    # ---- interlocks -------------------------------------------------------------------------------
    if kind == "interlock.verdict":
        # the rules go with the action (the long part); the result column stays short
        what = action_words(g("action") or "", sku, price=g("price"), title_of=title_of) + " — " + _rules(g("rules"))
        if g("verdict") == "block":
            return Line(what, "✖ " + translate("EventWords", "blocked"), BLOCK)
        return Line(what, "⚠ " + translate("EventWords", "to confirm"), CONFIRM)
    if kind == "interlock.confirmed":
        return Line(translate("EventWords", "Confirmed after a second look: {rules}").format(rules=_rules(g("rules"))), "✓", CONFIRM)
    if kind == "interlock.cancelled":
        if g("action"):
            return Line(action_words(g("action"), sku, price=g("price"), title_of=title_of) + " — " + _rules(g("rules")),
                        translate("EventWords", "cancelled"), INFO)
        return Line(translate("EventWords", "Ticket cancelled ({rules})").format(rules=_rules(g("rules"))), "", INFO)
    if kind == "interlock.override":
        return Line(translate("EventWords", "SUPERVISOR OVERRIDE: {rules} — reason: {reason}").format(
            rules=_rules(g("rules")), reason=g("reason_text") or "—"), "⚠ " + translate("EventWords", "let through"), BLOCK)
    if kind == "interlock.override_refused":
        why = g("why") or ""
        why = t(OVERRIDE_WHY[why]) if why in OVERRIDE_WHY else why
        return Line(translate("EventWords", "Supervisor override refused: {why}").format(why=why), "✖", BLOCK)
    if kind == "interlock.breaker_tripped":
        rule = f"breaker_{g('rule')}"
        does = g("does") or ("unlisted" if g("pause_action") == "unlist" else "")
        result = {"unlisted": translate("EventWords", "taken off sale"),
                  "offer paused": translate("EventWords", "offer stopped"),
                  "price put back": translate("EventWords", "price put back"),
                  "nothing to pause": translate("EventWords", "still on sale")}.get(does, translate("EventWords",
                                                                                                   "sales paused"))
        return Line(alert_title(rule, g("values") or {}, sku, title_of), "✖ " + result, FAIL)

    # ---- alerts -------------------------------------------------------------------------------------
    if kind == "alert.raised":
        sev = g("severity") or "warning"
        title = alert_title(str(g("rule") or ""), g("values") or {}, g("sku"), title_of, fallback=str(g("title") or ""))
        return Line(translate("EventWords", "Alert: {title}").format(title=title), word_for(SEVERITIES, sev),
                    FAIL if sev == "critical" else ALERT if sev == "warning" else INFO)
    if kind == "alert.acked":
        return Line(translate("EventWords", "Alert acknowledged"), "✓", INFO)

    # ---- run of show ----------------------------------------------------------------------------------
    if kind == "rundown.segment":
        return Line(translate("EventWords", "Segment {cue} {title} ({kind})").format(cue=g("cue") or "", title=g("title") or "",
                                                               kind=kind_word(g("kind"))), "▶", INFO)
    if kind == "rundown.started":
        return Line(translate("EventWords", "Run of show started: {cue} {title}").format(cue=g("cue") or "", title=g("title") or ""),
                    "▶", INFO)
    if kind == "rundown.time_changed":
        delta = float(g("delta_s") or 0)
        return Line(translate("EventWords", "Segment time {delta}").format(delta=("+" if delta >= 0 else "-") + clock_text(delta)), "", INFO)
    if kind == "rundown.overtime":
        return Line(translate("EventWords", "Segment {cue} ran over its time").format(cue=g("cue") or ""), "⚠", WARN)
    if kind == "rundown.offer_started":
        return Line(translate("EventWords", "Countdown offer from the run of show: {product}").format(product=prod), "", INFO)
    if kind == "rundown.offer_ended":
        return Line(translate("EventWords", "Countdown offer from the run of show ended: {product}").format(product=prod), "", INFO)
    if kind == "rundown.offer_failed":
        return Line(translate("EventWords", "Countdown offer from the run of show failed: {product}").format(product=prod), "✖", FAIL)
    if kind == "cue.message":
        return Line(translate("EventWords", "Message to the host ({style}): {text}").format(style=word_for(MESSAGE_STYLES, g("style")),
                                                                    text=g("text") or ""), "", INFO)
    if kind == "session.quit_asked":
        return Line(translate("EventWords", "Quit asked while on air"),
                    translate("EventWords", "quit") if g("answer") == "quit" else translate("EventWords", "stayed"), WARN if g("answer") == "quit" else INFO)
    if kind == "session.created":
        return Line(translate("EventWords", "Show created: {title}").format(title=g("title") or ""), "", INFO)
    if kind == "datadir.permissions_tightened":
        return Line(translate("EventWords", "Made private (others could read it): {path}, {was} → {now}").format(
            path=g("path") or "", was=g("was") or "", now=g("now") or ""), "", WARN)

    # ---- the stream -------------------------------------------------------------------------------------
    if kind == "stream.failover":
        return Line(translate("EventWords", "Stream switched to the backup ({method})").format(method=word_for(METHODS, g("method"))),
                    translate("EventWords", "in {ms} ms").format(ms=g("detect_to_switch_ms")), WARN)
    if kind == "stream.failover_failed":
        return Line(translate("EventWords", "FAILOVER FAILED: the backup did not go live ({method})").format(
            method=word_for(METHODS, g("method"))), "✖ " + translate("EventWords", "failed"), FAIL)
    if kind == "stream.returned":
        return Line(translate("EventWords", "Stream back on the primary"), _done(), OK)
    if kind == "stream.return_failed":
        return Line(translate("EventWords", "RETURN TO PRIMARY FAILED: back on the backup"), "✖ " + translate("EventWords", "failed"), FAIL)
    if kind == "stream.switching":
        return Line(translate("EventWords", "Switching the stream to the backup") if g("direction") == "to_backup"
                    else translate("EventWords", "Switching the stream back to the primary"), "…", WARN)
    if kind == "stream.no_remedy":
        return Line(translate("EventWords", "Stream FAILED and no failover applies"), "✖", FAIL)
    if kind == "stream.held":
        return Line(translate("EventWords", "Primary FAILED: manual hold is on, not switching"), "⚠", FAIL)
    if kind == "stream.health":
        lv = str(g("level") or "UNKNOWN")
        return Line(translate("EventWords", "{instance}: {level}").format(instance=g("instance") or "", level=word_for(LEVELS, lv)), "",
                    FAIL if lv == "FAILED" else WARN if lv == "DEGRADED" else INFO)
    if kind == "stream.second_encoder":
        return Line(translate("EventWords", "{instance} went on air again while {on_air} is live: stopped it").format(
            instance=g("instance") or "", on_air=g("on_air") or ""), "⚠", WARN)
    if kind == "stream.second_encoder_failed":
        return Line(translate("EventWords", "TWO ENCODERS ON AIR: {instance} could not be stopped — stop it in OBS").format(
            instance=g("instance") or ""), "✖", FAIL)
    if kind == "stream.alarm":
        return Line(translate("EventWords", "{instance}: stream figures missing").format(instance=g("instance") or ""), "", WARN)
    if kind.startswith("stream.manual."):
        which = kind.rsplit(".", 1)[1]
        words = {"fail_over": translate("EventWords", "Fail over by hand"), "return": translate("EventWords", "Return by hand"),
                 "hold": translate("EventWords", "Manual hold on") if g("on") else translate("EventWords", "Manual hold off")}.get(which, which)
        return Line(words, "", INFO)
    # ---- the simulated room and the platform's counters ---------------------------------------------
    if kind == "metrics.rebased":
        return Line(label(kind), translate("EventWords", "restart") if g("reason") == "restart"
                    else translate("EventWords", "correction"), WARN)
    if kind == "simulator.opened":
        if g("restored") is False:
            return Line(translate("EventWords", "Simulated room could not be restored: it starts again from zero"),
                        "⚠", WARN)
        return Line(label(kind), "", INFO)
    if kind == "simulator.input":
        op = str(g("op") or "")
        args = g("args") or []
        target = args[0] if op in _SIM_SKU_OPS and args and isinstance(args[0], str) else ""
        what = label(kind) + " · " + (t(SIM_OPS[op]) if op in SIM_OPS else translate("EventWords", "input"))
        return Line(f"{what} {_prod(target, title_of)}".strip(), "", INFO)
    return Line(label(kind), "", INFO)

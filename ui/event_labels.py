"""Words for journal event kinds, so the feed reads 'Price changed', not 'console.price_changed'.
English here; Simplified Chinese in resources/i18n/zh_CN/events.json. Unknown kinds show as they are."""
from __future__ import annotations

from ui.i18n import tr

LABELS = {
    "alert.acked": "Alert acknowledged", "alert.raised": "Alert",
    "console.action_failed": "Action failed", "console.coupon_issued": "Coupon issued",
    "console.coupon_stopped": "Coupon stopped", "console.displayed_stock_set": "Displayed stock set",
    "console.listed": "Listed", "console.unlisted": "Unlisted", "console.offer_paused": "Offer paused",
    "console.offer_resumed": "Offer resumed", "console.offer_started": "Offer started",
    "console.offer_stopped": "Offer stopped", "console.pinned": "Pinned / explaining",
    "console.plan_imported": "Price plan imported", "console.price_changed": "Price changed",
    "console.readback_mismatch": "READ-BACK MISMATCH", "console.reconciled": "Platform reconciled",
    "console.restored": "Console restored", "console.sku_locked": "SKU LOCKED", "console.sku_unlocked": "SKU unlocked",
    "console.supervisor_pin_changed": "Supervisor PIN changed",
    "interlock.breaker_tripped": "CIRCUIT BREAKER", "interlock.cancelled": "Ticket cancelled",
    "interlock.confirmed": "Confirmed", "interlock.override": "SUPERVISOR OVERRIDE",
    "interlock.override_refused": "Override refused", "interlock.verdict": "Interlock verdict",
    "metrics.alert_cleared": "Alert cleared", "metrics.poll_failed": "Metrics poll failed",
    "metrics.rebased": "Platform counters fell back: rebased",
    "simulator.opened": "Simulated room opened", "simulator.input": "Simulated room input",
    "cue.message": "Message to host", "cue.message_cleared": "Message cleared",
    "rundown.ended": "Run of show ended", "rundown.loaded": "Rundown loaded", "rundown.offer_ended": "Countdown offer ended",
    "rundown.offer_failed": "Countdown offer FAILED", "rundown.offer_started": "Countdown offer started",
    "rundown.overtime": "OVERTIME", "rundown.paused": "Timer paused", "rundown.resumed": "Timer resumed",
    "rundown.segment": "Segment", "rundown.started": "Run of show started", "rundown.time_changed": "Time changed",
    "session.created": "Show created", "session.ended": "Show ended", "session.resumed": "Show resumed",
    "session.started": "Show started (on air)",
    "stream.alarm": "Stream alarm", "stream.alarm_cleared": "Stream alarm cleared", "stream.armed": "Guard armed",
    "stream.command": "OBS command", "stream.disarmed": "Guard disarmed", "stream.failover": "FAILOVER",
    "stream.failover_failed": "FAILOVER FAILED", "stream.guard_started": "Guard started",
    "stream.guard_stopped": "Guard stopped", "stream.health": "Stream health", "stream.held": "Guard held",
    "stream.manual.fail_over": "Manual fail over", "stream.manual.hold": "Manual hold",
    "stream.manual.return": "Manual return", "stream.no_remedy": "No remedy", "stream.return_failed": "RETURN FAILED",
    "stream.returned": "Returned to primary", "stream.switching": "Switching",
}


def label(kind: str) -> str:
    text = LABELS.get(kind)
    return tr(text) if text else kind

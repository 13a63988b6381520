"""The host's cue screen: one window, fullscreen on a chosen screen, readable from 3 metres.

Painted by hand (one paintEvent) so every size is a fraction of the screen height and nothing is
smaller than ~4 % of it. It lives on the bus only: "rundown.state" (the runner's heartbeat, at
least every 0.5 s), "console.state", "journal.stream.failover"/"returned", "alert.raised"/"acked".
Its own QTimer extrapolates the countdown from the last state with the same monotonic clock and
checks the state's age: after `stale_after_s` (2 s) without a state it says STALE on itself in a way
that cannot be mistaken for a running show.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QGuiApplication, QKeyEvent, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QApplication, QWidget

from controlroom.rundown.config import RundownSettings
from controlroom.rundown.display import format_countdown, phase_for
from ui import theme
from ui.i18n import tr

SANS = ["Noto Sans CJK SC", "Noto Sans", "DejaVu Sans"]
MONO = ["DejaVu Sans Mono", "Noto Sans Mono CJK SC"]
PHASE_COLOURS = {"idle": theme.IDLE, "normal": "#f2f4f7", "warning": theme.WARNING, "danger": theme.ON_AIR,
                 "overtime": theme.ON_AIR}
MIN_FRACTION = 0.04          # nothing smaller than 4 % of the screen height
FLASH_S = 2.0


def _payload(obj: Any) -> dict:
    if isinstance(obj, dict):
        return obj
    inner = getattr(obj, "payload", None)   # a journal Event
    return inner if isinstance(inner, dict) else {}


def yuan(fen: Any) -> str:
    if fen is None:
        return ""
    fen = int(fen)
    y, f = divmod(abs(fen), 100)
    return ("-" if fen < 0 else "") + (f"¥{y}" if f == 0 else f"¥{y}.{f:02d}")


@dataclass
class ProductView:
    sku: str
    title: str = ""
    list_fen: int | None = None
    live_fen: int | None = None
    stock: int | None = None
    offer_left_s: float | None = None
    offer_fen: int | None = None


def _first(d: dict, *keys, default=None):
    for k in keys:
        if k in d and d[k] is not None:
            return d[k]
    return default


class CueScreen(QWidget):
    painted = Signal(float)          # perf_counter() when a paint finished (benchmark, tests)

    def __init__(self, rt, bridge, parent: QWidget | None = None, clock=None):
        super().__init__(parent)
        self.rt = rt
        self.clock = clock or rt.clock
        try:
            self.settings = rt.settings.section("rundown", RundownSettings)
        except Exception:
            self.settings = RundownSettings()
        self.setWindowTitle(tr("Cue screen"))
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setMinimumSize(480, 270)
        self.resize(1280, 720)
        self.state: dict[str, Any] | None = None
        self.received_at: float = self.clock.monotonic()
        self.console_state: dict[str, Any] = {}
        self.on_backup = False
        self.backup_talk = ""
        self.alerts: dict[str, tuple[str, float]] = {}
        self.flash_until = 0.0
        self._last_remaining: float | None = None
        self._last_cue: str | None = None
        self._view_key: tuple = ()
        self.beeps = 0
        self._text_cache: dict[tuple, QPixmap] = {}
        bridge.event.connect(self._on_event)
        room = rt.rundown
        if room is not None:
            self._take_state(room.runner.snapshot())
        self._timer = QTimer(self)
        self._timer.setInterval(50)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()

    # ---- input ----------------------------------------------------------------------------------
    def _on_event(self, topic: str, payload: Any) -> None:
        if topic == "rundown.state":
            self._take_state(payload)
        elif topic == "console.state":
            self.console_state = _payload(payload)
            self.refresh()
        elif topic == "journal.stream.failover":
            self.on_backup = True
            self.backup_talk = str(_payload(payload).get("talk_track") or "")
            self.refresh()
        elif topic == "journal.stream.returned":
            self.on_backup = False
            self.refresh()
        elif topic == "alert.raised" and getattr(payload, "to_cue", False):
            self.alerts[payload.alert_id] = (payload.title, self.clock.monotonic() + 30)
            self.refresh()
        elif topic == "alert.acked":
            self.alerts.pop(_payload(payload).get("alert_id"), None)
            self.refresh()

    def _take_state(self, state: dict) -> None:
        self.state = state
        self.received_at = self.clock.monotonic()
        self.refresh()

    # ---- derived view ----------------------------------------------------------------------------
    @property
    def age_s(self) -> float:
        return self.clock.monotonic() - self.received_at

    @property
    def stale(self) -> bool:
        return self.age_s > self.settings.stale_after_s

    def remaining(self) -> float:
        s = self.state or {}
        rem = float(s.get("remaining_s") or 0.0)
        if s.get("status") == "running":
            rem -= self.clock.monotonic() - float(s.get("mono", self.clock.monotonic()))
        return rem

    def phase(self) -> str:
        s = self.state or {}
        seg = s.get("segment")
        if not seg or s.get("status") in (None, "idle"):
            return "idle"
        return phase_for(self.remaining(), seg.get("warning_s", 120), seg.get("danger_s", 30))

    def product(self) -> ProductView | None:
        s = self.state or {}
        seg = s.get("segment") or {}
        plan = {p["sku"]: p for p in seg.get("products") or [] if isinstance(p, dict) and p.get("sku")}
        cs = self.console_state or {}
        console = self._console()
        sku = _first(cs, "pinned_sku", "current_sku", "explaining_sku")
        if console is not None and sku is None:
            try:
                pinned = console.pinned() if hasattr(console, "pinned") else None
            except Exception:
                pinned = None
            sku = getattr(pinned, "sku", None)
        if sku is None and not plan:
            return None
        sku = sku or next(iter(plan))
        pv = ProductView(sku=sku)
        base = plan.get(sku, {})
        pv.title = base.get("title", "")
        pv.list_fen, pv.live_fen, pv.stock = base.get("list_price_fen"), base.get("live_price_fen"), base.get("stock")
        live = self._console_product(sku)
        if console is not None and hasattr(console, "product"):
            try:
                cp = console.product(sku)
            except Exception:
                cp = None
            if cp is not None:   # the console's ProductView: prices in 分, the offer's own countdown
                pv.title = cp.title or pv.title
                pv.list_fen = cp.list_price
                pv.live_fen = cp.price
                pv.stock = cp.displayed_stock if cp.displayed_stock is not None else cp.stock
                if cp.offer_remaining_s is not None:
                    pv.offer_left_s, pv.offer_fen = cp.offer_remaining_s, cp.offer_price
        if live:
            pv.title = _first(live, "title", default=pv.title)
            pv.list_fen = _first(live, "list_price_fen", "list_fen", default=pv.list_fen)
            pv.live_fen = _first(live, "live_price_fen", "price_fen", "live_fen", default=pv.live_fen)
            pv.stock = _first(live, "stock_left", "stock", "available", default=pv.stock)
            offer = live.get("offer") or live.get("countdown")
            if isinstance(offer, dict):
                left = _first(offer, "remaining_s", "left_s")
                if left is None and offer.get("ends_mono") is not None:
                    left = float(offer["ends_mono"]) - self.clock.monotonic()
                pv.offer_left_s = left
                pv.offer_fen = _first(offer, "price_fen", "offer_price_fen")
        if pv.offer_left_s is None:
            for o in s.get("offers") or []:
                if o.get("sku") == sku:
                    elapsed = self.clock.monotonic() - float(s.get("mono", self.clock.monotonic()))
                    pv.offer_left_s = float(o["remaining_s"]) - elapsed
                    pv.offer_fen = o.get("price_fen")
        if pv.offer_left_s is not None and pv.offer_left_s <= 0:
            pv.offer_left_s = None
        return pv

    def _console(self):
        return self.rt.console

    def _console_product(self, sku: str) -> dict | None:
        prods = (self.console_state or {}).get("products")
        if isinstance(prods, dict):
            item = prods.get(sku)
            return item if isinstance(item, dict) else None
        if isinstance(prods, list):
            for p in prods:
                if isinstance(p, dict) and p.get("sku") == sku:
                    return p
        return None

    # ---- the clock's side ------------------------------------------------------------------------
    def refresh(self) -> None:
        """Called by the 20 Hz timer and on every event: zero flash, stale check, repaint if changed."""
        now = self.clock.monotonic()
        s = self.state or {}
        seg = s.get("segment") or {}
        rem = self.remaining()
        cue = seg.get("cue")
        if (cue == self._last_cue and self._last_remaining is not None and self._last_remaining > 0 >= rem
                and s.get("status") == "running"):
            self.flash_until = now + FLASH_S
            if self.settings.sound_at_zero:
                self.beeps += 1
                QApplication.beep()   # QtMultimedia is not in PySide6-Essentials: the system bell
        self._last_remaining, self._last_cue = rem, cue
        for aid, (_, until) in list(self.alerts.items()):
            if now > until:
                del self.alerts[aid]
        pv = self.product()
        msg = s.get("message") or {}
        blink_on = int(time.monotonic() * 2) % 2 == 0
        key = (format_countdown(rem), self.phase(), self.stale, int(self.age_s) if self.stale else 0,
               now < self.flash_until and int(now * 6) % 2, self.on_backup, self.backup_talk,
               msg.get("text"), msg.get("style"), msg.get("style") == "blink" and blink_on,
               s.get("status"), cue, tuple(self.alerts), pv and (pv.title, pv.live_fen, pv.list_fen, pv.stock,
                                                                 pv.offer_left_s is not None and int(pv.offer_left_s)),
               (s.get("next") or {}).get("cue"), self.width(), self.height())
        if key != self._view_key:
            self._view_key = key
            self.update()

    # ---- window ----------------------------------------------------------------------------------
    def show_on_screen(self, index: int = -1) -> None:
        """Fullscreen on QGuiApplication.screens()[index] (the last one, usually the host's, by default)."""
        screens = QGuiApplication.screens()
        if screens:
            screen = screens[max(-len(screens), min(index, len(screens) - 1))]
            self.setScreen(screen)
            self.setGeometry(screen.geometry())
        self.showFullScreen()

    def keyPressEvent(self, e: QKeyEvent) -> None:
        if e.key() == Qt.Key.Key_Escape:
            self.showNormal() if self.isFullScreen() else self.close()
        else:
            super().keyPressEvent(e)

    # ---- painting --------------------------------------------------------------------------------
    def _font(self, frac: float, mono: bool = False, bold: bool = True) -> QFont:
        f = QFont()
        f.setFamilies(MONO if mono else SANS)
        f.setPixelSize(max(1, int(self.height() * max(frac, MIN_FRACTION))))
        f.setBold(bold)
        return f

    def _text(self, p: QPainter, rect: QRectF, text: str, frac: float, colour: str, *, mono=False,
              align=Qt.AlignmentFlag.AlignCenter, strike=False, wrap=False, bold=True) -> None:
        """Draw text shrunk to fit the rect's width, but never below 4 % of the height.

        Glyphs this big are rasterised as paths (slow), so each text is rendered once into a pixmap
        and reused until it changes: a new message repaints only the message.
        """
        key = (text, frac, colour, mono, int(align), strike, wrap, bold, int(rect.width()), int(rect.height()),
               self.height())
        pix = self._text_cache.get(key)
        if pix is None:
            dpr = self.devicePixelRatioF()
            pix = QPixmap(max(1, int(rect.width() * dpr)), max(1, int(rect.height() * dpr)))
            pix.setDevicePixelRatio(dpr)
            pix.fill(Qt.GlobalColor.transparent)
            q = QPainter(pix)
            q.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            f = self._font(frac, mono, bold)
            if not wrap:
                fm = QFontMetricsF(f)
                w = fm.horizontalAdvance(text)
                if w > rect.width() and w > 0:
                    f.setPixelSize(max(int(self.height() * MIN_FRACTION), int(f.pixelSize() * rect.width() / w)))
            f.setStrikeOut(strike)
            q.setFont(f)
            q.setPen(QColor(colour))
            flags = int(align) | (int(Qt.TextFlag.TextWordWrap) if wrap else 0)
            q.drawText(QRectF(0, 0, rect.width(), rect.height()), flags, text)
            q.end()
            if len(self._text_cache) > 200:
                self._text_cache.pop(next(iter(self._text_cache)))
            self._text_cache[key] = pix
        p.drawPixmap(rect.topLeft(), pix)

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        try:
            self._paint(p)
        finally:
            p.end()
        self.painted.emit(time.perf_counter())

    def _paint(self, p: QPainter) -> None:
        w, h = float(self.width()), float(self.height())
        now = self.clock.monotonic()
        s = self.state or {}
        seg = s.get("segment") or {}
        msg = s.get("message") or None
        phase = self.phase()
        stale = self.stale
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)

        if msg and msg.get("style") == "blackout" and not stale:
            p.fillRect(self.rect(), QColor("#000000"))
            if msg.get("text"):
                self._text(p, QRectF(0.04 * w, 0.3 * h, 0.92 * w, 0.4 * h), msg["text"], 0.10, "#ffffff", wrap=True)
            return

        flashing = now < self.flash_until and not stale
        bg = "#000000"
        if flashing:
            bg = theme.ON_AIR if int(now * 6) % 2 == 0 else "#ffffff"
        elif phase == "overtime" and not stale:
            bg = "#2a0000"
        p.fillRect(self.rect(), QColor(bg))
        m = 0.02 * w

        # top line: cue + segment title, status badge on the right
        status = s.get("status")
        badge, badge_col = "", theme.IDLE
        if self.on_backup:
            badge, badge_col = tr("ON BACKUP"), theme.ON_AIR
        elif status == "paused":
            badge, badge_col = tr("PAUSED"), theme.WARNING
        elif status == "ended":
            badge, badge_col = tr("SHOW ENDED"), theme.IDLE
        elif status == "idle" or not s:
            badge, badge_col = tr("STANDBY"), theme.IDLE
        title = f"{seg.get('cue', '')}  {seg.get('title', '')}".strip() if seg else tr("No rundown loaded")
        badge_w = 0.26 * w if badge else 0
        self._text(p, QRectF(m, 0.015 * h, w - 2 * m - badge_w, 0.1 * h), title, 0.075, "#ffffff",
                   align=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if badge:
            r = QRectF(w - m - badge_w, 0.025 * h, badge_w, 0.08 * h)
            p.fillRect(r, QColor(badge_col))
            self._text(p, r, badge, 0.055, "#000000" if badge_col == theme.WARNING else "#ffffff")

        # the big countdown: a third of the height
        rem = self.remaining()
        text = format_countdown(rem) if seg else "--:--"
        col = "#000000" if flashing and bg == "#ffffff" else ("#ffffff" if flashing else PHASE_COLOURS[phase])
        if stale:
            col = "#5b5f66"
        self._text(p, QRectF(m, 0.12 * h, w - 2 * m, 0.34 * h), text, 0.33, col, mono=True)
        sub = {"overtime": tr("OVERTIME"), "danger": tr("WRAP UP NOW"), "warning": tr("WRAP UP SOON"),
               "normal": tr("TIME LEFT"), "idle": tr("STANDBY")}[phase]
        if status == "paused":
            sub = tr("PAUSED")
        self._text(p, QRectF(m, 0.46 * h, w - 2 * m, 0.055 * h), sub, 0.045, col)

        # current product: title, live price against the struck-through list price, stock, offer countdown
        pv = self.product()
        y = 0.53 * h
        if pv:
            self._text(p, QRectF(m, y, w - 2 * m, 0.065 * h), pv.title or pv.sku, 0.055, "#ffffff",
                       align=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            live = pv.offer_fen if pv.offer_left_s is not None and pv.offer_fen else pv.live_fen
            self._text(p, QRectF(m, y + 0.065 * h, 0.34 * w, 0.12 * h), yuan(live), 0.11, theme.WARNING,
                       mono=True, align=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            if pv.list_fen and pv.list_fen != live:
                self._text(p, QRectF(m + 0.34 * w, y + 0.065 * h, 0.2 * w, 0.12 * h), yuan(pv.list_fen), 0.06,
                           theme.TEXT_DIM, mono=True, strike=True,
                           align=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            if pv.stock is not None:
                low = pv.stock <= 50
                self._text(p, QRectF(0.56 * w, y + 0.065 * h, w - 0.56 * w - m, 0.12 * h),
                           tr("Only {n} left", n=pv.stock), 0.085, theme.ON_AIR if low else "#ffffff",
                           align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if pv.offer_left_s is not None:
                self._text(p, QRectF(m, y + 0.19 * h, w - 2 * m, 0.06 * h),
                           tr("Offer price ends in {t}", t=format_countdown(pv.offer_left_s)), 0.05, theme.WARNING,
                           align=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

        # talk-track prompt (or the stall talk track while on backup); an alert for the host takes its top line
        talk = self.backup_talk if self.on_backup and self.backup_talk else seg.get("talk_track", "")
        talk_top = 0.79
        if self.alerts:
            r = QRectF(0, 0.785 * h, w, 0.065 * h)
            p.fillRect(r, QColor(theme.WARNING))
            self._text(p, r.adjusted(m, 0, -m, 0), "⚠ " + "  ·  ".join(t for t, _ in self.alerts.values()), 0.05,
                       "#000000")
            talk_top = 0.855
        if talk:
            self._text(p, QRectF(m, talk_top * h, w - 2 * m, max(0.11 if not self.alerts else 0.065,
                                                                  0.90 - talk_top) * h), talk,
                       0.05 if self.on_backup else 0.042, theme.ON_AIR if self.on_backup else "#c9d1d9", wrap=True,
                       bold=False, align=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

        # next cue, small, at the bottom
        nxt = s.get("next")
        if nxt:
            from controlroom.rundown.files import format_duration
            line = tr("NEXT") + f"  {nxt.get('cue', '')}  {nxt.get('title', '')}  {format_duration(nxt.get('planned_s', 0))}"
            self._text(p, QRectF(m, (0.92 if self.alerts else 0.905) * h, w - 2 * m, 0.075 * h), line, 0.045,
                       theme.TEXT_DIM,
                       align=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, bold=False)

        # operator message across the middle
        if msg and msg.get("text"):
            blink_on = int(time.monotonic() * 2) % 2 == 0
            if msg.get("style") != "blink" or blink_on:
                r = QRectF(0, 0.36 * h, w, 0.26 * h)
                p.fillRect(r, QColor("#f2f4f7" if msg.get("style") == "blink" else "#1f6feb"))
                self._text(p, r.adjusted(m, 0, -m, 0), msg["text"], 0.10,
                           "#000000" if msg.get("style") == "blink" else "#ffffff", wrap=True)

        # ON BACKUP: a red frame and banner
        if self.on_backup:
            pen = QPen(QColor(theme.ON_AIR))
            pen.setWidthF(0.02 * h)
            p.setPen(pen)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(QRectF(0.01 * h, 0.01 * h, w - 0.02 * h, h - 0.02 * h))

        # overtime: a thick red frame that never goes away until the segment changes
        if phase == "overtime" and not stale and not flashing:
            pen = QPen(QColor(theme.ON_AIR))
            pen.setWidthF(0.03 * h)
            p.setPen(pen)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(QRectF(0.015 * h, 0.015 * h, w - 0.03 * h, h - 0.03 * h))

        # STALE: hatch over everything and a banner no one can miss
        if stale:
            p.fillRect(self.rect(), QColor(0, 0, 0, 140))
            hatch = QColor("#f5a524")
            hatch.setAlpha(90)
            p.setBrush(Qt.BrushStyle.NoBrush)
            pen = QPen(hatch)
            pen.setWidthF(0.012 * h)
            p.setPen(pen)
            step = 0.08 * h
            x = -h
            while x < w:
                p.drawLine(int(x), int(h), int(x + h), 0)
                x += step
            r = QRectF(0, 0.36 * h, w, 0.26 * h)
            p.fillRect(r, QColor("#f5a524"))
            self._text(p, r.adjusted(m, 0, -m, -0.1 * h), tr("STALE – NO UPDATES"), 0.10, "#000000")
            self._text(p, QRectF(m, 0.52 * h, w - 2 * m, 0.09 * h),
                       tr("last update {s} s ago — check the control room", s=int(self.age_s)), 0.05, "#000000")

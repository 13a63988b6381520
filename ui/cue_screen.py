"""The host's cue screen: one window, fullscreen on a chosen screen, readable from 3 metres.

Painted by hand (one paintEvent) so every size is a fraction of the screen height and nothing is smaller
than ~4 % of it. The screen is cut into fixed bands that never overlap:

  0.015–0.115  cue and segment title · status badge (ON BACKUP / PAUSED / …)
  0.12 –0.44   the countdown (a third of the height)            0.44–0.50  TIME LEFT / WRAP UP …
  0.52 –0.765  the product being explained: title; live price, list price struck through, 仅剩 N 件;
               the offer's own countdown
  0.775–0.905  alerts for the host, the running lucky bag 福袋 (prize, 口令, its countdown), a viewer's
               question the operator pushed ("观众问：…"), then the operator's message, or the sold-out
               switch's talk track (售罄 → the substitute), or the segment's talk track — text is shrunk
               to fit its band, so it never reaches the NEXT line
  0.915–0.965  NEXT (inside the overtime and ON BACKUP frames)

One truth: the product is the console's — the one being explained (讲解中), with its live price and the stock
viewers see — and it says so when nobody can buy it (off sale, locked, sold out); an offer countdown shows
only while that offer runs on a product on sale. The timer is the runner's heartbeat ("rundown.state", at
least every 0.5 s), extrapolated with the same monotonic clock; after `stale_after_s` without one it says
STALE in a way that cannot be mistaken for a running show. Alerts for the host stay until acknowledged.
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
from controlroom.rundown.files import format_duration
from ui import theme
from ui.i18n import Retranslating
from ui.words import alert_of, alert_title

SANS = ["Noto Sans CJK SC", "Noto Sans", "DejaVu Sans"]
MONO = ["DejaVu Sans Mono", "Noto Sans Mono CJK SC"]
PHASE_COLOURS = {"idle": theme.IDLE, "normal": "#f2f4f7", "warning": theme.WARNING, "danger": theme.ON_AIR,
                 "overtime": theme.ON_AIR}
MIN_FRACTION = 0.04          # nothing smaller than 4 % of the screen height
LOW_STOCK = 50               # 仅剩 N 件 turns red
FEW_LEFT = 200               # above this the stock is just "in stock", not a 仅剩 N 件 call to buy
FLASH_S = 2.0
PRODUCT_REREAD_S = 0.5       # the console is read at most twice a second; the offer timer is extrapolated between
# the bands (fractions of the height)
TOP = (0.015, 0.10)
COUNTDOWN = (0.12, 0.32)
SUBLINE = (0.44, 0.06)
PRODUCT = (0.52, 0.245)
BOTTOM = (0.775, 0.13)
NEXT = (0.915, 0.05)           # ends above the 3 % overtime frame (it cut the line)


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
    """What the host is shown about the product being explained."""
    sku: str
    title: str = ""
    list_fen: int | None = None
    live_fen: int | None = None
    stock: int | None = None            # what viewers are shown (仅剩 N 件)
    offer_left_s: float | None = None   # only while an offer runs on a product on sale
    offer_fen: int | None = None
    offer_paused: bool = False
    net_fen: int | None = None          # what a viewer pays after every stacked discount, when below the price shown
    listed: bool = True
    locked: bool = False

    @property
    def buyable(self) -> bool:
        return self.listed and not self.locked and (self.stock is None or self.stock > 0)


class CueScreen(Retranslating, QWidget):
    painted = Signal(float)          # perf_counter() when a paint finished (benchmark, tests)

    def __init__(self, rt, bridge, parent: QWidget | None = None, clock=None):
        super().__init__(parent)
        self.rt = rt
        self.clock = clock or rt.clock
        try:
            self.settings = rt.settings.section("rundown", RundownSettings)
        except Exception:
            self.settings = RundownSettings()
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setMinimumSize(480, 270)
        self.resize(1280, 720)
        self.state: dict[str, Any] | None = None
        self.received_at: float = self.clock.monotonic()
        self.on_backup = False
        self.backup_talk = ""
        self.alerts: dict[str, tuple[str, float]] = {}     # alert id -> (words, until); until acknowledged
        self._alert_payloads: dict[str, dict] = {}
        self.flash_until = 0.0
        self._last_remaining: float | None = None
        self._last_cue: str | None = None
        self._view_key: tuple = ()
        self.beeps = 0
        self._text_cache: dict[tuple, QPixmap] = {}
        self._product: ProductView | None = None
        self._product_read_at = -1e18
        self._bag = None                # the console's LuckyBagView, as of _product_read_at
        self._substitute = None         # the console's SubstituteView: the sold-out line
        self.question: str | None = None   # the viewer's comment pushed to the host (plain text)
        self.drawn: list[tuple[str, QRectF]] = []     # the texts of the last paint and where (tests, checks)
        bridge.event.connect(self._on_event)
        # alerts for the host raised before this window opened still wait for an acknowledgement
        for a in list(rt.alerts.open_alerts.values()) if rt.alerts is not None else []:
            if getattr(a, "to_cue", False):
                self._alert_payloads[a.alert_id] = alert_of(a)
                self.alerts[a.alert_id] = (self._alert_words(alert_of(a)), float("inf"))
        comments = rt.comments
        if comments is not None and comments.state.on_cue is not None:
            self.question = comments.state.on_cue.text
        room = rt.rundown
        if room is not None:
            self._take_state(room.runner.snapshot())
        self._timer = QTimer(self)
        self._timer.setInterval(50)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Cue screen"))
        self.alerts = {aid: (self._alert_words(p), until) for aid, (_w, until) in self.alerts.items()
                       for p in [self._alert_payloads.get(aid, {})]}
        self._text_cache.clear()
        self._view_key = ()
        self.update()

    # ---- input ----------------------------------------------------------------------------------
    def _alert_words(self, a: dict) -> str:
        return alert_title(str(a.get("rule") or ""), a.get("values") or {}, a.get("sku"), self._title_of,
                           fallback=str(a.get("title") or ""))

    def _title_of(self, sku: str) -> str:
        console = self.rt.console
        p = console.product(sku) if console is not None and sku else None
        return p.title if p is not None else ""

    def _on_event(self, topic: str, payload: Any) -> None:
        if topic == "rundown.state":
            self._take_state(payload)
        elif topic in ("console.state", "console.snapshot"):
            self._product_read_at = -1e18       # read the console again on the next refresh
            self.refresh()
        elif topic == "journal.stream.failover":
            self.on_backup = True
            self.backup_talk = str(_payload(payload).get("talk_track") or "")
            self.refresh()
        elif topic == "journal.stream.returned":
            self.on_backup = False
            self.refresh()
        elif topic == "alert.raised" and getattr(payload, "to_cue", False):
            a = alert_of(payload)
            self._alert_payloads[payload.alert_id] = a
            self.alerts[payload.alert_id] = (self._alert_words(a), float("inf"))
            self.refresh()
        elif topic == "comments.marks":
            on = (payload or {}).get("on_cue") if isinstance(payload, dict) else None
            self.question = on.text if on is not None else None
            self.refresh()
        elif topic == "alert.acked":
            aid = _payload(payload).get("alert_id")
            self.alerts.pop(aid, None)
            self._alert_payloads.pop(aid, None)
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
        if not seg or s.get("status") in (None, "idle", "ended"):
            return "idle"
        return phase_for(self.remaining(), seg.get("warning_s", 120), seg.get("danger_s", 30))

    def product(self) -> ProductView | None:
        """The product being explained, as the console has it now (None: nothing is being explained)."""
        now = self.clock.monotonic()
        if now - self._product_read_at >= PRODUCT_REREAD_S:
            self._product = self._read_product()
            self._product_read_at = now
        pv = self._product
        if pv is None or pv.offer_left_s is None:
            return pv
        left = pv.offer_left_s if pv.offer_paused else pv.offer_left_s - (now - self._product_read_at)
        view = ProductView(**{**pv.__dict__, "offer_left_s": left if left > 0 else None})
        return view

    def _read_product(self) -> ProductView | None:
        console = self.rt.console
        if console is None:
            return None
        try:
            snap = console.snapshot() if hasattr(console, "snapshot") else None   # the console's one picture
            p = snap.pinned if snap is not None else console.pinned()
        except Exception:  # noqa: BLE001 - the cue screen never dies of the console
            return None
        self._bag = getattr(snap, "lucky_bag", None)
        self._substitute = getattr(snap, "substitute", None)
        if p is None:
            return None
        locked = bool(p.locked or getattr(p, "uncertain", False))
        stock = p.displayed_stock if p.displayed_stock is not None else p.stock
        pv = ProductView(sku=p.sku, title=p.title, list_fen=p.list_price, live_fen=p.price, stock=stock,
                         listed=bool(p.listed), locked=locked)
        if p.offer_remaining_s is not None and p.offer_price is not None and pv.buyable:
            pv.offer_left_s, pv.offer_fen, pv.offer_paused = p.offer_remaining_s, p.offer_price, bool(p.offer_paused)
        shown = pv.offer_fen if pv.offer_left_s is not None else pv.live_fen
        net = getattr(p, "net_price", None)
        if net is not None and shown is not None and net < shown:
            pv.net_fen = net    # hosts quote 到手价: what a viewer pays after the coupons live now
        return pv

    def bag_left(self) -> float | None:
        """The running lucky bag's seconds left, extrapolated from the console's last picture."""
        if self._bag is None:
            return None
        return max(0.0, self._bag.remaining_s - (self.clock.monotonic() - self._product_read_at))

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
        pv = self.product()
        msg = s.get("message") or {}
        blink_on = int(time.monotonic() * 2) % 2 == 0
        key = (format_countdown(rem), self.phase(), self.stale, int(self.age_s) if self.stale else 0,
               now < self.flash_until and int(now * 6) % 2, self.on_backup, self.backup_talk,
               msg.get("text"), msg.get("style"), msg.get("style") == "blink" and blink_on,
               s.get("status"), cue, tuple(self.alerts), tuple(w for w, _ in self.alerts.values()),
               pv and (pv.sku, pv.title, pv.live_fen, pv.list_fen, pv.stock, pv.listed, pv.locked, pv.offer_paused, pv.net_fen,
                       pv.offer_left_s is not None and int(pv.offer_left_s)),
               (s.get("next") or {}).get("cue"), self.width(), self.height(),
               self._bag and (self._bag.bag_id, int(self.bag_left() or 0)), self.question,
               self._substitute and (self._substitute.substitute, self._substitute.talk_track))
        if key != self._view_key:
            self._view_key = key
            self.update()

    # ---- window ----------------------------------------------------------------------------------
    def stop(self) -> None:
        """No more redraws (its window is going away)."""
        self._timer.stop()

    def show_on_screen(self, index: int = -1, fullscreen: bool = True) -> None:
        """On QGuiApplication.screens()[index] (the last one, usually the host's, by default)."""
        screens = QGuiApplication.screens()
        if screens:
            screen = screens[max(-len(screens), min(index, len(screens) - 1))]
            self.setScreen(screen)
            self.setGeometry(screen.geometry())
        if fullscreen:
            self.showFullScreen()
        else:
            self.showMaximized()
        self.raise_()

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
        """Draw text shrunk to fit its rect (width, and height when wrapped), never below 4 % of the height;
        what still does not fit is cut at the rect's edge, never drawn over a neighbouring band.

        Glyphs this big are rasterised as paths (slow), so each text is rendered once into a pixmap
        and reused until it changes: a new message repaints only the message.
        """
        self.drawn.append((text, QRectF(rect)))
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
            floor = int(self.height() * MIN_FRACTION)
            flags = int(align) | (int(Qt.TextFlag.TextWordWrap) if wrap else 0)
            box = QRectF(0, 0, rect.width(), rect.height())
            for _ in range(12):
                fm = QFontMetricsF(f)
                if wrap:
                    need = fm.boundingRect(box, flags, text)
                    fits = need.height() <= rect.height() + 0.5 and need.width() <= rect.width() + 0.5
                else:
                    fits = fm.horizontalAdvance(text) <= rect.width() and fm.height() <= rect.height() + 0.5
                if fits or f.pixelSize() <= floor:
                    break
                f.setPixelSize(max(floor, int(f.pixelSize() * 0.9)))
            f.setStrikeOut(strike)
            q.setFont(f)
            q.setPen(QColor(colour))
            q.drawText(box, flags, text)
            q.end()
            if len(self._text_cache) > 200:
                self._text_cache.pop(next(iter(self._text_cache)))
            self._text_cache[key] = pix
        p.drawPixmap(rect.topLeft(), pix)

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        self.drawn = []
        try:
            self._paint(p)
        finally:
            p.end()
        self.painted.emit(time.perf_counter())

    def _band(self, band: tuple[float, float], m: float) -> QRectF:
        w, h = float(self.width()), float(self.height())
        return QRectF(m, band[0] * h, w - 2 * m, band[1] * h)

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
        m = 0.02 * w
        left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter

        if msg and msg.get("style") == "blackout" and not stale:
            # the operator blacks the screen out for a message; the countdown stays, small, at the top
            p.fillRect(self.rect(), QColor("#000000"))
            if msg.get("text"):
                self._text(p, QRectF(0.04 * w, 0.3 * h, 0.92 * w, 0.4 * h), msg["text"], 0.10, "#ffffff", wrap=True)
            if seg:
                self._text(p, QRectF(m, 0.04 * h, w - 2 * m, 0.12 * h), format_countdown(self.remaining()), 0.10,
                           PHASE_COLOURS[phase], mono=True)
            return

        flashing = now < self.flash_until and not stale
        bg = "#000000"
        if flashing:
            bg = theme.ON_AIR if int(now * 6) % 2 == 0 else "#ffffff"
        elif phase == "overtime" and not stale:
            bg = "#2a0000"
        p.fillRect(self.rect(), QColor(bg))

        # top line: cue + segment title, status badge on the right
        status = s.get("status")
        badge, badge_col = "", theme.IDLE
        if self.on_backup:
            badge, badge_col = self.tr("ON BACKUP"), theme.ON_AIR
        elif status == "paused":
            badge, badge_col = self.tr("PAUSED"), theme.WARNING
        elif status == "ended":
            badge, badge_col = self.tr("SHOW ENDED"), theme.IDLE
        elif status == "idle" or not s:
            badge, badge_col = self.tr("STANDBY"), theme.IDLE
        title = f"{seg.get('cue', '')}  {seg.get('title', '')}".strip() if seg else self.tr("No rundown loaded")
        badge_w = 0.26 * w if badge else 0
        top = self._band(TOP, m)
        self._text(p, QRectF(top.left(), top.top(), top.width() - badge_w - m * (1 if badge else 0), top.height()),
                   title, 0.075, "#ffffff", align=left)
        if badge:
            r = QRectF(w - m - badge_w, 0.025 * h, badge_w, 0.08 * h)
            p.fillRect(r, QColor(badge_col))
            self._text(p, r, badge, 0.055, "#000000" if badge_col == theme.WARNING else "#ffffff")

        # the big countdown: a third of the height
        rem = self.remaining()
        text = format_countdown(rem) if seg and status != "ended" else "--:--"
        col = "#000000" if flashing and bg == "#ffffff" else ("#ffffff" if flashing else PHASE_COLOURS[phase])
        if stale:
            col = "#5b5f66"
        self._text(p, self._band(COUNTDOWN, m), text, 0.30, col, mono=True)
        sub = {"overtime": self.tr("OVERTIME"), "danger": self.tr("WRAP UP NOW"), "warning": self.tr("WRAP UP SOON"),
               "normal": self.tr("TIME LEFT"), "idle": self.tr("STANDBY")}[phase]
        if status == "paused":
            sub = self.tr("PAUSED")
        elif status == "ended":
            sub = self.tr("SHOW ENDED")
        product_bottom = self._paint_product(p, m, ended=status == "ended")
        top, fold_bag = self._bottom_layout(msg, product_bottom)
        sub_band = self._band(SUBLINE, m)
        if fold_bag:
            # a lucky bag folded out of a crowded bottom band takes the right of this line (口令 and its
            # countdown); the words under the countdown move left of it, never under it
            self._text(p, QRectF(0.2 * w, sub_band.top(), 0.36 * w, sub_band.height()), sub, 0.045, col)
            box = QRectF(0.58 * w, sub_band.top(), 0.42 * w - m, sub_band.height())
            p.fillRect(QRectF(box.left(), box.top(), box.width() + m, box.height()), QColor("#1b5e20"))
            self._text(p, box.adjusted(0.01 * w, 0, 0, 0), self.tr("Lucky bag「{passphrase}」{t}").format(
                passphrase=self._bag.passphrase, t=format_countdown(self.bag_left() or 0)), 0.045, "#ffffff",
                align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        else:
            self._text(p, sub_band, sub, 0.045, col)
        self._paint_bottom(p, m, seg, msg, top, fold_bag)

        # next cue, small, at the bottom
        nxt = s.get("next")
        if nxt and status != "ended":
            line = self.tr("NEXT") + f"  {nxt.get('cue', '')}  {nxt.get('title', '')}  " \
                                     f"{format_duration(nxt.get('planned_s', 0))}"
            self._text(p, self._band(NEXT, m), line, 0.045, theme.TEXT_DIM, align=left, bold=False)

        # ON BACKUP: a red frame
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
            self._text(p, r.adjusted(m, 0, -m, -0.1 * h), self.tr("STALE – NO UPDATES"), 0.10, "#000000")
            self._text(p, QRectF(m, 0.52 * h, w - 2 * m, 0.09 * h),
                       self.tr("last update {s} s ago — check the control room").format(s=int(self.age_s)), 0.05,
                       "#000000")

    def _paint_product(self, p: QPainter, m: float, ended: bool = False) -> float:
        """The product being explained: what a viewer can buy now, or plainly that they cannot. Returns how far
        down the product band it drew (the bottom band may use the rest when it is crowded)."""
        w, h = float(self.width()), float(self.height())
        band = self._band(PRODUCT, m)
        y = band.top()
        if ended:
            # 下播: the room is closed and nobody can buy anything; the strip and SHOW ENDED say so
            return y
        pv = self.product()
        left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        if pv is None:
            self._text(p, QRectF(m, y, w - 2 * m, 0.065 * h), self.tr("No product being explained"), 0.05,
                       theme.TEXT_DIM, align=left, bold=False)
            return y + 0.065 * h
        self._text(p, QRectF(m, y, w - 2 * m, 0.065 * h), pv.title or pv.sku, 0.055, "#ffffff", align=left)
        row = QRectF(m, y + 0.07 * h, w - 2 * m, 0.11 * h)
        if not pv.buyable:
            if pv.locked:
                words, colour = self.tr("ON HOLD — do not sell, wait for the control room"), theme.WARNING
            elif not pv.listed:
                words, colour = self.tr("OFF SALE — viewers cannot buy it now"), theme.TEXT_DIM
            else:
                words, colour = self.tr("SOLD OUT"), theme.ON_AIR
            self._text(p, row, words, 0.07, colour, align=left)
            return row.bottom()
        offer_on = pv.offer_left_s is not None and pv.offer_fen is not None
        live = pv.offer_fen if offer_on else pv.live_fen
        self._text(p, QRectF(m, row.top(), 0.34 * w, row.height()), yuan(live), 0.10, theme.WARNING, mono=True,
                   align=left)
        if pv.list_fen and pv.list_fen != live:
            self._text(p, QRectF(m + 0.35 * w, row.top(), 0.2 * w, row.height()), yuan(pv.list_fen), 0.06,
                       theme.TEXT_DIM, mono=True, strike=True, align=left)
        if pv.stock is not None:
            right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            box = QRectF(0.56 * w, row.top(), w - 0.56 * w - m, row.height())
            if pv.stock <= FEW_LEFT:
                self._text(p, box, self.tr("Only {n} left").format(n=pv.stock), 0.08,
                           theme.ON_AIR if pv.stock <= LOW_STOCK else "#ffffff", align=right)
            else:
                self._text(p, box, self.tr("In stock: {n}").format(n=pv.stock), 0.05, theme.TEXT_DIM, align=right)
        lines = []
        if offer_on:
            lines.append((self.tr("Offer price paused, {t} left") if pv.offer_paused
                          else self.tr("Offer price ends in {t}")).format(t=format_countdown(pv.offer_left_s)))
        if pv.net_fen is not None:
            lines.append(self.tr("After coupons {price}").format(price=yuan(pv.net_fen)))
        if lines:
            self._text(p, QRectF(m, y + 0.185 * h, w - 2 * m, 0.058 * h), "   ·   ".join(lines), 0.05, theme.WARNING,
                       align=left)
            return y + 0.243 * h
        return row.bottom()

    def _rows_step(self) -> float:
        return 0.065 * self.height()

    def _bottom_layout(self, msg: dict | None, product_bottom: float) -> tuple[float, bool]:
        """Where the bottom band starts and whether the lucky bag folds out of it.

        What the operator sends the host (a message, a question) is never left out for want of room: when the
        rows do not fit, the band first takes the room the product left free above it (no offer line), then
        the lucky bag folds into the line under the countdown (口令 and its countdown)."""
        h = float(self.height())
        top, bottom = BOTTOM[0] * h, (BOTTOM[0] + BOTTOM[1]) * h
        step = self._rows_step()
        rows = (int(bool(self.alerts)) + int(self._bag is not None) + int(bool(self.question))
                + int(bool(msg and msg.get("text"))))
        if bottom - top + 0.005 * h >= rows * step:
            return top, False
        top = min(top, product_bottom + 0.01 * h)
        return top, self._bag is not None and bottom - top + 0.005 * h < rows * step

    def _paint_bottom(self, p: QPainter, m: float, seg: dict, msg: dict | None, top: float,
                      fold_bag: bool = False) -> None:
        """The band between the product and NEXT (from `top`, see _bottom_layout): alerts for the host, the lucky
        bag, the viewer's question, then the operator's message or the talk track. Everything is fitted into it;
        nothing is drawn over the countdown, the product or NEXT. A question gives way only to a message, while
        both would need a row that is not there."""
        w, h = float(self.width()), float(self.height())
        bottom = (BOTTOM[0] + BOTTOM[1]) * h
        left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        step = self._rows_step()
        has_msg = bool(msg and msg.get("text"))
        bag = None if fold_bag else self._bag

        def fits(n: int, from_y: float) -> bool:
            return bottom - from_y + 0.005 * h >= n * step

        if self.alerts:
            # the newest alert, and how many more wait: one line the host can read, never cut mid-sentence
            newest = list(self.alerts)[-1]
            critical = any((self._alert_payloads.get(a) or {}).get("severity") == "critical" for a in self.alerts)
            more = len(self.alerts) - 1
            r = QRectF(0, top, w, 0.06 * h)
            p.fillRect(r, QColor(theme.ON_AIR if critical else theme.WARNING))
            self._text(p, r.adjusted(m, 0, -m, 0), "⚠ " + self.alerts[newest][0] + (f"  (+{more})" if more else ""),
                       0.045, "#ffffff" if critical else "#000000", align=left)
            top += 0.065 * h
        if bag is not None and bottom - top >= 0.05 * h:
            # the countdown on the right, never cut; the prize and the condition give way to it
            cond = self.tr("follow + comment") if bag.follow_required else self.tr("comment")
            r = QRectF(0, top, w, 0.06 * h)
            p.fillRect(r, QColor("#1b5e20"))
            clock_w = 0.2 * w
            self._text(p, QRectF(w - m - clock_w, top, clock_w, r.height()), format_countdown(self.bag_left() or 0),
                       0.05, "#ffffff", mono=True, align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self._text(p, QRectF(m, top, w - 3 * m - clock_w, r.height()),
                       # the passphrase first: the host reads it out; the prize gives way on a narrow screen
                       self.tr("Lucky bag「{passphrase}」{cond} · {prize}").format(prize=bag.prize, cond=cond,
                                                                                  passphrase=bag.passphrase),
                       0.045, "#ffffff", align=left)
            top += 0.065 * h
        if self.question and bottom - top >= 0.05 * h and (not has_msg or fits(2, top)):
            r = QRectF(0, top, w, 0.06 * h)
            p.fillRect(r, QColor("#0b3d91"))
            self._text(p, r.adjusted(m, 0, -m, 0), self.tr("Viewer asks: {text}").format(text=self.question), 0.045,
                       "#ffffff", align=left)
            top += 0.065 * h
        if bottom - top < 0.04 * h:
            return
        if msg and msg.get("text"):
            blink = msg.get("style") == "blink"
            on = not blink or int(time.monotonic() * 2) % 2 == 0
            bg = ("#f2f4f7" if on else "#1a1d23") if blink else "#1f6feb"
            fg = ("#000000" if on else "#f2f4f7") if blink else "#ffffff"
            r = QRectF(0, top, w, bottom - top)
            p.fillRect(r, QColor(bg))
            self._text(p, r.adjusted(m, 0, -m, 0), msg["text"], 0.08, fg, wrap=True)
            return
        sub = self._substitute
        if sub is not None and not self.on_backup:
            line = self.tr("SOLD OUT → {product}: {talk}").format(product=sub.substitute_title or sub.substitute,
                                                                   talk=sub.talk_track)
            self._text(p, QRectF(m, top, w - 2 * m, bottom - top), line, 0.05, theme.WARNING, wrap=True, bold=True,
                       align=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            return
        talk = self.backup_talk if self.on_backup and self.backup_talk else seg.get("talk_track", "")
        if talk:
            self._text(p, QRectF(m, top, w - 2 * m, bottom - top), talk, 0.05 if self.on_backup else 0.045,
                       theme.ON_AIR if self.on_backup else "#c9d1d9", wrap=True, bold=False,
                       align=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

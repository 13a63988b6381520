"""What a 2 a.m. walkthrough under a real X server found (1366×768 and 1920×1080, zh_CN and en): each test
reproduces one finding on Qt's offscreen platform."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication


def start(qtbot, win):
    win.start_show()
    qtbot.waitUntil(lambda: win.rt.console.pinned() is not None, timeout=5000)


def _open(qtbot, dlg):
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.activateWindow()
    qtbot.waitExposed(dlg)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dlg, timeout=3000)


def test_a_dialog_opened_by_its_key_takes_what_the_operator_types(qtbot, main_window):
    """P, O, C: the operator types the number at once. The first field has the focus (it was the OK button:
    '59' went nowhere and Enter sent the old price back as a ticket)."""
    from ui.console_dialogs import CouponDialog, PriceDialog, StockDialog
    win, rt = main_window, main_window.rt
    start(qtbot, win)
    for dlg, field in ((PriceDialog(rt.console, "LIP-001", "price", win), "price"),
                       (PriceDialog(rt.console, "LIP-001", "offer", win), "price"),
                       (CouponDialog(rt.console, "LIP-001", win), "threshold"),
                       (StockDialog(rt.console, "LIP-001", win), "shown")):
        _open(qtbot, dlg)
        target = getattr(dlg, field)
        assert QApplication.focusWidget() is target, (dlg, QApplication.focusWidget())
        qtbot.keyClicks(QApplication.focusWidget(), "59")
        assert target.text() == "59"        # the price field's old value was selected: typing replaces it
        dlg.reject()


def _start_bag(qtbot, rt):
    svc = rt.console
    t = svc.request(svc.lucky_bag_command("丝绒口红正装一支", 120, "福袋来啦", follow_required=True, winners=1))
    svc.submit(t)
    qtbot.waitUntil(lambda: svc.snapshot().lucky_bag is not None, timeout=5000)


def _host_alert(rt):
    from controlroom.alerts import Alert
    return rt.alerts.raise_alert(Alert(rule="question_recurring", severity="info", title="Viewers keep asking",
                                       source="comments", sku="SER-002", to_cue=True,
                                       values={"sku": "SER-002", "topic": "price", "askers": 34, "window_s": 60.0}))


def _texts(cue):
    return [t for t, _ in cue.drawn]


def test_what_the_operator_sends_the_host_is_on_the_cue_screen_while_an_alert_and_a_lucky_bag_are_up(qtbot,
                                                                                                       main_window):
    """Seen at 1366×768: a host alert and a running lucky bag filled the band above NEXT, so the question the
    operator pushed (Q) — and a message (M) — were not drawn at all, while the comment list said "on the cue
    screen". Everything sent to the host is drawn, each in its own place, none over another or the countdown,
    the product or NEXT."""
    from PySide6.QtCore import QRectF
    win, rt = main_window, main_window.rt
    start(qtbot, win)
    _host_alert(rt)
    _start_bag(qtbot, rt)
    win.toggle_cue_screen()
    cue = win.cue_screen
    cue.resize(1366, 768)
    qtbot.waitUntil(lambda: cue._bag is not None and bool(cue.alerts), timeout=3000)
    cue.question = "刚才改价了吗？精华现在多少"
    rt.rundown.runner.send_message("准备开奖", "normal")
    qtbot.waitUntil(lambda: (cue.state or {}).get("message") is not None, timeout=3000)
    cue._product_read_at = -1e18
    cue.grab()
    texts = _texts(cue)
    wanted = {"alert": "Viewers keep asking", "bag": "Lucky bag「福袋来啦」",
              "question": "Viewer asks: 刚才改价了吗", "message": "准备开奖"}
    rects: dict[str, QRectF] = {}
    for name, needle in wanted.items():
        hit = [r for t, r in cue.drawn if needle in t]
        assert hit, f"{name} not drawn: {texts}"
        rects[name] = hit[0]
    product = next(r for t, r in cue.drawn if t == rt.console.pinned().title)
    nxt = next(r for t, r in cue.drawn if t.startswith("NEXT"))
    countdown = next(r for t, r in cue.drawn if t.replace(":", "").strip("-").isdigit() and r.height() > 100)
    h = cue.height()
    for name, r in rects.items():
        assert r.height() >= 0.04 * h - 0.5, (name, r)          # nothing smaller than 4 % of the height
        for other in (product, nxt, countdown):
            assert not r.intersects(other), (name, r, other)
        for o_name, o in rects.items():
            if o_name != name:
                assert not r.intersects(o), (name, o_name)


def test_after_the_show_ends_the_cue_screen_sells_nothing(qtbot, main_window):
    """Seen after 下播: the cue screen still showed "¥199 ¥299 库存 5955 件" for the product that was being
    explained. Once the show has ended no viewer can buy anything in the room."""
    win, rt = main_window, main_window.rt
    start(qtbot, win)
    win.toggle_cue_screen()
    cue = win.cue_screen
    title = rt.console.pinned().title
    cue._product_read_at = -1e18
    cue.grab()
    assert any(t == "¥199" or t.startswith("¥") for t in _texts(cue))
    rt.end()
    qtbot.waitUntil(lambda: (cue.state or {}).get("status") == "ended", timeout=3000)
    cue._product_read_at = -1e18
    cue.grab()
    texts = _texts(cue)
    assert not any(t.startswith("¥") for t in texts), texts
    assert not any(t.startswith(("In stock", "Only ")) for t in texts), texts
    assert title not in texts


def _brightest(widget) -> int:
    img = widget.grab().toImage()
    best = 0
    for y in range(0, img.height(), 1):
        for x in range(0, img.width(), 1):
            c = img.pixelColor(x, y)
            best = max(best, (c.red() * 299 + c.green() * 587 + c.blue() * 114) // 1000)
    return best


def test_f9_and_f10_look_unavailable_when_they_are(qtbot, main_window):
    """Seen with no stream guard configured: F9/F10 in the strip were disabled but drawn in bright white bold
    — brighter than an enabled F9 — and the panel's RETURN TO PRIMARY kept its blue frame. At 2 a.m. the operator
    pressed F9 and nothing happened. A button that cannot act is drawn dim (grey text, no coloured frame)."""
    win = main_window
    strip_buttons = win.strip.stream_buttons
    assert strip_buttons and not win.stream_actions.fail_over.isEnabled()     # no guard.toml: nothing to switch
    panel = win.docks["stream"].widget().widget()
    for b in strip_buttons + [panel.fail_btn, panel.return_btn]:
        assert not b.isEnabled()
        assert _brightest(b) < 150, (b.objectName() or b.text(), _brightest(b))


def test_an_unticked_box_can_be_seen_in_the_dark(qtbot, main_window):
    """Seen in the coupon dialog (全店通用) and the lucky-bag dialog (需关注主播): an unticked box drew a near-black
    square on the near-black dialog, so the operator saw a label and no box to tick."""
    from PySide6.QtWidgets import QCheckBox
    from ui.console_dialogs import CouponDialog
    win, rt = main_window, main_window.rt
    start(qtbot, win)
    dlg = CouponDialog(rt.console, "LIP-001", win)
    _open(qtbot, dlg)
    box: QCheckBox = dlg.shop_wide
    assert not box.isChecked()
    from PySide6.QtWidgets import QStyle, QStyleOptionButton
    opt = QStyleOptionButton()
    box.initStyleOption(opt)
    ind = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, opt, box)
    lum = lambda c: (c.red() * 299 + c.green() * 587 + c.blue() * 114) // 1000   # noqa: E731

    def indicator_pixels():
        img = box.grab().toImage()
        return [lum(img.pixelColor(x, y)) for x in range(max(0, ind.left()), min(img.width(), ind.right() + 1))
                for y in range(max(0, ind.top()), min(img.height(), ind.bottom() + 1))]
    bg = lum(box.grab().toImage().pixelColor(box.width() - 1, 0))
    unticked = indicator_pixels()
    # the indicator's frame stands out from the dialog's background
    assert max(unticked) - bg >= 60, (max(unticked), bg)
    box.setChecked(True)
    assert indicator_pixels() != unticked        # ticked looks different from unticked
    dlg.reject()


def test_every_actor_the_core_writes_has_a_word(lang):
    """Seen in the zh_CN feed: "16:39:20 comments 告警：观众一直在问…" — the comment room's actor was shown as the
    raw English code. Every actor or alert source the core writes has a word in the UI's table."""
    import re
    from pathlib import Path
    from ui.words import ACTORS, actor_word
    root = Path(__file__).resolve().parents[2] / "controlroom"
    found = set()
    for path in root.rglob("*.py"):
        found |= set(re.findall(r'\b(?:actor|source)(?:: str)? ?= ?"([a-z][a-z_-]*)"', path.read_text("utf-8")))
    assert "comments" in found and "operator" in found
    missing = sorted(found - set(ACTORS))
    assert not missing, missing
    lang("zh_CN")
    for code in found:
        assert not re.search(r"[A-Za-z]{3,}", actor_word(code)), (code, actor_word(code))


def test_one_alert_is_one_alert(qtbot, main_window):
    """Seen in English at 1920×1080: the strip said "1 alerts"."""
    win, rt = main_window, main_window.rt
    start(qtbot, win)
    _host_alert(rt)
    win.strip._refresh_alerts()
    assert "1 alert&nbsp;" in win.strip.alerts.text(), win.strip.alerts.text()


def test_next_is_inside_the_overtime_and_backup_frames(qtbot, main_window):
    """Seen in overtime at 1366×768: the thick red frame (3 % of the height) cut the bottom of the NEXT line."""
    win, rt = main_window, main_window.rt
    start(qtbot, win)
    win.toggle_cue_screen()
    cue = win.cue_screen
    cue.resize(1366, 768)
    cue.grab()
    nxt = next(r for t, r in cue.drawn if t.startswith("NEXT"))
    assert nxt.bottom() <= cue.height() * (1 - 0.03) + 0.5, nxt

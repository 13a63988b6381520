"""The stream panel renders the guard's state (with a fake Switcher) and the not-configured state."""
from __future__ import annotations

from types import SimpleNamespace

from controlroom.bus import EventBus
from tests.core.stream.test_stream_guard import Rig


class RoomLike:
    def __init__(self, guard):
        self.guard = guard

    def state(self):
        return self.guard.state()

    def fail_over_now(self, actor, reason=""):
        return self.guard.fail_over_now(actor, reason)

    def return_to_primary(self, actor, reason=""):
        return self.guard.return_to_primary(actor, reason)

    def set_hold(self, on, actor):
        self.guard.set_hold(on, actor)


def test_panel_shows_instances_and_last_switch(qtbot, tmp_path):
    from ui.bridge import QtBridge
    from ui.panels.stream import create_panel
    r = Rig(tmp_path)
    r.live_primary()
    r.run(3)
    r.obs["main"].break_ingest()
    r.until(lambda: r.guard.state()["state"] == "ON_BACKUP", 5)
    r.run(2)
    rt = SimpleNamespace(stream=RoomLike(r.guard))
    bridge = QtBridge(r.bus)
    w = create_panel(rt, bridge)
    qtbot.addWidget(w)
    w.resize(900, 560)
    w.refresh()
    assert "ON BACKUP" in w.state_label.text()
    assert "ms" in w.last_label.text()
    assert w.return_btn.isEnabled() and not w.fail_btn.isEnabled()
    w.grab().save(str(tmp_path / "stream_panel.png"))


def test_panel_not_configured(qtbot):
    from ui.bridge import QtBridge
    from ui.panels.stream import create_panel
    rt = SimpleNamespace(stream=None)
    w = create_panel(rt, QtBridge(EventBus()))
    qtbot.addWidget(w)
    assert "guard.toml" in w.hint.text() and not w.fail_btn.isEnabled()


def test_panel_shows_the_viewer_probe(qtbot):
    from types import SimpleNamespace
    from ui.panels.stream import StreamPanel
    from controlroom.bus import EventBus
    from ui.bridge import QtBridge
    rt = SimpleNamespace(stream=None, bus=EventBus())
    panel = StreamPanel(rt, QtBridge(rt.bus))
    qtbot.addWidget(panel)
    base = {"configured": True, "state": "ON_PRIMARY", "method": "backup_encoder", "instances": {},
            "last_switch": None, "on_backup": False, "hold": False}
    panel.refresh({**base, "probe": {"url": "rtmp://x/live/***", "last_frame_age_s": 0.3, "starts": 1}})
    assert "frames arriving" in panel.probe_label.text() and "***" in panel.probe_label.text()
    panel.refresh({**base, "probe": {"url": "rtmp://x/live/***", "last_frame_age_s": 4.2, "starts": 3}})
    assert "no frames for 4.2 s" in panel.probe_label.text()
    panel.refresh(base)
    assert panel.probe_label.isHidden()


def test_panel_text_masks_urls_with_the_one_masking_function(qtbot):
    """Whatever reaches the panel, its text shows URLs through controlroom.stream.urls.mask_url (issue 13)."""
    from ui.panels.stream import StreamPanel
    from controlroom.bus import EventBus
    from ui.bridge import QtBridge
    rt = SimpleNamespace(stream=None, bus=EventBus())
    panel = StreamPanel(rt, QtBridge(rt.bus))
    qtbot.addWidget(panel)
    raw = "rtmp://u:pw-5150@push.example.com/live/sk-zz-9?txSecret=ts-77&txTime=66AA"
    snap = {"configured": True, "state": "FAILING_OVER", "method": "backup_encoder", "instances": {},
            "last_switch": None, "on_backup": False, "hold": False,
            "switching": {"kind": "failover", "target": raw, "elapsed_s": 0.2},
            "probe": {"url": raw, "last_frame_age_s": 0.3, "starts": 1}}
    panel.refresh(snap)
    text = panel.last_label.text() + panel.probe_label.text()
    for secret in ("pw-5150", "sk-zz-9", "ts-77", "66AA"):
        assert secret not in text, text
    assert "push.example.com/live/***" in text

"""Alert sinks against a real webhook receiver on 127.0.0.1 (tests/fakes.WebhookReceiver)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import time
import urllib.parse
from datetime import datetime

import pytest

from controlroom.alerts import Alert, AlertRouter
from controlroom.bus import EventBus
from controlroom.secrets import set_secret
from controlroom.settings import Settings, SettingsError
from plugins.alert_sinks import (AlertSinksSettings, DingTalkSink, FeishuSink, SinkError, SlackSink,
                                 WeComSink, build_sinks, view)
from plugins.alert_sinks.render import truncate_utf8
from plugins.http_retry import RetryPolicy
from tests.fakes import Reply, WebhookReceiver, refused_url

WECOM_KEY = "693a91f6-7d2e-4bc4-97a0-0ec2sifa5aaa"
DING_TOKEN = "98975521a1b23c02cdd1a9a08c69511ddf5fa9d2"
DING_SECRET = "SEC19dd84be8c7f3cf71761974f1ed3ef77c1451906ae8"
FEISHU_HOOK = "2d58268f-711f-4cec-ffa0-21b263ea6b7a"
FEISHU_SECRET = "fs-sign-secret-1234567"
SLACK_TOKEN = "XyZ123abcDEF456ghiJKL789"
FIXED_NOW = datetime(2026, 11, 22, 20, 5, 31).astimezone()
FAST = RetryPolicy(max_attempts=3, backoff_base=0.01, backoff_max=0.05, budget=2.0)

ALERT = Alert(rule="conversion_low", severity="critical", title="转化率过低 Conversion low",
              detail="5 分钟转化率 12.0%,低于 15% / 5-min conversion 12.0% < 15%",
              values={"conversion": 0.12, "threshold": 0.15, "window_s": 300, "gmv": 1234567},
              source="metrics", sku="SKU1", suggestion="发福袋 Launch a lucky bag", alert_id="A42")


def kw(**extra):
    return dict(policy=FAST, timeout=(0.5, 0.3), now=lambda: FIXED_NOW, **extra)


@pytest.fixture
def recv():
    r = WebhookReceiver()
    yield r
    r.close()


def no_secrets(text: str, *secrets: str) -> None:
    for s in secrets:
        assert s not in text


# ---- WeCom 企业微信 --------------------------------------------------------------------------
def test_wecom_markdown_shape(recv):
    sink = WeComSink(f"{recv.url}/cgi-bin/webhook/send?key={WECOM_KEY}", **kw())
    sink.send(ALERT, "双11 秋冬专场")
    (req,) = recv.requests
    assert req.method == "POST" and req.path == "/cgi-bin/webhook/send"
    assert req.query == {"key": WECOM_KEY}
    assert req.headers["content-type"].startswith("application/json")
    body = req.json
    assert body["msgtype"] == "markdown" and set(body) == {"msgtype", "markdown"}
    content = body["markdown"]["content"]
    for piece in ("转化率过低 Conversion low", "双11 秋冬专场", "12.0%", "conversion = 0.12",
                  "gmv = 1,234,567", "发福袋", "SKU1", "conversion_low", "A42", "2026-11-22 20:05:31",
                  "详情 Detail", "建议 Suggestion", "严重 Critical", '<font color="warning">'):
        assert piece in content, piece
    assert content.startswith("### ")


def test_wecom_text_shape_and_mention_all(recv):
    sink = WeComSink(f"{recv.url}/send?key={WECOM_KEY}", msgtype="text", at_all_on_critical=True,
                     language="zh", **kw())
    sink.send(ALERT, "Show")
    body = recv.requests[0].json
    assert body["msgtype"] == "text"
    assert body["text"]["mentioned_list"] == ["@all"]
    assert "详情: 5 分钟转化率" in body["text"]["content"] and "Detail" not in body["text"]["content"]


def test_wecom_error_body_is_a_failure_without_the_key(recv, caplog):
    caplog.set_level(logging.DEBUG)
    recv.then(Reply(200, {"errcode": 93000, "errmsg": "invalid webhook url, hint: [1722]"}))
    sink = WeComSink(f"{recv.url}/send?key={WECOM_KEY}", **kw())
    with pytest.raises(SinkError) as ei:
        sink.send(ALERT, "Show")
    assert "93000" in str(ei.value) and "invalid webhook url" in str(ei.value)
    assert len(recv.requests) == 1            # a refusal is not retried
    no_secrets(str(ei.value) + repr(sink) + caplog.text, WECOM_KEY, recv.url + "/send")


def test_wecom_rate_limit_errcode_is_retried(recv):
    recv.then(Reply(200, {"errcode": 45009, "errmsg": "api freq out of limit"}))
    WeComSink(f"{recv.url}/send?key={WECOM_KEY}", **kw()).send(ALERT, "Show")
    assert len(recv.requests) == 2


def test_long_text_is_cut_to_the_byte_limit(recv):
    long = Alert(rule="x", severity="warning", title="长" * 3000)
    WeComSink(f"{recv.url}/send?key={WECOM_KEY}", **kw()).send(long, "Show")
    assert len(recv.requests[0].json["markdown"]["content"].encode("utf-8")) <= 4096
    assert truncate_utf8("价格" * 10, 7) == "价" + "…"      # 3 + 3 bytes: never half a character


# ---- DingTalk 钉钉 ---------------------------------------------------------------------------
def test_dingtalk_markdown_signed(recv):
    ts_ms = 1763812000123
    sink = DingTalkSink(f"{recv.url}/robot/send?access_token={DING_TOKEN}", secret=DING_SECRET,
                        wall_time=lambda: ts_ms / 1000, **kw())
    sink.send(ALERT, "Show")
    (req,) = recv.requests
    assert req.query["access_token"] == DING_TOKEN
    assert req.query["timestamp"] == str(ts_ms)
    # recompute: HMAC-SHA256(key=secret, msg="timestamp\nsecret"), base64, URL-encoded in the query
    want = base64.b64encode(hmac.new(DING_SECRET.encode(), f"{ts_ms}\n{DING_SECRET}".encode(),
                                     hashlib.sha256).digest()).decode()
    assert req.query["sign"] == want
    assert "sign=" + urllib.parse.quote_plus(want) in req.raw_path
    body = req.json
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"].endswith("转化率过低 Conversion low")
    assert "**详情 Detail**" in body["markdown"]["text"] and "\n\n" in body["markdown"]["text"]
    assert body["at"] == {"isAtAll": False}


def test_dingtalk_unsigned_and_errcode(recv, caplog):
    caplog.set_level(logging.DEBUG)
    recv.then(Reply(200, {"errcode": 310000, "errmsg": "sign not match"}))
    sink = DingTalkSink(f"{recv.url}/robot/send?access_token={DING_TOKEN}", secret=DING_SECRET, **kw())
    with pytest.raises(SinkError, match="310000.*sign not match"):
        sink.send(ALERT, "Show")
    no_secrets(caplog.text, DING_TOKEN, DING_SECRET)
    plain = DingTalkSink(f"{recv.url}/robot/send?access_token={DING_TOKEN}", msgtype="text", **kw())
    plain.send(ALERT, "Show")
    req = recv.requests[-1]
    assert set(req.query) == {"access_token"}
    assert req.json["msgtype"] == "text" and "转化率过低" in req.json["text"]["content"]


def test_dingtalk_busy_is_retried(recv):
    recv.then(Reply(200, {"errcode": 130101, "errmsg": "send too fast"}))
    DingTalkSink(f"{recv.url}/robot/send?access_token={DING_TOKEN}", **kw()).send(ALERT, "Show")
    assert len(recv.requests) == 2


# ---- Feishu 飞书 -----------------------------------------------------------------------------
@pytest.fixture
def feishu_recv():
    r = WebhookReceiver(default=Reply(200, {"code": 0, "msg": "success", "data": {}}))
    yield r
    r.close()


def test_feishu_card_signed(feishu_recv):
    ts = 1763812000
    sink = FeishuSink(f"{feishu_recv.url}/open-apis/bot/v2/hook/{FEISHU_HOOK}", secret=FEISHU_SECRET,
                      wall_time=lambda: ts + 0.7, **kw())
    sink.send(ALERT, "Show")
    body = feishu_recv.requests[0].json
    assert body["timestamp"] == str(ts)
    # recompute: HMAC-SHA256 with key "timestamp\nsecret" over an empty message, base64
    want = base64.b64encode(hmac.new(f"{ts}\n{FEISHU_SECRET}".encode(), b"", hashlib.sha256).digest()).decode()
    assert body["sign"] == want
    assert body["msg_type"] == "interactive"
    card = body["card"]
    assert card["header"]["template"] == "red"
    assert card["header"]["title"] == {"tag": "plain_text", "content": view(ALERT, "Show", "both", FIXED_NOW).heading}
    assert card["elements"][0]["text"]["tag"] == "lark_md"
    assert "**建议 Suggestion**: 发福袋" in card["elements"][0]["text"]["content"]
    assert card["elements"][1]["tag"] == "note"


def test_feishu_text_unsigned_and_errors(feishu_recv, caplog):
    caplog.set_level(logging.DEBUG)
    sink = FeishuSink(f"{feishu_recv.url}/open-apis/bot/v2/hook/{FEISHU_HOOK}", msg_type="text", **kw())
    sink.send(ALERT, "Show")
    body = feishu_recv.requests[0].json
    assert set(body) == {"msg_type", "content"} and body["msg_type"] == "text"
    assert "转化率过低" in body["content"]["text"]
    feishu_recv.then(Reply(200, {"code": 19021, "msg": "sign match fail or timestamp is not within one hour"}))
    with pytest.raises(SinkError, match="19021") as ei:
        sink.send(ALERT, "Show")
    feishu_recv.then(Reply(200, {"StatusCode": 0, "StatusMessage": "success"}))
    sink.send(ALERT, "Show")                      # the older answer shape also counts as sent
    no_secrets(str(ei.value) + caplog.text, FEISHU_HOOK)


# ---- Slack --------------------------------------------------------------------------------
@pytest.fixture
def slack_recv():
    r = WebhookReceiver(default=Reply(200, "ok"))
    yield r
    r.close()


def test_slack_blocks(slack_recv):
    sink = SlackSink(f"{slack_recv.url}/services/T000/B000/{SLACK_TOKEN}", language="en", **kw())
    a = Alert(rule="r", severity="warning", title="GMV <swing> & drop", detail="a < b")
    sink.send(a, "Show")
    body = slack_recv.requests[0].json
    assert "GMV &lt;swing&gt; &amp; drop" in body["text"]
    kinds = [b["type"] for b in body["blocks"]]
    assert kinds == ["header", "section", "context"]
    assert body["blocks"][0]["text"]["type"] == "plain_text"
    assert body["blocks"][0]["text"]["text"] == "🟠 Warning · GMV <swing> & drop"
    assert "*Detail*: a &lt; b" in body["blocks"][1]["text"]["text"]


def test_slack_http_errors_and_429(slack_recv, caplog):
    caplog.set_level(logging.DEBUG)
    sink = SlackSink(f"{slack_recv.url}/services/T000/B000/{SLACK_TOKEN}", **kw())
    slack_recv.then(Reply(400, "invalid_payload"))
    with pytest.raises(SinkError, match="HTTP 400.*invalid_payload") as ei:
        sink.send(ALERT, "Show")
    assert len(slack_recv.requests) == 1
    slack_recv.then(Reply(429, "rate_limited", {"Retry-After": "0.25"}))
    sink.send(ALERT, "Show")
    r1, r2 = slack_recv.requests[1:]
    assert r2.t - r1.t >= 0.25
    no_secrets(str(ei.value) + caplog.text, SLACK_TOKEN)


# ---- transport faults, shared -------------------------------------------------------------
def test_5xx_retried_then_given_up(recv):
    recv.then(*[Reply(502, "bad gateway")] * 5)
    sink = WeComSink(f"{recv.url}/send?key={WECOM_KEY}", **kw())
    with pytest.raises(SinkError, match="HTTP 502.*3 attempts"):
        sink.send(ALERT, "Show")
    assert len(recv.requests) == 3
    assert sink.last_trace.attempts == 3 and len(sink.last_trace.waits) == 2


def test_timeout_and_refused(recv, caplog):
    caplog.set_level(logging.DEBUG)
    recv.then(*[Reply(200, {"errcode": 0}, delay=0.8)] * 3)
    sink = WeComSink(f"{recv.url}/send?key={WECOM_KEY}", **kw())
    with pytest.raises(SinkError, match="no answer within 0.3 s") as e1:
        sink.send(ALERT, "Show")
    dead = WeComSink(f"{refused_url()}/send?key={WECOM_KEY}", **kw())
    with pytest.raises(SinkError, match="refused") as e2:
        dead.send(ALERT, "Show")
    no_secrets(str(e1.value) + str(e2.value) + caplog.text, WECOM_KEY)
    assert e2.value.__cause__ is None and e2.value.__suppress_context__


def test_min_severity_filters(recv):
    sink = WeComSink(f"{recv.url}/send?key={WECOM_KEY}", min_severity="warning", **kw())
    sink.send(Alert(rule="r", severity="info", title="fyi"), "Show")
    assert recv.requests == []
    sink.send(Alert(rule="r", severity="warning", title="look"), "Show")
    assert len(recv.requests) == 1


def test_render_languages():
    zh = view(ALERT, "Show", "zh", FIXED_NOW)
    en = view(ALERT, "Show", "en", FIXED_NOW)
    assert zh.heading.startswith("🔴 严重 ·") and en.heading.startswith("🔴 Critical ·")
    assert [l for l, _ in zh.lines] == ["直播", "商品", "详情", "数据", "建议"]
    assert [l for l, _ in en.lines] == ["Show", "SKU", "Detail", "Values", "Suggestion"]
    assert "来源: 数据" in zh.footer and "Source: metrics" in en.footer
    with pytest.raises(ValueError):
        view(ALERT, "Show", "fr")


# ---- the factory and the router --------------------------------------------------------------
def test_build_sinks_from_settings(tmp_path, recv, monkeypatch, caplog):
    path = tmp_path / "settings.toml"
    path.write_text('[alert_sinks]\nenabled = ["wecom", "dingtalk", "slack", "feishu"]\n'
                    'min_severity = "critical"\nlanguage = "zh"\nwecom_msgtype = "text"\n', encoding="utf-8")
    set_secret("alert_wecom_webhook", f"{recv.url}/send?key={WECOM_KEY}")
    set_secret("alert_dingtalk_webhook", f"{recv.url}/robot/send?access_token={DING_TOKEN}")
    set_secret("alert_dingtalk_secret", DING_SECRET)
    monkeypatch.setenv("CONTROLROOM_SLACK_WEBHOOK", f"{recv.url}/services/T/B/{SLACK_TOKEN}")
    monkeypatch.delenv("CONTROLROOM_FEISHU_WEBHOOK", raising=False)
    set_secret("alert_feishu_webhook", "")
    recv.default = lambda req: Reply(200, "ok") if req.path.startswith("/services/") else \
        Reply(200, {"errcode": 0, "errmsg": "ok"})
    caplog.set_level(logging.WARNING)
    sinks = build_sinks(Settings(path), policy=FAST, timeout=(0.5, 0.3))
    assert [s.name for s in sinks] == ["wecom", "dingtalk", "slack"]
    assert "feishu" in caplog.text and "alert_feishu_webhook" in caplog.text
    assert all(s.min_severity == "critical" and s.language == "zh" for s in sinks)
    assert sinks[0].msgtype == "text"
    for s in sinks:
        s.send(Alert(rule="r", severity="warning", title="below the bar"), "Show")
        s.send(ALERT, "Show")
    assert len(recv.requests) == 3
    assert "sign" in recv.requests[1].query
    no_secrets(caplog.text + repr(sinks), WECOM_KEY, DING_TOKEN, DING_SECRET, SLACK_TOKEN)
    assert build_sinks(Settings(tmp_path / "absent.toml")) == []


@pytest.mark.parametrize("line,key", [('enabled = ["teams"]', "enabled"), ('min_severity = "loud"', "min_severity"),
                                      ('language = "fr"', "language"), ('feishu_msg_type = "post"', "feishu_msg_type"),
                                      ("max_attempts = 0", "max_attempts"), ("webhook = 'x'", "webhook")])
def test_bad_settings_name_the_key(tmp_path, line, key):
    path = tmp_path / "settings.toml"
    path.write_text(f"[alert_sinks]\n{line}\n", encoding="utf-8")
    with pytest.raises(SettingsError) as ei:
        build_sinks(Settings(path))
    assert key in str(ei.value) and "alert_sinks" in str(ei.value)


def test_router_delivers_through_a_sink_and_reports_failure(recv):
    bus = EventBus()
    seen = []
    bus.subscribe(lambda topic, payload: seen.append((topic, payload)), "alert.")
    good = WeComSink(f"{recv.url}/send?key={WECOM_KEY}", **kw())
    bad = DingTalkSink(f"{refused_url()}/robot/send?access_token={DING_TOKEN}", **kw())
    router = AlertRouter(journal=None, bus=bus, session_id_fn=lambda: None, sinks=[good, bad],
                         show_title_fn=lambda: "双11 秋冬专场")
    try:
        a = router.raise_alert(ALERT)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and \
                not {"alert.delivered", "alert.sink_failed"} <= {t for t, _ in list(seen)}:
            time.sleep(0.02)
    finally:
        router.close()
    outcomes = {t: p for t, p in seen if t in ("alert.delivered", "alert.sink_failed")}
    assert outcomes["alert.delivered"] == {"alert_id": a.alert_id, "sink": "wecom"}
    assert outcomes["alert.sink_failed"]["sink"] == "dingtalk"
    no_secrets(outcomes["alert.sink_failed"]["error"], DING_TOKEN)
    assert "双11 秋冬专场" in recv.requests[0].json["markdown"]["content"]

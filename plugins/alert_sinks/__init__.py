"""Alert sinks: chat webhooks for WeCom 企业微信, DingTalk 钉钉, Feishu 飞书 and Slack.

Each implements controlroom.alerts.AlertSink (`name`, `send(alert, show_title)`), posts with
timeouts and retries (plugins.http_retry), treats the service's own error body as a failure, and
takes its webhook URL and signing secret from controlroom.secrets (keyring entry or environment
variable), never from the settings file. `build_sinks(settings)` reads `[alert_sinks]`:

    [alert_sinks]
    enabled = ["wecom", "dingtalk"]   # any of wecom, dingtalk, feishu, slack
    min_severity = "warning"          # info | warning | critical
    language = "both"                 # zh | en | both

and looks up, for each enabled kind, the keyring entry `alert_<kind>_webhook` (or the variable
CONTROLROOM_<KIND>_WEBHOOK) and, for DingTalk and Feishu signing, `alert_<kind>_secret`
(CONTROLROOM_<KIND>_SECRET); without a secret those two send unsigned.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from controlroom.alerts import SEVERITIES, AlertSink
from controlroom.secrets import get_secret
from controlroom.settings import Settings, SettingsError
from plugins.http_retry import RetryPolicy

from .dingtalk import DingTalkSink, dingtalk_sign
from .feishu import FeishuSink, feishu_sign
from .render import LANGUAGES, view
from .slack import SlackSink
from .webhook import SinkError, WebhookSink
from .wecom import WeComSink

__all__ = ["AlertSinksSettings", "build_sinks", "WeComSink", "DingTalkSink", "FeishuSink", "SlackSink",
           "WebhookSink", "SinkError", "dingtalk_sign", "feishu_sign", "view", "KINDS"]

log = logging.getLogger(__name__)

SECTION = "alert_sinks"
KINDS = ("wecom", "dingtalk", "feishu", "slack")


@dataclass(frozen=True)
class AlertSinksSettings:
    enabled: tuple[str, ...] = ()
    min_severity: str = "warning"
    language: str = "both"
    at_all_on_critical: bool = False       # @all (DingTalk, WeCom text) / <!channel> (Slack) on critical
    connect_timeout: float = 3.0
    read_timeout: float = 5.0
    max_attempts: int = 3
    backoff_base: float = 0.5
    backoff_max: float = 4.0
    retry_budget: float = 15.0
    wecom_msgtype: str = "markdown"        # markdown | text
    dingtalk_msgtype: str = "markdown"     # markdown | text
    feishu_msg_type: str = "interactive"   # interactive | text
    # where the credentials live: keyring entry names and environment variables
    wecom_webhook_secret: str = "alert_wecom_webhook"
    wecom_webhook_env: str = "CONTROLROOM_WECOM_WEBHOOK"
    dingtalk_webhook_secret: str = "alert_dingtalk_webhook"
    dingtalk_webhook_env: str = "CONTROLROOM_DINGTALK_WEBHOOK"
    dingtalk_sign_secret: str = "alert_dingtalk_secret"
    dingtalk_sign_env: str = "CONTROLROOM_DINGTALK_SECRET"
    feishu_webhook_secret: str = "alert_feishu_webhook"
    feishu_webhook_env: str = "CONTROLROOM_FEISHU_WEBHOOK"
    feishu_sign_secret: str = "alert_feishu_secret"
    feishu_sign_env: str = "CONTROLROOM_FEISHU_SECRET"
    slack_webhook_secret: str = "alert_slack_webhook"
    slack_webhook_env: str = "CONTROLROOM_SLACK_WEBHOOK"

    def validate(self, where: str = f"[{SECTION}]") -> "AlertSinksSettings":
        unknown = [k for k in self.enabled if k not in KINDS]
        if unknown:
            raise SettingsError(f"{where} enabled: unknown sink {', '.join(map(repr, unknown))}; "
                                f"expected any of {', '.join(KINDS)}")
        if self.min_severity not in SEVERITIES:
            raise SettingsError(f"{where} min_severity: expected one of {', '.join(SEVERITIES)}, "
                                f"got {self.min_severity!r}")
        if self.language not in LANGUAGES:
            raise SettingsError(f"{where} language: expected one of {', '.join(LANGUAGES)}, got {self.language!r}")
        for key, allowed in (("wecom_msgtype", ("markdown", "text")), ("dingtalk_msgtype", ("markdown", "text")),
                             ("feishu_msg_type", ("interactive", "text"))):
            if getattr(self, key) not in allowed:
                raise SettingsError(f"{where} {key}: expected {' or '.join(allowed)}, got {getattr(self, key)!r}")
        for key in ("connect_timeout", "read_timeout", "backoff_base", "backoff_max", "retry_budget"):
            if not getattr(self, key) > 0:
                raise SettingsError(f"{where} {key}: must be more than 0")
        if self.max_attempts < 1:
            raise SettingsError(f"{where} max_attempts: must be at least 1")
        return self


def load_settings(settings: Settings | AlertSinksSettings | None) -> AlertSinksSettings:
    if settings is None:
        return AlertSinksSettings()
    if isinstance(settings, AlertSinksSettings):
        return settings.validate()
    cfg = settings.section(SECTION, AlertSinksSettings)
    return cfg.validate(f"{settings.path}: [{SECTION}]" if settings.path else f"[{SECTION}]")


def build_sinks(settings: Settings | AlertSinksSettings | None, **sink_kw: Any) -> list[AlertSink]:
    """The sinks `[alert_sinks] enabled` asks for. A sink whose webhook URL is in neither the
    keyring nor the environment is left out with a warning naming where to put it (a missing chat
    must not stop the show). `sink_kw` (session, sleep, now, ...) is passed to each sink (tests)."""
    cfg = load_settings(settings)
    policy = RetryPolicy(max_attempts=cfg.max_attempts, backoff_base=cfg.backoff_base,
                         backoff_max=cfg.backoff_max, budget=cfg.retry_budget)
    common = dict(min_severity=cfg.min_severity, language=cfg.language, policy=policy,
                  timeout=(cfg.connect_timeout, cfg.read_timeout), at_all_on_critical=cfg.at_all_on_critical)
    common.update(sink_kw)
    sinks: list[AlertSink] = []
    for kind in dict.fromkeys(cfg.enabled):   # keep order, drop duplicates
        name, env = getattr(cfg, f"{kind}_webhook_secret"), getattr(cfg, f"{kind}_webhook_env")
        url = get_secret(name, env=env or None)
        if not url:
            log.warning("alert sink %s is enabled but has no webhook URL: store it in the keyring as %r "
                        "or set %s", kind, name, env)
            continue
        try:
            if kind == "wecom":
                sinks.append(WeComSink(url, msgtype=cfg.wecom_msgtype, **common))
            elif kind == "dingtalk":
                secret = get_secret(cfg.dingtalk_sign_secret, env=cfg.dingtalk_sign_env or None)
                sinks.append(DingTalkSink(url, secret=secret, msgtype=cfg.dingtalk_msgtype, **common))
            elif kind == "feishu":
                secret = get_secret(cfg.feishu_sign_secret, env=cfg.feishu_sign_env or None)
                sinks.append(FeishuSink(url, secret=secret, msg_type=cfg.feishu_msg_type, **common))
            elif kind == "slack":
                sinks.append(SlackSink(url, **common))
        except ValueError as e:  # a malformed URL: say where it came from, never what it is
            log.warning("alert sink %s not started: %s (check keyring %r / %s)", kind, e, name, env)
    return sinks

"""`[platform.wechat_channels]`: the 微信小店 (WeChat Channels shop) adapter's settings.

    [platform]
    kind = "wechat_channels"

    [platform.wechat_channels]
    appid = "wx0123456789abcdef"       # the 小店's AppID (微信小店后台 > 设置 > 开发设置)
    sku_field = "sku_code"             # which SKU field holds the console's SKU: sku_code or out_sku_id
    # the AppSecret is never written here: keyring entry `secret_name` or env `secret_env`
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from controlroom.settings import Settings
from plugins.shop_common.config import ShopSettings, bad, check_choice, check_positive, read_table, where_of

KIND = "wechat_channels"


@dataclass(frozen=True)
class WechatChannelsConfig(ShopSettings):
    # and ShopSettings' keys (timing, read-back)
    appid: str = ""
    base_url: str = "https://api.weixin.qq.com"
    sku_field: str = "sku_code"
    secret_name: str = "wechat_channels_secret"
    secret_env: str = "CONTROLROOM_WECHAT_CHANNELS_SECRET"
    token_refresh_margin: float = 300.0    # s before the 7200 s token expires it is renewed
    throttle_wait: float = 1.0             # s to wait after 45011 (no Retry-After given)
    coupon_days: int = 1                   # a coupon can be claimed, and is valid, for this many days
    coupon_unlimited_total: int = 100000   # 微信 needs a total; an unlimited console coupon gets this many
    page_size: int = 30                    # product/list/get allows at most 30

    @classmethod
    def from_settings(cls, settings: Settings) -> "WechatChannelsConfig":
        cfg = read_table(settings, KIND, cls, required=("appid",), hints={
            "appid": "the 微信小店 AppID, wx followed by 16 letters/digits (微信小店后台 > 设置 > 开发设置)"})
        return cfg.validate(where_of(settings, KIND))

    def validate(self, where: str = f"[platform.{KIND}]") -> "WechatChannelsConfig":
        if not re.fullmatch(r"wx[0-9a-f]{16}", self.appid):
            raise bad(where, "appid", f"must be the 小店 AppID (wx + 16 hex digits), got {self.appid!r}")
        if not self.base_url.startswith(("https://", "http://")):
            raise bad(where, "base_url", f"must start with https://, got {self.base_url!r}")
        check_choice(self, where, "sku_field", ("sku_code", "out_sku_id"))
        check_choice(self, where, "on_readback_mismatch", ("return", "raise"))
        check_positive(self, where, "connect_timeout", "read_timeout", "backoff_base", "backoff_max",
                       "retry_budget", "throttle_wait", "max_attempts", "readback_attempts", "page_size",
                       "coupon_days", "coupon_unlimited_total")
        if not 0 <= self.jitter <= 1:
            raise bad(where, "jitter", f"must be between 0 and 1, got {self.jitter!r}")
        if self.page_size > 30:
            raise bad(where, "page_size", f"微信小店 lists at most 30 products a page, got {self.page_size}")
        if self.token_refresh_margin < 0 or self.readback_interval < 0:
            key = "token_refresh_margin" if self.token_refresh_margin < 0 else "readback_interval"
            raise bad(where, key, f"cannot be negative, got {getattr(self, key)!r}")
        if not (self.secret_name or self.secret_env):
            raise bad(where, "secret_name", "an AppSecret source (keyring entry or environment variable) is required")
        return self

"""`[platform.douyin]`: the 抖店 adapter's settings.

    [platform]
    kind = "douyin"

    [platform.douyin]
    app_key = "7012345678901234567"        # the app's 19-digit key (抖店开放平台 > 应用管理)
    shop_id = "12345678"                   # the shop the token is for (self-use app: authorization_self)
    sign_method = "hmac-sha256"            # or "md5"
    # the app secret is never written here: keyring entry `app_secret_name` or env `app_secret_env`
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from controlroom.settings import Settings
from plugins.shop_common.config import ShopSettings, bad, check_choice, check_positive, read_table, where_of

from .signing import SIGN_METHODS

KIND = "douyin"
GRANTS = ("authorization_self", "refresh_token")


@dataclass(frozen=True)
class DouyinConfig(ShopSettings):
    # and ShopSettings' keys: connect_timeout, read_timeout, max_attempts, backoff_*, retry_budget, jitter,
    # readback_attempts, readback_interval, on_readback_mismatch
    app_key: str = ""
    shop_id: str = ""
    base_url: str = "https://openapi-fxg.jinritemai.com"
    sign_method: str = "hmac-sha256"
    # how the access token is obtained: a self-use app (自用型应用) asks with its own credentials for
    # its shop (grant_type authorization_self); a tool app (工具型应用) starts from a refresh token a
    # merchant's authorization gave it (kept in the keyring, renewed there as it rotates)
    grant: str = "authorization_self"
    app_secret_name: str = "douyin_app_secret"
    app_secret_env: str = "CONTROLROOM_DOUYIN_APP_SECRET"
    refresh_token_name: str = "douyin_refresh_token"
    refresh_token_env: str = "CONTROLROOM_DOUYIN_REFRESH_TOKEN"
    token_refresh_margin: float = 300.0    # s before expiry the token is renewed
    throttle_wait: float = 1.0             # s to wait after 60000 isv.traffic-limited (no Retry-After given)
    page_size: int = 100                   # product.listV2 / order.searchList page size (抖店 max 100)

    @classmethod
    def from_settings(cls, settings: Settings) -> "DouyinConfig":
        cfg = read_table(settings, KIND, cls, required=("app_key", "shop_id"), hints={
            "app_key": "the 19-digit app key of your 抖店 app (抖店开放平台 > 控制台 > 应用)",
            "shop_id": "the numeric 店铺ID the console sells through (抖店后台 > 店铺 > 店铺信息)"})
        return cfg.validate(where_of(settings, KIND))

    def validate(self, where: str = f"[platform.{KIND}]") -> "DouyinConfig":
        # 抖店: "认证失败，app_key格式不正确，应为19位纯数字" (isv.app-id-invalid)
        if not re.fullmatch(r"\d{19}", self.app_key):
            raise bad(where, "app_key", f"must be the 19-digit app key, got {self.app_key!r}")
        if not re.fullmatch(r"\d+", self.shop_id):
            raise bad(where, "shop_id", f"must be the numeric shop ID, got {self.shop_id!r}")
        if not self.base_url.startswith(("https://", "http://")):
            raise bad(where, "base_url", f"must start with https://, got {self.base_url!r}")
        check_choice(self, where, "sign_method", SIGN_METHODS)
        check_choice(self, where, "grant", GRANTS)
        check_choice(self, where, "on_readback_mismatch", ("return", "raise"))
        check_positive(self, where, "connect_timeout", "read_timeout", "backoff_base", "backoff_max",
                       "retry_budget", "throttle_wait", "max_attempts", "readback_attempts", "page_size")
        if not 0 <= self.jitter <= 1:
            raise bad(where, "jitter", f"must be between 0 and 1, got {self.jitter!r}")
        if self.token_refresh_margin < 0:
            raise bad(where, "token_refresh_margin", f"cannot be negative, got {self.token_refresh_margin!r}")
        if self.readback_interval < 0:
            raise bad(where, "readback_interval", f"cannot be negative, got {self.readback_interval!r}")
        if self.page_size > 100:
            raise bad(where, "page_size", f"抖店 pages hold at most 100, got {self.page_size}")
        if self.grant == "authorization_self" and not (self.app_secret_name or self.app_secret_env):
            raise bad(where, "app_secret_name", "an app secret source is required")
        return self

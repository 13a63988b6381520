"""Settings of the TikTok Shop adapter: `[platform] kind = "tiktok_shop"` and the `[platform.tiktok_shop]`
table of settings.toml.

    [platform]
    kind = "tiktok_shop"

    [platform.tiktok_shop]
    app_key = "6a6xxxxxxxx"          # Partner Center > App & Service > the app's key (not a secret)
    currency = "USD"                 # the shop's currency; any other currency in an answer is refused
    shop_cipher = "ROW_xxxxxxx"      # optional when the app is authorised for exactly one shop

The app secret and the seller's access token are secrets: they come from the keyring entries named
by `app_secret_keyring` / `access_token_keyring` or the environment variables named by
`app_secret_env` / `access_token_env`, never from this file.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from controlroom.settings import Settings, SettingsError

SECTION = "platform.tiktok_shop"
REQUIRED = ("app_key", "currency")
# Update Price (update-price-202309) lists these shop currencies. Prices in JPY, IDR and VND are whole
# numbers on TikTok Shop; the port's integer is 1/100 of the currency unit, so those shops would be
# off by 100x: refused until the port carries each currency's own exponent.
CURRENCIES = ("BRL", "EUR", "GBP", "MXN", "MYR", "PHP", "SGD", "THB", "USD")
WHOLE_UNIT_CURRENCIES = ("IDR", "JPY", "VND")
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")


@dataclass(frozen=True)
class TikTokShopConfig:
    app_key: str = ""
    currency: str = ""
    shop_cipher: str = ""                       # "" = ask Get Authorized Shops (one shop only)
    base_url: str = "https://open-api.tiktokglobalshop.com"
    name: str = "tiktok_shop"
    app_secret_keyring: str = "tiktok_shop_app_secret"
    app_secret_env: str = "CONTROLROOM_TIKTOK_APP_SECRET"
    access_token_keyring: str = "tiktok_shop_access_token"
    access_token_env: str = "CONTROLROOM_TIKTOK_ACCESS_TOKEN"
    warehouse_id: str = ""                      # which warehouse set_stock writes when a SKU has several
    # Rate limits page: 50 queries per second per API, per app and shop. We pace below that so a show's
    # bursts never meet HTTP 429.
    qps: float = 40.0
    connect_timeout: float = 3.0
    read_timeout: float = 5.0
    max_attempts: int = 4
    backoff_base: float = 0.25
    backoff_max: float = 2.0
    retry_budget: float = 6.0                   # s: inside the console's 10 s decision-to-live SOP
    jitter: float = 0.5
    readback_attempts: int = 4                  # activation goes through PENDING (audit) first
    readback_interval: float = 0.5
    # Create Activity: begin_time "must be greater than the current time"; we start this far ahead
    offer_lead_s: float = 3.0

    def validate(self, where: str = f"[{SECTION}]") -> "TikTokShopConfig":
        def bad(key: str, msg: str) -> SettingsError:
            return SettingsError(f"{where} {key}: {msg}")

        for key in REQUIRED:
            if not getattr(self, key).strip():
                raise bad(key, "missing; required for TikTok Shop")
        if not re.fullmatch(r"[A-Za-z0-9_\-]+", self.app_key):
            raise bad("app_key", f"{self.app_key!r} is not an app key (letters and digits from Partner Center)")
        if self.currency in WHOLE_UNIT_CURRENCIES:
            raise bad("currency", f"{self.currency} prices are whole numbers on TikTok Shop; the console's "
                                  "money is in 1/100 units, so this shop is not supported yet")
        if self.currency not in CURRENCIES:
            raise bad("currency", f"must be one of {', '.join(CURRENCIES)}, got {self.currency!r}")
        url = self.base_url.rstrip("/")
        host = re.sub(r"^https?://", "", url).split("/", 1)[0].rsplit(":", 1)[0]
        if not url.startswith("https://") and not (url.startswith("http://") and host in LOCAL_HOSTS):
            raise bad("base_url", f"must be https:// (the access token travels in a header), got {self.base_url!r}")
        for key in ("qps", "connect_timeout", "read_timeout", "backoff_base", "backoff_max", "retry_budget",
                    "readback_interval", "offer_lead_s"):
            if not getattr(self, key) > 0:
                raise bad(key, f"must be more than 0, got {getattr(self, key)!r}")
        if not 0 <= self.jitter <= 1:
            raise bad("jitter", f"must be between 0 and 1, got {self.jitter!r}")
        for key in ("max_attempts", "readback_attempts"):
            if getattr(self, key) < 1:
                raise bad(key, "must be at least 1")
        for key in ("app_secret_keyring", "access_token_keyring"):
            if not getattr(self, key).strip() and not getattr(self, key.replace("_keyring", "_env")).strip():
                raise bad(key, "a keyring entry or an environment variable must name the secret")
        return self

    @classmethod
    def from_table(cls, table: dict[str, Any], source: str | Path | None = None) -> "TikTokShopConfig":
        where = f"{source}: [{SECTION}]" if source else f"[{SECTION}]"
        if "app_secret" in table or "access_token" in table:
            key = "app_secret" if "app_secret" in table else "access_token"
            raise SettingsError(f"{where} {key}: secrets do not belong in settings.toml; store it in the "
                                f"keyring (entry named by {key}_keyring) or the environment ({key}_env)")
        missing = [k for k in REQUIRED if k not in table]
        if missing:
            raise SettingsError(f"{where} missing key(s): {', '.join(missing)}")
        cfg = Settings(source, data={SECTION: dict(table)}).section(SECTION, cls)
        return cfg.validate(where)

    @classmethod
    def from_settings(cls, settings: Settings) -> "TikTokShopConfig":
        platform = settings.data.get("platform", {})
        if not isinstance(platform, dict):
            raise SettingsError(f"{settings.path}: [platform] must be a table")
        table = platform.get("tiktok_shop")
        if table is None:
            raise SettingsError(f"{settings.path}: [platform] kind = \"tiktok_shop\" needs a [{SECTION}] table "
                                f"with at least {', '.join(REQUIRED)}")
        if not isinstance(table, dict):
            raise SettingsError(f"{settings.path}: [{SECTION}] must be a table")
        return cls.from_table(table, settings.path)

    def settings_keys(self) -> list[str]:
        return [f.name for f in dataclasses.fields(self)]

"""Settings of the TikTok Shop adapter: `[platform] kind = "tiktok_shop"` and the `[platform.tiktok_shop]`
table of settings.toml.

    [platform]
    kind = "tiktok_shop"

    [platform.tiktok_shop]
    app_key = "6a6xxxxxxxx"          # Partner Center > App & Service > the app's key (not a secret)
    currency = "USD"                 # the shop's currency; any other currency in an answer is refused
    shop_cipher = "ROW_xxxxxxx"      # optional when the app is authorised for exactly one shop

The app secret and the seller's access token are secrets: they come from the keyring entries named
by `app_secret_name` / `access_token_name` or the environment variables named by `app_secret_env` /
`access_token_env`, never from this file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from controlroom.settings import Settings, SettingsError
from plugins.shop_common.config import ShopSettings, check_mismatch_mode, check_retry_keys, read_table, where_of

SECTION = "platform.tiktok_shop"
REQUIRED = ("app_key", "currency")
HINTS = {"app_key": "the app key from Partner Center > App & Service (not a secret)",
         "currency": "the shop's currency, e.g. USD"}
# Update Price (update-price-202309) lists these shop currencies. Prices in JPY, IDR and VND are whole
# numbers on TikTok Shop; the port's integer is 1/100 of the currency unit, so those shops would be
# off by 100x: refused until the port carries each currency's own exponent.
CURRENCIES = ("BRL", "EUR", "GBP", "MXN", "MYR", "PHP", "SGD", "THB", "USD")
WHOLE_UNIT_CURRENCIES = ("IDR", "JPY", "VND")
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")


@dataclass(frozen=True)
class TikTokShopConfig(ShopSettings):
    # and ShopSettings' keys (timing, read-back), with TikTok's own read-back defaults below
    app_key: str = ""
    currency: str = ""
    shop_cipher: str = ""                       # "" = ask Get Authorized Shops (one shop only)
    base_url: str = "https://open-api.tiktokglobalshop.com"
    name: str = "tiktok_shop"
    app_secret_name: str = "tiktok_shop_app_secret"
    app_secret_env: str = "CONTROLROOM_TIKTOK_APP_SECRET"
    access_token_name: str = "tiktok_shop_access_token"
    access_token_env: str = "CONTROLROOM_TIKTOK_ACCESS_TOKEN"
    warehouse_id: str = ""                      # which warehouse set_stock writes when a SKU has several
    # Rate limits page: 50 queries per second per API, per app and shop. We pace below that so a show's
    # bursts never meet HTTP 429.
    qps: float = 40.0
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
        check_retry_keys(self, bad, ("qps", "connect_timeout", "read_timeout", "backoff_base", "backoff_max",
                                     "retry_budget", "readback_interval", "offer_lead_s"))
        for key in ("app_secret_name", "access_token_name"):
            if not getattr(self, key).strip() and not getattr(self, key.replace("_name", "_env")).strip():
                raise bad(key, "a keyring entry or an environment variable must name the secret")
        check_mismatch_mode(self, bad)
        return self

    @classmethod
    def from_settings(cls, settings: Settings) -> "TikTokShopConfig":
        where = where_of(settings, "tiktok_shop")
        table = (settings.data.get("platform") or {}).get("tiktok_shop") if isinstance(
            settings.data.get("platform"), dict) else None
        if isinstance(table, dict):
            for key in ("app_secret", "access_token"):
                if key in table:
                    raise SettingsError(f"{where} {key}: secrets do not belong in settings.toml; store it in the "
                                        f"keyring (entry named by {key}_name) or the environment ({key}_env)")
        cfg = read_table(settings, "tiktok_shop", cls, required=REQUIRED, hints=HINTS)
        return cfg.validate(where)

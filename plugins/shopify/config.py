"""Settings of the Shopify adapter: `[platform] kind = "shopify"` and the `[platform.shopify]` table.

    [platform]
    kind = "shopify"

    [platform.shopify]
    shop = "my-store.myshopify.com"   # the shop's myshopify domain
    currency = "USD"                  # the shop's currency (shop.currencyCode); any other is refused
    location_id = ""                  # gid://shopify/Location/...; optional when the shop has one location

The Admin API access token is a secret: it comes from the keyring entry named by
`access_token_name` or the environment variable named by `access_token_env`, never from this file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from controlroom.settings import Settings, SettingsError
from plugins.shop_common.config import ShopSettings, check_mismatch_mode, check_retry_keys, read_table, where_of

SECTION = "platform.shopify"
REQUIRED = ("shop", "currency")
HINTS = {"shop": "the shop's myshopify domain, e.g. my-store.myshopify.com",
         "currency": "the shop's currency (Settings > Store currency), e.g. USD"}
# Shop currencies whose smallest unit is not 1/100 (ISO 4217 exponent 0 or 3): the port's integer is
# 1/100 of the currency unit, so these would be 100x off; refused until the port carries exponents.
NOT_CENTS = ("JPY", "KRW", "VND", "CLP", "ISK", "UGX", "XAF", "XOF", "PYG", "BHD", "KWD", "OMR", "JOD", "TND")
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")


@dataclass(frozen=True)
class ShopifyConfig(ShopSettings):
    # and ShopSettings' keys (timing, read-back); retry_budget is also the longest wait for the cost bucket
    shop: str = ""                              # my-store.myshopify.com
    currency: str = ""
    api_version: str = "2026-04"                # Admin API version (YYYY-MM, quarterly)
    location_id: str = ""                       # where stock is read and set
    base_url: str = ""                          # default https://{shop}; a 127.0.0.1 URL for tests only
    name: str = "shopify"
    access_token_name: str = "shopify_access_token"
    access_token_env: str = "CONTROLROOM_SHOPIFY_ACCESS_TOKEN"
    # inventorySetQuantities carries an @idempotent key (optional from 2026-01, required from 2026-04)
    idempotent_directive: bool = True

    @property
    def endpoint(self) -> str:
        base = (self.base_url or f"https://{self.shop}").rstrip("/")
        return f"{base}/admin/api/{self.api_version}/graphql.json"

    def validate(self, where: str = f"[{SECTION}]") -> "ShopifyConfig":
        def bad(key: str, msg: str) -> SettingsError:
            return SettingsError(f"{where} {key}: {msg}")

        for key in REQUIRED:
            if not getattr(self, key).strip():
                raise bad(key, "missing; required for Shopify")
        if not re.fullmatch(r"[a-z0-9][a-z0-9\-]*\.myshopify\.com", self.shop):
            raise bad("shop", f"expected the shop's myshopify domain such as my-store.myshopify.com, got {self.shop!r}")
        if not re.fullmatch(r"[A-Z]{3}", self.currency):
            raise bad("currency", f"expected an ISO 4217 code such as USD, got {self.currency!r}")
        if self.currency in NOT_CENTS:
            raise bad("currency", f"{self.currency} has no 1/100 unit; the console's money is in 1/100 units, "
                                  "so this shop is not supported yet")
        if not re.fullmatch(r"\d{4}-(01|04|07|10)|unstable", self.api_version):
            raise bad("api_version", f"expected a quarterly version such as 2026-04, got {self.api_version!r}")
        if self.location_id and not self.location_id.startswith("gid://shopify/Location/"):
            raise bad("location_id", f"expected gid://shopify/Location/<id>, got {self.location_id!r}")
        if self.base_url:
            host = re.sub(r"^https?://", "", self.base_url).split("/", 1)[0].rsplit(":", 1)[0]
            if not self.base_url.startswith("https://") and not (self.base_url.startswith("http://")
                                                                  and host in LOCAL_HOSTS):
                raise bad("base_url", f"must be https:// (the access token travels in a header), got {self.base_url!r}")
        check_retry_keys(self, bad, ("connect_timeout", "read_timeout", "backoff_base", "backoff_max", "retry_budget",
                                     "readback_interval"))
        if not self.access_token_name.strip() and not self.access_token_env.strip():
            raise bad("access_token_name", "a keyring entry or an environment variable must name the token")
        check_mismatch_mode(self, bad)
        return self

    @classmethod
    def from_settings(cls, settings: Settings) -> "ShopifyConfig":
        where = where_of(settings, "shopify")
        platform = settings.data.get("platform")
        table = platform.get("shopify") if isinstance(platform, dict) else None
        if isinstance(table, dict):
            for key in ("access_token", "api_secret", "api_key"):
                if key in table:
                    raise SettingsError(f"{where} {key}: secrets do not belong in settings.toml; store the Admin "
                                        "API token in the keyring (access_token_name) or the environment "
                                        "(access_token_env)")
        cfg = read_table(settings, "shopify", cls, required=REQUIRED, hints=HINTS)
        return cfg.validate(where)

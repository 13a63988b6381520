"""Settings of the generic HTTP platform: the `[platform.http]` table of settings.toml.

Endpoints are one string each, "METHOD /path/{placeholder}", so a deployment overrides one
operation without restating the others:

    [platform.http]
    base_url = "https://shop-gateway.example.com/api"
    price_unit = "yuan"                 # fen (抖店) | yuan (Taobao) | decimal_string (TikTok Shop)
    auth_secret = "platform_http_token" # keyring name; or the env var below
    set_price = "PATCH /v2/items/{sku}/price"
"""
from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from controlroom.commerce.money import UNITS
from controlroom.settings import Settings, SettingsError
from plugins.shop_common.config import ShopSettings, check_mismatch_mode, check_retry_keys

SECTION = "platform.http"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

# operation -> placeholders its path may use
ENDPOINT_FIELDS: dict[str, frozenset[str]] = {
    "list_product": frozenset({"sku"}),
    "unlist_product": frozenset({"sku"}),
    "set_price": frozenset({"sku"}),
    "set_stock": frozenset({"sku"}),
    "set_displayed_stock": frozenset({"sku"}),
    "pin_product": frozenset(),
    "issue_coupon": frozenset(),
    "stop_coupon": frozenset({"coupon_id"}),
    "read_product": frozenset({"sku"}),
    "read_products": frozenset(),
    "read_coupon": frozenset({"coupon_id"}),
    "metrics": frozenset(),
    "start_offer": frozenset(),
    "stop_offer": frozenset({"offer_id"}),
    "read_offer": frozenset({"offer_id"}),
    "comments": frozenset(),
}


@dataclass(frozen=True)
class HttpPlatformConfig(ShopSettings):
    # and ShopSettings' keys: connect_timeout, read_timeout, max_attempts, backoff_*, retry_budget, jitter,
    # readback_attempts, readback_interval, on_readback_mismatch (the same as every real shop's table)
    base_url: str = "http://127.0.0.1:8700"
    name: str = "http"
    currency: str = "CNY"
    price_unit: str = "fen"
    # auth: header value is "<auth_scheme> <secret>" (just the secret when auth_scheme is "")
    auth_header: str = "Authorization"
    auth_scheme: str = "Bearer"
    auth_secret: str = "platform_http_token"   # keyring entry name ("" = no auth)
    auth_env: str = "CONTROLROOM_PLATFORM_TOKEN"
    auth_required: bool = True                  # refuse to start without the secret
    idempotency_header: str = "Idempotency-Key"
    verify_writes: bool = True                  # read back after every write and compare
    # on_readback_mismatch (ShopSettings): on a difference "return" logs it, keeps it in
    # HttpPlatform.last_mismatch and returns, so the console's own read-back sees it and locks the SKU;
    # "raise" raises PlatformReadbackMismatch. readback_attempts: platforms are eventually consistent.
    # flash offers: true when the shop has a flash-sale API (start_offer / stop_offer / read_offer below,
    # with quantity and per-buyer limit); false: the console runs a timed price change with its own cap
    native_offers: bool = False
    # the live room's comments: true when the gateway serves the comments endpoint below (a cursor poll)
    live_comments: bool = False
    # endpoints: "METHOD /path"
    list_product: str = "POST /products/{sku}/list"
    unlist_product: str = "POST /products/{sku}/unlist"
    set_price: str = "PUT /products/{sku}/price"
    set_stock: str = "PUT /products/{sku}/stock"
    set_displayed_stock: str = "PUT /products/{sku}/displayed_stock"
    pin_product: str = "PUT /live/pinned"
    issue_coupon: str = "POST /coupons"
    stop_coupon: str = "POST /coupons/{coupon_id}/stop"
    read_product: str = "GET /products/{sku}"
    read_products: str = "GET /products"
    read_coupon: str = "GET /coupons/{coupon_id}"
    metrics: str = "GET /live/metrics"
    start_offer: str = "POST /offers"
    stop_offer: str = "POST /offers/{offer_id}/stop"
    read_offer: str = "GET /offers/{offer_id}"
    comments: str = "GET /live/comments"

    def endpoint(self, op: str) -> tuple[str, str]:
        method, path = getattr(self, op).split(None, 1)
        return method.upper(), path.strip()

    def validate(self, where: str = f"[{SECTION}]") -> "HttpPlatformConfig":
        def bad(key: str, msg: str) -> SettingsError:
            return SettingsError(f"{where} {key}: {msg}")

        if not self.base_url.startswith(("http://", "https://")):
            raise bad("base_url", f"must start with http:// or https://, got {self.base_url!r}")
        if self.price_unit not in UNITS:
            raise bad("price_unit", f"must be one of {', '.join(UNITS)}, got {self.price_unit!r} "
                                    "(a wrong unit is a 100x price error)")
        check_retry_keys(self, bad, ("connect_timeout", "read_timeout", "backoff_base", "backoff_max", "retry_budget"))
        check_mismatch_mode(self, bad)
        for op, allowed in ENDPOINT_FIELDS.items():
            raw = getattr(self, op)
            parts = raw.split(None, 1)
            if len(parts) != 2 or parts[0].upper() not in METHODS or not parts[1].strip().startswith("/"):
                raise bad(op, f"expected \"METHOD /path\" with METHOD one of {', '.join(METHODS)}, got {raw!r}")
            try:
                names = {f for _, f, _, _ in string.Formatter().parse(parts[1]) if f is not None}
            except ValueError as e:
                raise bad(op, f"bad placeholder in {raw!r}: {e}") from None
            extra = names - allowed
            if extra:
                ok = ", ".join("{" + a + "}" for a in sorted(allowed)) or "none"
                raise bad(op, f"unknown placeholder {', '.join(sorted(extra))} in {raw!r}; allowed: {ok}")
        return self

    @classmethod
    def from_table(cls, table: dict[str, Any], source: str | Path | None = None) -> "HttpPlatformConfig":
        """Build from a TOML table, with the same unknown-key and type checks as every settings
        section; `source` (the file) goes into error messages."""
        cfg = Settings(source, data={SECTION: dict(table)}).section(SECTION, cls)
        return cfg.validate(f"{source}: [{SECTION}]" if source else f"[{SECTION}]")

    @classmethod
    def from_settings(cls, settings: Settings) -> "HttpPlatformConfig":
        platform = settings.data.get("platform", {})
        if not isinstance(platform, dict):
            raise SettingsError(f"{settings.path}: [platform] must be a table")
        table = platform.get("http", {})
        if not isinstance(table, dict):
            raise SettingsError(f"{settings.path}: [{SECTION}] must be a table")
        return cls.from_table(table, settings.path)

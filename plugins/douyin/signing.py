"""抖店 open-platform request signing (API protocol v2).

Sources (facts, not code):
  - 抖店开放平台《API调用指南》(op.jinritemai.com, mirrored at http://www.maolg.com/ProductDetail/7036311.html):
    common parameters method, app_key, access_token, param_json, timestamp, v = "2", sign, sign_method;
    the timestamp may differ from the server's clock by at most 10 minutes; POST with param_json as body.
  - the official Go SDK (github.com/zsmhub/doudian-sdk, utils/sign_util.go and core/doudian_op_api_client.go):
      sign string = app_secret + "app_key" + app_key + "method" + method + "param_json" + param_json
                    + "timestamp" + timestamp + "v" + "2" + app_secret
      sign = hex(HMAC-SHA256(key = app_secret, sign string))      with sign_method = "hmac-sha256"
           = hex(MD5(sign string))                                with sign_method = "md5" (the older method)
    param_json is the business parameters as compact JSON with the keys sorted at every level and
    no HTML escaping (the SDK re-marshals through a map, which Go sorts); the same string is signed
    and sent as the request body.
  - the PHP SDK (github.com/renhonghai/doudian-sdk, src/Utils/SignUtil.php): the same string, keys
    sorted recursively (recKSort), JSON with unescaped slashes and unicode.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

SIGN_METHODS = ("hmac-sha256", "md5")
API_VERSION = "2"


def param_json(params: dict[str, Any]) -> str:
    """The canonical business-parameter string: sorted keys at every level, no spaces, UTF-8 as is."""
    return json.dumps(params, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sign_string(app_key: str, app_secret: str, method: str, params_json: str, timestamp: str) -> str:
    return (f"{app_secret}app_key{app_key}method{method}param_json{params_json}"
            f"timestamp{timestamp}v{API_VERSION}{app_secret}")


def sign(app_key: str, app_secret: str, method: str, params_json: str, timestamp: str,
         sign_method: str = "hmac-sha256") -> str:
    text = sign_string(app_key, app_secret, method, params_json, timestamp).encode("utf-8")
    if sign_method == "hmac-sha256":
        return hmac.new(app_secret.encode("utf-8"), text, hashlib.sha256).hexdigest()
    if sign_method == "md5":
        return hashlib.md5(text).hexdigest()
    raise ValueError(f"sign_method must be one of {', '.join(SIGN_METHODS)}, got {sign_method!r}")


def method_of(path: str) -> str:
    """"/sku/editPrice" -> "sku.editPrice" (the SDK derives the method name from the URL path)."""
    return path.strip("/").replace("/", ".")


def path_of(method: str) -> str:
    return "/" + method.replace(".", "/")

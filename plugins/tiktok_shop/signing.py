"""TikTok Shop Partner API request signing (HMAC-SHA256).

From the Partner Center guide "Sign your API request"
(https://partner.tiktokshop.com/docv2/page/sign-your-api-request):
  1. take every query parameter except `sign` and `access_token`, keys in alphabetical order;
  2. concatenate them as {key}{value};
  3. put the request path (e.g. /product/202309/products/search) in front;
  4. unless the content-type is multipart/form-data, append the request body exactly as sent;
  5. wrap the string in the app secret: secret + string + secret;
  6. HMAC-SHA256 it with the app secret as the key; the hex digest (lower case) is `sign`.
The guide's worked example (Get Authorized Shops, app_key 29a39d, timestamp 1623812664, secret
e59af819cc) gives b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8; the test suite checks it.
The same guide (Common mistakes) and the common-errors page: `timestamp` is a 10-digit Unix time that
must lie between 5 minutes before and 30 seconds after the platform's clock.
"""
from __future__ import annotations

import hashlib
import hmac
from typing import Mapping

EXCLUDED = frozenset({"sign", "access_token"})
TIMESTAMP_PAST_S = 300      # common-errors page: not earlier than 5 minutes before now
TIMESTAMP_FUTURE_S = 30     # ... and not more than 30 seconds ahead


def string_to_sign(path: str, query: Mapping[str, object], body: bytes | str = b"",
                   content_type: str = "application/json") -> str:
    """Steps 1-4: path + sorted {key}{value} + body (not for multipart uploads)."""
    params = "".join(f"{k}{query[k]}" for k in sorted(query) if k not in EXCLUDED)
    text = path + params
    media = content_type.split(";", 1)[0].strip().lower()
    if media != "multipart/form-data":
        text += body.decode("utf-8") if isinstance(body, bytes) else body
    return text


def sign(app_secret: str, path: str, query: Mapping[str, object], body: bytes | str = b"",
         content_type: str = "application/json") -> str:
    """Steps 5-6: the `sign` query parameter for this request."""
    wrapped = app_secret + string_to_sign(path, query, body, content_type) + app_secret
    return hmac.new(app_secret.encode("utf-8"), wrapped.encode("utf-8"), hashlib.sha256).hexdigest()


def verify(app_secret: str, path: str, query: Mapping[str, object], body: bytes | str, given: str,
           content_type: str = "application/json") -> bool:
    """Constant-time comparison, as a server would do it (used by the conformance fake)."""
    return hmac.compare_digest(sign(app_secret, path, query, body, content_type), given or "")

"""抖店 answer codes and what the adapter does with each.

Source: the public PHP SDK's table of the open platform's codes (github.com/renhonghai/doudian-sdk,
src/Constants/ErrNoConstant.php), which matches the codes the official Go SDK asks for with the header
`x-open-no-old-err-code: 1` (core/doudian_op_api_client.go). Every answer is HTTP 200 with a body
{"code", "msg", "sub_code", "sub_msg", "log_id", "data"}; code 10000 is success.

  10000 success
  20000 dop.service-error        服务不可用 — retry (a write may have landed: reconcile first)
  30001 dop.no-permissions, isv.app-permissions-insufficient, dop.authorization-* — never (a person must grant it)
  40001 isv.parameter-missing, isv.signature-missing, isv.access-token-missing — never
  40003 isv.parameter-invalid, isv.signature-invalid, isv.timestamp-invalid, isv.idempotent-id-existed — never,
        except isv.access-token-expired / isv.access-token-no-existed: renew the token and send once more
  50001 dop.token-generate-failed:*  — never (the app's credentials or grant are wrong)
  60000 isv.traffic-limited      请求太频繁 — wait and retry (nothing was applied)
  70000 isp.api-service-off      接口已下线 — never
  90000 isv.env-suspected, dop.unknown-error — retry later
"""
from __future__ import annotations

SUCCESS = 10000
SERVICE_ERROR = 20000
PERMISSION = 30001
MISSING_PARAMETER = 40001
INVALID_PARAMETER = 40003
TOKEN_FAILED = 50001
THROTTLED = 60000
SERVICE_OFF = 70000
UNKNOWN = 90000

TOKEN_EXPIRED_SUB_CODES = frozenset({"isv.access-token-expired", "isv.access-token-no-existed"})
RETRY_LATER = frozenset({SERVICE_ERROR, UNKNOWN})          # busy / unknown: may have been applied
NEVER = frozenset({PERMISSION, MISSING_PARAMETER, INVALID_PARAMETER, TOKEN_FAILED, SERVICE_OFF})


def token_expired(code: object, sub_code: object) -> bool:
    return code == INVALID_PARAMETER and sub_code in TOKEN_EXPIRED_SUB_CODES

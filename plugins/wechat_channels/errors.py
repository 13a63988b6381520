"""微信 errcode answers and what the adapter does with each.

Sources: 微信小店 API docs (developers.weixin.qq.com/doc/store/...: each method's error table, e.g.
product/stock_update.html, coupon/update_status.html), the 通用错误码 (global return codes) they refer
to, and the public Go SDK github.com/zsmhub/wx-channels-sdk (apis/api_error.go). Answers are HTTP 200
with {"errcode", "errmsg", ...}; errcode 0 (or absent) is success; errmsg ends with " rid: <id>".

  -1        系统繁忙                                — retry (a write may have landed: reconcile first)
  40001     access_token invalid (or, from /cgi-bin/token, a wrong AppSecret)
  40014     不合法的 access_token
  42001     access_token 超时                       — renew the token and send once more
  40013     不合法的 AppID / 40125 invalid appsecret — never (credentials)
  45009     接口调用超过每日限制                    — never today: the daily quota is spent
  45011     API 调用太频繁 (minute quota)           — wait and retry (nothing applied)
  10020112  更新该sku库存频率超限                   — wait and retry
  100200xx / 100210xx  参数有误, 商品不存在, 优惠券不存在, … — never
"""
from __future__ import annotations

SUCCESS = 0
BUSY = -1
TOKEN_INVALID = frozenset({40001, 40014, 42001})
CREDENTIALS = frozenset({40001, 40013, 40125, 40164})   # from /cgi-bin/token
DAILY_QUOTA = 45009
THROTTLED = frozenset({45011, 10020112})
PRODUCT_NOT_FOUND = 10020052

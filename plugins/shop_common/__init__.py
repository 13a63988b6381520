"""What every real-shop adapter (抖店, 微信小店, TikTok Shop, Shopify) needs and none should write twice:
its settings table read strictly (config.py), secrets from the keyring or environment (config.py),
an idempotency ledger on disk so the same key never applies twice (ledger.py), one HTTP transport
with the port's error mapping over plugins.http_retry (transport.py), access tokens that expire and
refresh (tokens.py), the read-back after a write (readback.py), and a timed price change for shops
without a flash-sale API (timed_offers.py)."""

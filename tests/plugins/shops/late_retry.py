"""A late retry of a write that never landed must not undo a newer write (the shared ledger's superseding).

A write whose answer was lost and that did not apply stays *pending* in the ledger, so the same key can be
sent again later. If a newer write to the same SKU and field has landed meanwhile, sending the old one
would undo it: the shop would show the old value while the console believes the new one. The ledger
records each key's target (SKU + field); when a newer key on a target completes, the older pending keys of
that target are superseded, and a call with such a key is answered `Superseded` — not sent, and a refusal
(`retryable` False, `may_have_applied` False), so the console journals the older command as not applied,
which is what the shop shows. Superseding lives in the ledger file, so it holds across a restart.

Mixed into each real-shop contract class next to `PlatformContract`; the harness must offer `reopen()`
(a new adapter on the same data directory, as after a restart).
"""
from __future__ import annotations

import pytest

from controlroom.platform import PlatformError, PlatformTimeout
from tests.plugins.contract import MANY, TIMEOUT, a_new_price, need_fault, refused


def lose(harness, op: str, call) -> None:
    """`call` hangs without applying on every attempt: it raises PlatformTimeout and its key stays pending."""
    need_fault(harness, TIMEOUT)
    n = harness.writes_applied()
    harness.fail(op, TIMEOUT, times=MANY)
    with pytest.raises(PlatformTimeout):
        call()
    harness.clear_faults()
    assert harness.writes_applied() == n, "the lost write must not have applied (the fault is a hang)"


def superseded(harness, call) -> PlatformError:
    n = harness.writes_applied()
    with pytest.raises(PlatformError) as e:
        call()
    assert refused(e.value), f"expected a refusal, got {type(e.value).__name__}: {e.value}"
    assert not e.value.may_have_applied
    assert "superseded" in str(e.value)
    assert harness.writes_applied() == n
    return e.value


class LateRetryContract:
    def test_a_late_retry_of_a_lost_price_does_not_undo_a_newer_price(self, harness):
        pf, sku = harness.platform, harness.sku
        old = a_new_price(pf.read_product(sku))
        lose(harness, "set_price", lambda: pf.set_price(sku, old, idempotency_key="late-price-1"))
        new = old - 50
        n = harness.writes_applied()
        pf.set_price(sku, new, idempotency_key="late-price-2")
        assert harness.writes_applied() == n + 1
        superseded(harness, lambda: pf.set_price(sku, old, idempotency_key="late-price-1"))
        assert pf.read_product(sku).price == new
        superseded(harness, lambda: pf.set_price(sku, old, idempotency_key="late-price-1"))   # and it stays so
        assert pf.read_product(sku).price == new

    def test_a_late_retry_of_a_lost_unlist_does_not_undo_a_newer_list(self, harness):
        # list and unlist write the same field: a newer list supersedes an older unlist
        pf, sku = harness.platform, harness.sku
        pf.list_product(sku, idempotency_key="late-list-0")
        assert pf.read_product(sku).listed
        lose(harness, "unlist_product", lambda: pf.unlist_product(sku, idempotency_key="late-unlist-1"))
        pf.list_product(sku, idempotency_key="late-list-2")
        superseded(harness, lambda: pf.unlist_product(sku, idempotency_key="late-unlist-1"))
        assert pf.read_product(sku).listed

    def test_a_newer_write_elsewhere_leaves_the_lost_write_to_be_sent(self, harness):
        # another SKU's price, or another field of the same SKU, does not supersede it
        pf, sku = harness.platform, harness.sku
        old = a_new_price(pf.read_product(sku))
        lose(harness, "set_price", lambda: pf.set_price(sku, old, idempotency_key="late-own-1"))
        pf.set_price(harness.other_sku, a_new_price(pf.read_product(harness.other_sku)),
                     idempotency_key="late-other-2")
        pf.set_stock(sku, pf.read_product(sku).stock - 1, idempotency_key="late-stock-3")
        n = harness.writes_applied()
        pf.set_price(sku, old, idempotency_key="late-own-1")
        assert pf.read_product(sku).price == old
        assert harness.writes_applied() == n + 1

    def test_superseding_survives_a_restart(self, harness):
        sku = harness.sku
        old = a_new_price(harness.platform.read_product(sku))
        lose(harness, "set_price", lambda: harness.platform.set_price(sku, old, idempotency_key="late-rs-1"))
        first = harness.platform
        second = harness.reopen()            # the newer write lands after a restart ...
        try:
            second.set_price(sku, old - 50, idempotency_key="late-rs-2")
        finally:
            second.close()
        third = harness.reopen()             # ... and the late retry comes after another one
        try:
            harness.platform = third
            superseded(harness, lambda: third.set_price(sku, old, idempotency_key="late-rs-1"))
            assert third.read_product(sku).price == old - 50
        finally:
            harness.platform = first
            third.close()

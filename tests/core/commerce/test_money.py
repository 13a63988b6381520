"""The strict money parser and platform unit conversion."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from controlroom.commerce.money import (MAX_FEN, MoneyError, format_money, format_yuan, from_platform_unit,
                                        parse_money, to_platform_unit)


@pytest.mark.parametrize("text,fen", [
    ("29.9", 2990), ("29.90", 2990), ("1,699", 169900), ("1699元", 169900), ("¥29.9", 2990),
    ("￥29.9", 2990), ("２９．９", 2990), ("１，６９９", 169900), ("  29.9 ", 2990), ("\u300029.90\u3000", 2990),
    ("0.01", 1), ("0", 0), ("12,345,678.9", 1234567890), ("¥ 1,699.50 元", 169950), ("1699.5元", 169950),
])
def test_accepts(text, fen):
    assert parse_money(text) == fen


@pytest.mark.parametrize("text,word", [
    ("29,9", "comma"), ("29,90", "comma"), ("1.699,50", "comma"), ("29.999", "more than 2 decimals"),
    ("1.699", "more than 2 decimals"), ("1e3", "exponent"), ("2.5E2", "exponent"), ("-5", "negative"),
    ("−5", "negative"), ("nan", "NaN"), ("inf", "NaN"), ("Infinity", "NaN"), ("", "empty"), ("   ", "empty"),
    ("abc", "not an amount"), ("1,6999", "groups of 3"), ("12,34,567", "groups of 3"), ("29.", "incomplete"),
    ("1.2.3", "more than one decimal point"), ("¥", "empty"), ("+5", "sign"),
])
def test_rejects_with_reason(text, word):
    with pytest.raises(MoneyError) as e:
        parse_money(text, field="live_price")
    assert word.lower() in str(e.value).lower()
    assert "live_price" in str(e.value)


def test_comma_decimal_never_read_as_299():
    with pytest.raises(MoneyError):
        parse_money("29,9")


def test_rejects_non_text():
    for v in (29.9, 2990, None):
        with pytest.raises(MoneyError):
            parse_money(v)  # type: ignore[arg-type]


def test_format():
    assert format_money(2990) == "29.90"
    assert format_money(169900) == "1699.00"
    assert format_money(169900, grouping=True) == "1,699.00"
    assert format_money(1) == "0.01"
    assert format_yuan(2990) == "¥29.90"
    assert format_yuan(-150) == "-¥1.50"
    with pytest.raises(MoneyError):
        format_money(29.9)  # type: ignore[arg-type]


@given(st.integers(min_value=0, max_value=MAX_FEN))  # past MAX_FEN an amount is refused (test_money_length_limit)
def test_parse_format_roundtrip(x):
    assert parse_money(format_money(x)) == x
    assert parse_money(format_money(x, grouping=True)) == x
    assert parse_money(format_yuan(x)) == x


@given(st.integers(min_value=0, max_value=10**12))
def test_platform_unit_roundtrip(x):
    for unit in ("fen", "yuan", "decimal_string"):
        assert from_platform_unit(to_platform_unit(x, unit), unit) == x


def test_platform_units():
    assert to_platform_unit(2990, "fen") == 2990
    assert to_platform_unit(2990, "yuan") == "29.90"
    assert to_platform_unit(2990, "decimal_string") == "29.90"
    assert to_platform_unit(5, "yuan") == "0.05"
    assert from_platform_unit(29.9, "yuan") == 2990
    assert from_platform_unit("29.9", "decimal_string") == 2990
    assert from_platform_unit(2990, "fen") == 2990
    for bad, unit in [(29.9, "fen"), ("29.90", "fen"), ("29,9", "yuan"), ("29.999", "yuan"), ("1e3", "yuan"),
                      (-1, "fen"), ("-1.00", "yuan"), (float("nan"), "yuan"), (True, "fen"), (None, "yuan"),
                      ("¥29.9", "yuan")]:
        with pytest.raises(MoneyError):
            from_platform_unit(bad, unit)
    with pytest.raises(MoneyError):
        to_platform_unit(2990, "cents")
    with pytest.raises(MoneyError):
        to_platform_unit(-1, "fen")
    with pytest.raises(MoneyError):
        to_platform_unit(29.9, "yuan")  # type: ignore[arg-type]


@given(st.text(alphabet="0123456789,.", min_size=1, max_size=12))
def test_parser_never_misreads_comma_decimal(s):
    """Whatever is accepted equals the number read with ',' as a thousands separator only."""
    try:
        fen = parse_money(s)
    except MoneyError:
        return
    from decimal import Decimal
    assert fen == int(Decimal(s.replace(",", "")) * 100)
    if "," in s:
        whole = s.split(".")[0]
        assert all(len(g) == 3 for g in whole.split(",")[1:])

"""Issue 11, finding 4 for the simulated shop's products.csv: read by the core's one strict CSV reader."""
from __future__ import annotations

import pytest

from plugins.simulator.catalog import CatalogError, load_catalog

HEAD = "sku,title,list_price,live_price,stock\n"


def test_an_unterminated_quote_is_refused_with_its_line(tmp_path):
    p = tmp_path / "products.csv"
    p.write_text(HEAD + 'A,"Lipstick,129,69,10\nB,Serum,299,29.9,10\nC,Cream,259,2.59,10\n', encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(p)
    assert err.value.line == 2 and "never closed" in str(err.value)


def test_not_utf8_and_huge_numbers(tmp_path):
    p = tmp_path / "products.csv"
    p.write_bytes((HEAD + "A,口红,129,69,10\n").encode("gbk"))
    with pytest.raises(CatalogError, match=r"not UTF-8 \(GBK\?\)"):
        load_catalog(p)
    p.write_text(HEAD + "A,Lipstick,129,69," + "9" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"line 2, column 'stock'"):
        load_catalog(p)
    p.write_text(HEAD + "A,Lipstick," + "9" * 5000 + ",69,10\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"line 2, column 'list_price'.*digits"):
        load_catalog(p)

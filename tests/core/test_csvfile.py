"""Issue 11, finding 4: one strict CSV reader for products.csv, price plans and rundowns. An
unterminated quote is refused with its row (Python's csv module silently reads the rest of the file
into one cell), and so are a file that is not UTF-8 ("not UTF-8 (GBK?)"), a directory and a missing path."""
from __future__ import annotations

import pytest

from controlroom.csvfile import CsvFileError, parse_csv, read_csv

PLAN = ("sku,title,list_price,live_price\n"
        'A,"Velvet lipstick,129,69\n'       # the quote opened here is never closed
        "B,Serum,299,29.9\n"                # 90 % off: hidden inside A's title by a lenient reader
        "C,Cream,259,2.59\n")               # 99 % off: hidden too


def test_an_unterminated_quote_is_refused_with_its_row():
    with pytest.raises(CsvFileError) as err:
        parse_csv(PLAN, "plan.csv")
    assert err.value.row == 2 and err.value.line == 2
    assert "plan.csv, row 2" in str(err.value) and "never closed" in str(err.value)


def test_a_quote_closed_rows_later_does_not_swallow_the_rows_between():
    text = ("cue,title,kind,duration\n"
            '1,"Opening,opening,3:00\n'
            "2,Lipstick,product,17:00\n"
            '3,Serum",product,20:00\n')
    with pytest.raises(CsvFileError) as err:
        parse_csv(text, "rundown.csv")
    assert err.value.row == 2 and err.value.column == "title"
    assert "row of its own" in str(err.value)


def test_a_stray_quote_is_refused_with_its_line():
    with pytest.raises(CsvFileError) as err:
        parse_csv('sku,title,price\nA,"Lip"stick,10\n', "p.csv")
    assert err.value.row == 2 and "stray quote" in str(err.value)


def test_real_multi_line_cells_and_quotes_still_read():
    t = parse_csv('cue,title,talk_track\n1,"Say ""hi""","line one\nline two, with a comma"\n2,x,y\n')
    assert t.rows[1] == ["1", 'Say "hi"', "line one\nline two, with a comma"]
    assert t.lines == [1, 2, 4]


def test_not_utf8_says_what_it_probably_is(tmp_path):
    p = tmp_path / "products.csv"
    p.write_bytes("sku,title\nLIP-001,丝绒雾面口红\n".encode("gbk"))
    with pytest.raises(CsvFileError) as err:
        read_csv(p)
    assert "not UTF-8 (GBK?)" in str(err.value) and err.value.line == 2


def test_a_utf8_bom_is_fine(tmp_path):
    p = tmp_path / "products.csv"
    p.write_bytes("sku,title\nA,口红\n".encode("utf-8-sig"))
    assert read_csv(p).rows == [["sku", "title"], ["A", "口红"]]


def test_a_directory_a_missing_path_and_a_binary_file(tmp_path):
    with pytest.raises(CsvFileError, match="is a directory"):
        read_csv(tmp_path)
    with pytest.raises(CsvFileError, match="no such"):
        read_csv(tmp_path / "nope.csv")
    (tmp_path / "x.csv").write_bytes(b"a,b\n\x00\x01,2\n")
    with pytest.raises(CsvFileError, match="NUL"):
        read_csv(tmp_path / "x.csv")

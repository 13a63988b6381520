"""Issue 11, finding 4 for products.csv / price plans, through `python main.py preflight`: an
unterminated quote, a file that is not UTF-8, a directory, and a 5,000-digit price are refused with
the file, row and column — never "plan passes" over hidden rows, never Python's integer-limit text."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from controlroom.commerce.plan import PlanError, read_plan

ROOT = Path(__file__).resolve().parents[3]


def preflight(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "preflight", *args], capture_output=True,
                          text=True, timeout=120)


def test_preflight_refuses_an_unterminated_quote_with_its_row(tmp_path):
    plan = tmp_path / "plan.csv"
    plan.write_text("sku,title,list_price,live_price\n"
                    'A,"Velvet lipstick,129,69\n'
                    "B,Serum,299,29.9\n"
                    "C,Cream,259,2.59\n", encoding="utf-8")
    p = preflight(str(plan))
    assert p.returncode == 2, p.stdout
    assert "row 2" in p.stderr and "never closed" in p.stderr
    assert "passes" not in p.stdout


def test_a_5000_digit_price_is_refused_with_row_and_column(tmp_path):
    plan = tmp_path / "plan.csv"
    plan.write_text("sku,title,list_price,live_price\nA,Lipstick,129,69\nB,Serum," + "9" * 5000 + ",199\n",
                    encoding="utf-8")
    rows = read_plan(plan).rows
    assert rows[1].list_price is None
    field, reason = rows[1].invalid[0]
    assert field == "list_price" and "digits" in reason and "4300" not in reason
    p = preflight(str(plan), "--json")
    assert p.returncode == 1, p.stderr
    assert "list_price" in p.stdout and "Exceeds the limit" not in p.stdout + p.stderr


def test_a_gbk_plan_says_not_utf8(tmp_path):
    plan = tmp_path / "plan.csv"
    plan.write_bytes("sku,title,list_price,live_price\nA,丝绒雾面口红,129,69\n".encode("gbk"))
    p = preflight(str(plan))
    assert p.returncode == 2 and "not UTF-8 (GBK?)" in p.stderr


def test_a_directory_as_the_plan(tmp_path):
    with pytest.raises(PlanError, match="is a directory"):
        read_plan(tmp_path)


@pytest.mark.parametrize("column", ["stock", "per_buyer_limit", "coupon_qty", "tiers"])
def test_a_5000_digit_count_is_refused_with_its_column_not_the_int_limit(tmp_path, column):
    """The same for whole-number cells (stock, limits, quantities, tier sizes): the reason names the column
    and says too many digits, short — not Python's integer-limit text, nor the 5,000 digits echoed back."""
    big = "9" * 5000
    cell = f"{big}:89" if column == "tiers" else big
    plan = tmp_path / "plan.csv"
    plan.write_text(f"sku,title,list_price,live_price,{column}\nA,Lipstick,129,69,{cell}\n", encoding="utf-8")
    field, reason = read_plan(plan).rows[0].invalid[0]
    assert field == column
    assert "large" in reason and "Exceeds the limit" not in reason and len(reason) < 200

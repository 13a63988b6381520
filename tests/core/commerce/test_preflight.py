"""`python main.py preflight PLAN.csv [--json]` as a user runs it (a real subprocess)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "resources" / "sample_show" / "products.csv"
HEAD = "sku,title,list_price,live_price,cost,floor_price,stock,per_buyer_limit,coupon_threshold,coupon_off,coupon_qty,approved_deep_discount\n"


def run(*args, cwd=ROOT):
    p = subprocess.run([sys.executable, "main.py", "preflight", *map(str, args)], cwd=cwd, capture_output=True,
                       text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def rows(out):
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_sample_plan_passes():
    code, out, err = run(SAMPLE, "--json")
    assert code == 0, err
    data = rows(out)
    import csv
    with open(SAMPLE, encoding="utf-8-sig") as f:
        expected = list(csv.DictReader(f))
    assert [d["row"] for d in data] == list(range(1, len(expected) + 1))
    assert [d["sku"] for d in data] == [r["sku"] for r in expected]
    assert all(set(d) == {"row", "sku", "verdict", "rules", "net_price"} for d in data)
    assert not any(d["verdict"] == "block" for d in data)
    by = {d["sku"]: d for d in data}
    assert by["SER-002"]["net_price"] == "179.00"   # 199 - coupon 20 at threshold 199
    assert by["LKY-011"]["net_price"] == "0.01"     # approved lucky bag with a limit and a cap


def test_table_output(tmp_path):
    code, out, err = run(SAMPLE)
    assert code == 0
    assert "LIP-001" in out and "ALLOW" in out and "plan passes" in out


def plan(tmp_path, body, name="plan.csv", bom=False, head=HEAD):
    p = tmp_path / name
    p.write_bytes((("\ufeff" if bom else "") + head + body).encode("utf-8"))
    return p


def test_blocks_and_confirms(tmp_path):
    p = plan(tmp_path, (
        "W1,Washer,1699,299,900,1200,100,1,,,,no\n"          # 1 stacked too deep: below floor and >70 %
        "C1,Cream,100,45,10,20,100,2,,,,no\n"                 # 2 55 % off: confirm
        "A1,Above,100,120,10,20,100,2,,,,no\n"                # 3 live above list
        "K1,Coupon,100,90,10,20,100,2,0,10,,no\n"             # 4 coupon without minimum or cap
        "K2,Coupon,100,90,10,20,100,2,50,50,100,no\n"         # 5 amount >= threshold
        "B1,最好的面霜,100,90,10,20,100,2,,,,no\n"              # 6 banned term
        "L1,Lucky,99,0.01,25,0.01,50,1,,,,yes\n"              # 7 approved deep discount
        "L2,Lucky no cap,99,0.01,25,,,1,,,,yes\n"             # 8 approved but no quantity cap
        "Z1,Zero,99,0,10,,10,1,,,,no\n"                       # 9 net zero
    ))
    code, out, err = run(p, "--json")
    assert code == 1
    d = {r["row"]: r for r in rows(out)}
    assert d[1]["verdict"] == "block" and {"below_floor", "discount_over_70"} <= set(d[1]["rules"])
    assert d[1]["net_price"] == "299.00"
    assert d[2]["verdict"] == "confirm" and d[2]["rules"] == ["discount_50_70"]
    assert d[3]["verdict"] == "block" and "above_list" in d[3]["rules"]
    assert d[4]["verdict"] == "block" and "coupon_no_min_no_cap" in d[4]["rules"]
    assert d[5]["verdict"] == "block" and "coupon_amount_ge_threshold" in d[5]["rules"]
    assert d[6]["verdict"] == "confirm" and d[6]["rules"] == ["banned_terms"]
    assert d[7]["verdict"] == "allow" and d[7]["net_price"] == "0.01"
    assert d[8]["verdict"] == "block" and "discount_over_70" in d[8]["rules"]
    assert d[9]["verdict"] == "block" and "net_price_nonpositive" in d[9]["rules"]


def test_unreadable_cell_blocks_row_naming_field(tmp_path):
    p = plan(tmp_path, "A,Good,100,80,,,10,,,,,no\nB,Bad,100,\"29,9\",,,10,,,,,no\nC,Bad stock,100,80,,,ten,,,,,no\n",
             bom=True)
    code, out, err = run(p, "--json")
    assert code == 1
    d = rows(out)
    assert d[0]["verdict"] == "allow" and d[0]["net_price"] == "80.00"
    assert d[1]["verdict"] == "block" and any("live_price" in r for r in d[1]["rules"])
    assert "invalid_input" in d[1]["rules"] and d[1]["net_price"] is None
    assert d[2]["verdict"] == "block" and any("stock" in r for r in d[2]["rules"])


def test_duplicate_skus(tmp_path):
    p = plan(tmp_path, "A,One,100,80,,,10,,,,,no\nB,Two,100,80,,,10,,,,,no\nA,One again,100,70,,,10,,,,,no\n")
    code, out, _ = run(p, "--json")
    d = rows(out)
    assert code == 1
    assert [r["verdict"] for r in d] == ["block", "allow", "block"]
    assert "duplicate_sku" in d[0]["rules"] and "duplicate_sku" in d[2]["rules"]


def test_extra_columns_ignored_and_optional_columns_missing(tmp_path):
    p = plan(tmp_path, "A,One,100,80,whatever\n", head="sku,title,list_price,live_price,notes\n")
    code, out, _ = run(p, "--json")
    assert code == 0
    assert rows(out) == [{"row": 1, "sku": "A", "verdict": "allow", "rules": [], "net_price": "80.00"}]


@pytest.mark.parametrize("content,word", [
    (b"", "empty"),
    (b"sku,title,list_price\nA,B,1\n", "live_price"),
    ("sku,title,list_price,live_price\nA,中文,1,1\n".encode("gbk"), "UTF-8"),
])
def test_unreadable_file_exit_2(tmp_path, content, word):
    p = tmp_path / "bad.csv"
    p.write_bytes(content)
    code, out, err = run(p, "--json")
    assert code == 2
    assert word in err and out == ""


def test_missing_file_exit_2(tmp_path):
    code, _, err = run(tmp_path / "nope.csv")
    assert code == 2 and "nope.csv" in err

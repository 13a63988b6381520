"""How viewers name a product: the names a comment may use for a SKU of the plan.

Live-room viewers rarely type a SKU code. They write the product's Chinese name ("丝绒雾面口红"), its head
noun ("口红"), or the link number of the shopping bag 小黄车 ("3号链接", "3号"). One place decides these
names, so the simulated audience and the classifier that reads real comments agree on them.
"""
from __future__ import annotations

import re
import unicodedata

_HAN = re.compile(r"[\u3400-\u9fff]+")


def chinese_name(title: str) -> str:
    """The Chinese part of a bilingual title: "丝绒雾面口红 Velvet Matte Lipstick" -> "丝绒雾面口红";
    "修护面膜 10片装 Repair Sheet Masks x10" -> "修护面膜 10片装" (up to the first Latin letter)."""
    t = unicodedata.normalize("NFKC", title or "").strip()
    m = re.match(r"[^A-Za-z]*", t)
    return (m.group(0) if m else "").strip()


def head_noun(title: str) -> str:
    """The last two Han characters of the first Han run of the name: 口红, 精华, 面霜, 面膜 — what viewers say."""
    runs = _HAN.findall(chinese_name(title))
    return runs[0][-2:] if runs and len(runs[0]) > 2 else ""


def product_names(titles: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """SKU -> the names a comment may use for it (longest first). A head noun shared by two products names
    neither (a comment about "面霜" in a room selling two creams is about no one product)."""
    heads: dict[str, list[str]] = {}
    for sku, title in titles.items():
        h = head_noun(title)
        if h:
            heads.setdefault(h, []).append(sku)
    out: dict[str, tuple[str, ...]] = {}
    for sku, title in titles.items():
        names = []
        full = _HAN.findall(chinese_name(title))
        if full:
            names.append(full[0])
        h = head_noun(title)
        if h and len(heads.get(h, ())) == 1 and h not in names:
            names.append(h)
        out[sku] = tuple(sorted(set(names), key=len, reverse=True))
    return out

"""The recap as an XLSX workbook (pandas + xlsxwriter): sheets headline, segments, products,
price_changes, incidents, previous_shows.

Money is written twice: the exact integer 分 (`*_fen`, what to sum and compare) and 元 for reading,
shown with a ¥ number format. Times are local wall time (what people remember) beside UTC.
The file is written under a temporary name and renamed when complete.
"""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from controlroom.cells import runs_as_formula
from controlroom.recap.labels import bi, fmt_local
from controlroom.recap.report import Recap

SHEETS = ("headline", "segments", "products", "price_changes", "incidents", "previous_shows", "comments",
          "lucky_bags")


def _yuan(fen: int | None):
    return None if fen is None else fen / 100  # display column only; *_fen keeps the exact amount


def _utc(dt) -> str | None:
    return dt.isoformat() if dt is not None else None


def frames(r: Recap) -> dict[str, pd.DataFrame]:
    head = []
    for m in r.headline:
        row = {"metric": m.key, "label": bi(m.label), "unit": m.unit}
        for col, v in (("value", m.value), ("target", m.target), ("previous", m.previous),
                       ("previous_avg", m.previous_avg)):
            if m.unit == "fen":
                row[f"{col}_fen"] = None if v is None else int(round(v))
                row[f"{col}_yuan"] = None if v is None else v / 100
            else:
                row[col] = v
        row["target_fraction"] = m.target_fraction
        row["vs_previous"] = m.vs_previous
        head.append(row)
    segs = [{"cue": s.cue, "title": s.title, "kind": s.kind, "products": " ".join(s.products),
             "planned_start_s": s.planned_start_s, "actual_start_s": s.actual_start_s,
             "start_delta_s": s.start_delta_s, "planned_s": s.planned_s, "actual_s": s.actual_s,
             "length_delta_s": s.length_delta_s, "run_s": s.run_s, "start_local": fmt_local(s.start_utc) if s.start_utc else None,
             "start_utc": _utc(s.start_utc), "new_viewers": s.new_viewers, "acu": s.acu, "pcu": s.pcu,
             "gmv_fen": s.gmv, "gmv_yuan": _yuan(s.gmv), "orders": s.orders, "conversion": s.conversion,
             "traffic_index": s.traffic_index, "conversion_index": s.conversion_index, "callout": s.callout,
             "callout_text": s.callout_text} for s in r.segments]
    prods = [{"sku": p.sku, "title": p.title, "gmv_fen": p.gmv, "gmv_yuan": _yuan(p.gmv), "paid_gmv_fen": p.paid_gmv,
              "paid_gmv_yuan": _yuan(p.paid_gmv), "orders": p.orders, "units": p.units, "impressions": p.impressions,
              "clicks": p.clicks, "add_to_cart": p.add_to_cart, "add_to_cart_rate": p.add_to_cart_rate,
              "conversion_click_to_order": p.conversion, "ctr": p.ctr, "changes": len(p.changes)} for p in r.products]
    changes = [{"local_time": fmt_local(c.utc), "utc": _utc(c.utc), "show_time_s": round(c.t_s, 3), "sku": c.sku,
                "change": c.kind, "from_fen": c.from_price, "from_yuan": _yuan(c.from_price), "to_fen": c.to_price,
                "to_yuan": _yuan(c.to_price), "detail": c.detail, "actor": c.actor,
                "orders_per_min_before": c.orders_per_min_before, "orders_per_min_after": c.orders_per_min_after,
                "before_span_s": c.before_span_s, "after_span_s": c.after_span_s, "effect": c.effect}
               for c in r.price_changes]
    incidents = [{"local_time": fmt_local(i.utc), "utc": _utc(i.utc), "show_time_s": round(i.t_s, 3), "kind": i.kind,
                  "severity": i.severity, "actor": i.actor, "title": i.title, "detail": i.detail, "sku": i.sku,
                  "detect_to_switch_ms": i.duration_ms, "onset_to_switch_ms": i.onset_ms, "journal_seq": i.seq}
                 for i in r.incidents]
    prev = [{"session_id": p.session_id, "title": p.title, "started_utc": _utc(p.started_utc),
             **{k: v for k, v in p.values.items()}} for p in r.previous]

    minutes = [{"local_time": fmt_local(m.utc), "utc": _utc(m.utc), "show_time_s": round(m.t_s, 3), "comments": m.total,
                "questions": m.question, "complaints": m.complaint, "praise": m.praise, "spam": m.spam,
                "lucky_bag_entries": m.entry} for m in r.comment_minutes]
    bags = [{"local_time": fmt_local(b.start_utc), "utc": _utc(b.start_utc), "show_time_s": round(b.t_s, 3),
             "bag_id": b.bag_id, "prize": b.prize, "passphrase": b.passphrase, "follow_required": b.follow_required,
             "countdown_s": b.countdown_s, "ran_s": round(b.ran_s, 3), "entries": b.entries, "eligible": b.eligible,
             "winners": b.winners, "drawn": b.drawn, "reason": b.reason, "acu_before": b.acu_before,
             "acu_during": b.acu_during, "acu_after": b.acu_after, "comments_per_min_before": b.comments_before,
             "comments_per_min_during": b.comments_during, "comments_per_min_after": b.comments_after}
            for b in r.lucky_bags]

    def df(rows, cols=None):
        return pd.DataFrame(rows) if rows else pd.DataFrame(columns=cols or ["(none)"])

    return {"headline": df(head), "segments": df(segs, ["cue", "title"]), "products": df(prods, ["sku", "title"]),
            "price_changes": df(changes, ["local_time", "sku", "change"]),
            "incidents": df(incidents, ["local_time", "kind", "severity", "actor", "title"]),
            "previous_shows": df(prev, ["session_id", "title"]),
            "comments": df(minutes, ["local_time", "comments", "questions", "complaints"]),
            "lucky_bags": df(bags, ["local_time", "bag_id", "prize"])}


def _formula_like(frame: pd.DataFrame):
    """((row, column), text) of every text cell a spreadsheet would take for a formula."""
    for c, col in enumerate(frame.columns):
        if pd.api.types.is_numeric_dtype(frame[col]) or pd.api.types.is_datetime64_any_dtype(frame[col]):
            continue  # numbers stay numbers
        for row, value in enumerate(frame[col].tolist()):
            if runs_as_formula(value):
                yield (row, c), value


def write_xlsx(r: Recap, path: str | Path) -> Path:
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    try:
        # Cells stay text (controlroom.cells): xlsxwriter would store a title starting with "=" as a
        # formula and a URL as a link; a text that looks like a formula gets the quote-prefix style.
        with pd.ExcelWriter(tmp, engine="xlsxwriter", engine_kwargs={"options": {
                "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}}) as xw:
            book = xw.book
            money = book.add_format({"num_format": "¥#,##0.00"})
            pct = book.add_format({"num_format": "0.0%"})
            as_text = book.add_format({"quote_prefix": True})
            for name, frame in frames(r).items():
                frame.to_excel(xw, sheet_name=name, index=False)
                ws = xw.sheets[name]
                for (row, col), value in _formula_like(frame):
                    ws.write_string(row + 1, col, value, as_text)
                ws.freeze_panes(1, 0)
                for i, col in enumerate(frame.columns):
                    fmt = money if str(col).endswith("_yuan") else (
                        pct if str(col) in ("conversion", "target_fraction", "vs_previous", "effect", "ctr",
                                            "add_to_cart_rate", "conversion_click_to_order") else None)
                    width = min(max(len(str(col)) + 2, 10), 60 if col in ("title", "detail", "callout_text") else 24)
                    ws.set_column(i, i, width, fmt)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path

"""Pure builders for the Data status page's freshness chart and the rows of its tables (no Dash imports)."""
from __future__ import annotations

import datetime as dt
import html as html_text

import pandas as pd

from dashboard.charts import core as charts_core

STATE_COLOURS = {"fresh": "#009E73", "due": "#E69F00", "overdue": "#D55E00", "never": "#999999",
                 "unscheduled": "#56B4E9"}
STATE_WORDS = {"fresh": "fresh", "due": "due", "overdue": "overdue", "never": "never loaded",
               "unscheduled": "no schedule"}


def shown_state(row) -> str:
    """A source whose last attempt failed shows as failed, whatever its freshness."""
    word = STATE_WORDS.get(row["state"], row["state"])
    return f"failed ({word})" if row["last_status"] == "failed" else word


def freshness_figure(df: pd.DataFrame, now: dt.datetime, title: str) -> dict:
    """Days since each source's last success, against its expected cadence (the tick), coloured by state."""
    ages = [None if pd.isna(t) else round((now - t).total_seconds() / 86400, 1) for t in df["last_success"]]
    states = [shown_state(r) for r in df.to_dict("records")]
    bars = {
        "hoverinfo": "text",
        "hovertext": [html_text.escape(f"{src}: {s}; last success {'never' if a is None else f'{a:g} days ago'}",
                                       quote=False) for src, s, a in zip(df["source"], states, ages, strict=True)],
        "marker": {"color": ["#D55E00" if s.startswith("failed") else STATE_COLOURS.get(st, "#999999")
                             for s, st in zip(states, df["state"], strict=True)]},
        "name": "days since last success", "orientation": "h",
        "text": [f"{s}" + ("" if a is None else f", {a:g} days") for s, a in zip(states, ages, strict=True)],
        "textposition": "outside", "x": ages, "y": list(df["source"]), "type": "bar"}
    cadence = {"hoverinfo": "skip", "marker": {"color": "#000000", "size": 18, "symbol": "line-ns-open"},
               "mode": "markers", "name": "expected cadence (days)",
               "x": [None if pd.isna(c) else int(c) for c in df["cadence_days"]], "y": list(df["source"]),
               "type": "scatter"}
    fig = charts_core.figure([bars, cadence], height=160 + 40 * len(df), legend={"orientation": "h", "y": -0.2},
                             xaxis={"rangemode": "tozero", "title": {"text": "days since last success"}},
                             yaxis={"autorange": "reversed", "automargin": True})
    return charts_core.cite_dict(fig, title, "Source: the store's refresh log (source_run) and data/schedule.toml; "
                                             "fresh until last success + cadence, then due for the grace, then "
                                             "overdue")


def freshness_rows(df: pd.DataFrame) -> list[dict]:
    """Table rows: times to the minute in UTC, the state a coordinator reads, what the last refresh changed."""
    rows = []
    for r in df.to_dict("records"):
        periods = r["new_periods"] or []
        rows.append({
            "source": r["source"], "state": shown_state(r), "mode": r["mode"], "cadence_days": _int(r["cadence_days"]),
            "last_success": _minute(r["last_success"]), "due_at": _minute(r["due_at"]),
            "overdue_at": _minute(r["overdue_at"]), "last_attempt": _minute(r["last_attempt"]),
            "last_status": r["last_status"], "last_error": r["last_error"], "refresh_run_id": _int(r["refresh_run_id"]),
            "new": _int(r["new"]), "revised": _int(r["revised"]), "withdrawn": _int(r["withdrawn"]),
            "new_periods": "; ".join(f"{p['series']} {p['period_end']}: {p['figures']:,}" for p in periods[:6])
            + (f"; … {len(periods) - 6} more" if len(periods) > 6 else ""),
        })
    return rows


def freshness_summary(df: pd.DataFrame, problem: str | None) -> str:
    if df.empty:
        return problem or "No source is scheduled or has been refreshed yet."
    counts = {s: int((df["state"] == s).sum()) for s in STATE_WORDS}
    failed = df[df["last_status"] == "failed"]
    parts = [f"{len(df)} sources: " + ", ".join(f"{n} {STATE_WORDS[s]}" for s, n in counts.items() if n) + "."]
    if not failed.empty:
        parts.append("Last refresh failed: " + "; ".join(f"{r['source']} ({r['last_error']})"
                                                           for r in failed.to_dict("records")) + ".")
    if problem:
        parts.append(problem)
    return " ".join(parts)


def change_rows(df: pd.DataFrame) -> list[dict]:
    """One row per revised or withdrawn figure: what it is, and old -> new."""
    rows = []
    for r in df.to_dict("records"):
        place = r["location_code"] if not r["origin_code"] else f"{r['origin_code']} → {r['location_code']}"
        detail = ", ".join(x for x in (r["sex"], r["age_group"], r["breakdown"]) if x not in ("all", "total", None))
        old, new = _int(r["old_value"]), _int(r["new_value"])
        rows.append({"source": r["source"], "refresh_run_id": _int(r["refresh_run_id"]), "kind": r["kind"],
                     "figure": f"{r['slug']} {r['population_group']} {r['measure']} {place} "
                               f"{r['period_end']}" + (f" ({detail})" if detail else ""),
                     "old_value": old, "new_value": new,
                     "change": (f"{old:,} → {new:,}" if old is not None and new is not None else
                                f"{old:,} → withdrawn" if old is not None else "withdrawn")
                     + ("" if r["is_current"] else " (an older release: not the current figure)")})
    return rows


def _minute(value) -> str | None:
    return None if value is None or pd.isna(value) else f"{value:%Y-%m-%d %H:%M}"


def _int(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)

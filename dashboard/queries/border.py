"""Reads for the Border region page: the pairings of data/border_regions.csv and each side's figures by month."""
from __future__ import annotations

import csv
import datetime as dt
import functools
from dataclasses import dataclass, replace

import pandas as pd
from sqlalchemy import Engine, case, func, select

from dashboard import config
from dashboard.cache import cached_query
from dashboard.charts.core import format_date, qualified
from dashboard.filters import Filters
from dashboard.queries import core
from dashboard.queries import ledger as ledger_marks
from dashboard.queries.flows import cached_figures
from etl import config as etl_config
from etl.export import ExportFilter, export_conditions
from etl.models import Observation

PAIRINGS_FILE = etl_config.DATA_DIR / "border_regions.csv"
DEFAULT_PAIRING = "nw-syria"
NATIONAL_CODE = "TUR"
NATIONAL_MAX_AGE = pd.Timedelta(days=366)  # a national figure older than this is not "the current" one
ROW_COLUMNS = [
    "side", "area_code", "area_name", "area_kind", "quantity", "label", "status", "value", "value_text", "qualifier",
    "population_group", "measure", "unit", "reference_period_start", "reference_period_end", "reference",
    "series_slug", "series_title", "publisher", "originator", "licence", "citation", "retrieved_at",
    "source_title", "source_url", "is_secondary", "note", "members",
]
QUANTITY_LABELS = {
    "arrivals": "arrivals: IDP movements into the area (movements, not people)",
    "departures": "displaced: IDP movements out of the area (movements, not people)",
    "displaced": "IDPs newly displaced (people)",
    "hosted": "Syrians under temporary protection (people)",
    "national": "Türkiye, national figure (people; not the sum of provinces)",
}


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    side: str  # 'syria' (displaced, arrivals) or 'turkey' (refugees hosted)
    kind: str  # governorate, district, composite, province
    note: str


@dataclass(frozen=True)
class Pairing:
    key: str
    name: str
    areas: tuple[Area, ...]

    def side(self, side: str, kinds: tuple[str, ...] | None = None) -> tuple[Area, ...]:
        return tuple(a for a in self.areas if a.side == side and (kinds is None or a.kind in kinds))


@functools.cache
def pairings() -> dict[str, Pairing]:
    """The pairings of data/border_regions.csv, in file order (one row per area of a side)."""
    with PAIRINGS_FILE.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out: dict[str, Pairing] = {}
    for row in rows:
        area = Area(row["code"], row["name"], row["side"], row["kind"], row["note"])
        old = out.get(row["pairing"])
        out[row["pairing"]] = Pairing(row["pairing"], row["pairing_name"], (old.areas if old else ()) + (area,))
    return out


def pairing_options() -> list[dict]:
    return [{"label": p.name, "value": key} for key, p in pairings().items()]


def pairing(key: str | None) -> Pairing:
    return pairings().get(key if isinstance(key, str) else "", pairings()[DEFAULT_PAIRING])


def hosted_origin(flt: Filters) -> str:
    """Whose refugees the Turkish side counts: the origin filter, or Syria when it is 'any' (temporary
    protection in Türkiye is for Syrians; a figure per origin would otherwise be drawn per province)."""
    return flt.origin or "SYR"


def syria_codes(engine: Engine, p: Pairing) -> dict[str, tuple[str, ...]]:
    """The pairing's Syrian governorates, their districts (from the gazetteer) and its composite areas."""
    gaz = core.known(engine)["gazetteer"]
    govs = tuple(a.code for a in p.side("syria", ("governorate",)))
    districts = tuple(sorted(p2.code for p2 in gaz.places("admin2") if p2.parent_code in govs))
    composites = tuple(a.code for a in p.side("syria", ("composite",)))
    return {"governorates": govs, "districts": districts, "composites": composites}


def _kinds(engine: Engine, flt: Filters, p: Pairing) -> dict[str, ExportFilter]:
    """Each kind of figure the page draws -> the export filter of its figures."""
    codes = syria_codes(engine, p)
    syrian = codes["governorates"] + codes["districts"]
    provinces = tuple(a.code for a in p.side("turkey"))
    return {
        "movement": core.to_export_filter(flt, measures=("movement",), population_groups=("IDP",), origin_codes=(),
                                          location_codes=(), touching_codes=syrian),
        "displaced": core.to_export_filter(flt, measures=("flow",), population_groups=("IDP",), origin_codes=(),
                                           location_codes=syrian + codes["composites"]),
        "hosted": core.to_export_filter(flt, measures=("stock",), population_groups=("REF",),
                                        origin_codes=(hosted_origin(flt),), location_codes=provinces),
    }


def month_figures(engine: Engine, flt: Filters, p: Pairing, month: str | None) -> tuple[list[dict], str | None,
                                                                                         pd.DataFrame]:
    """The month options, the month shown (`month` if it is one of them, else the default) and side_figures()
    of that month (all the month's rows need). The fast path chooses the month on three columns of the
    period's figures and reads whole rows for that month alone; the baseline reads the period's whole rows."""
    index = side_index(engine, flt, p) if config.FAST_PATH and flt.as_of is None else None
    figs = side_figures(engine, flt, p) if index is None else index
    options = months(figs)
    if not isinstance(month, str) or month not in {o["value"] for o in options}:
        month = default_month(figs, options, p)
    if index is not None and month is not None:
        start, end = pd.Timestamp(month + "-01").date(), _month_end(month)
        figs = side_figures(engine, replace(flt, date_from=max(flt.date_from, start), date_to=min(flt.date_to, end)),
                            p)
    return options, month, figs


@cached_query
def side_index(engine: Engine, flt: Filters, p: Pairing) -> pd.DataFrame | None:
    """The fast path: what months() and default_month() read of side_figures(), grouped by the database: each
    reference date with each of the pairing's areas its figures touch (as location_code and origin_code, so that
    default_month() finds the same areas). None when a kind has as many figures as core.figures reads (its cut
    then decides the rows: the page reads them whole)."""
    obs, wanted, frames = Observation, sorted({a.code for a in p.areas}), []
    touched = case((obs.location_code.in_(wanted), obs.location_code), else_=obs.origin_code)
    for x in _kinds(engine, flt, p).values():
        counted = select(func.count()).select_from(
            select(obs.id).where(*export_conditions(x)).limit(core.FIGURES_LIMIT).subquery())
        q = (select(obs.period_end, touched).distinct()
             .where(*export_conditions(x), obs.sex == "all", obs.age_group == "all", obs.breakdown == "total",
                    obs.value.is_not(None)))
        with engine.connect() as conn:
            if conn.scalar(counted) >= core.FIGURES_LIMIT:
                return None
            frames.append(pd.DataFrame(conn.execute(q).all(), columns=["reference_period_end", "location_code"]))
    df = pd.concat(frames, ignore_index=True)
    df["reference_period_end"] = pd.to_datetime(df["reference_period_end"])
    return df.assign(origin_code=df["location_code"])


@cached_query
def side_figures(engine: Engine, flt: Filters, p: Pairing) -> pd.DataFrame:
    """Every total figure of the period for the pairing: movements touching its Syrian areas, IDP flows in
    them, and refugees hosted in its Turkish provinces (origin filter applied), with provenance."""
    codes = syria_codes(engine, p)
    syrian = codes["governorates"] + codes["districts"]
    kinds = _kinds(engine, flt, p)  # kind -> export filter of the figures it needs
    if flt.as_of is not None:  # a release query ranks every vintage in the store: one query, split here
        allf = _release_frame(engine, flt)
        allf = allf[allf["reference_period_end"] >= pd.Timestamp(flt.date_from)]
        parts = {k: allf[allf["measure"].isin(x.measures) & allf["population_group"].isin(x.population_groups)
                         & (allf["location_code"].isin(x.location_codes) if x.location_codes else True)
                         & (allf["origin_code"].isin(x.origin_codes) if x.origin_codes else True)]
                 for k, x in kinds.items()}
    else:
        parts = {k: cached_figures(engine, x) for k, x in kinds.items()}
    moves = parts["movement"]  # (the release frame holds every movement; the query only those touching the areas)
    parts["movement"] = moves[moves["location_code"].isin(syrian) | moves["origin_code"].isin(syrian)]
    frames = [df.assign(kind=kind) for kind, df in parts.items() if len(df)]
    df = pd.concat(frames, ignore_index=True) if frames else parts["movement"].assign(kind=None)
    totals = (df["sex"] == "all") & (df["age_group"] == "all") & (df["breakdown"] == "total")
    return df[totals & df["value"].notna()].reset_index(drop=True)


def _release_frame(engine: Engine, flt: Filters) -> pd.DataFrame:
    """Under a release filter, everything the page needs in one query: both sides' figures of the period and
    the national figures up to a year before it (a release query costs seconds whatever it selects)."""
    return cached_figures(engine, core.to_export_filter(
        flt, measures=("movement", "flow", "stock"), population_groups=("IDP", "REF"), origin_codes=(),
        location_codes=(), date_from=flt.date_from - NATIONAL_MAX_AGE.to_pytimedelta()))


def months(figs: pd.DataFrame) -> list[dict]:
    """The months that hold a reference date of the pairing's figures, newest first, as dropdown options."""
    if figs.empty:
        return []
    ends = figs["reference_period_end"]
    out = []
    for month, dates in ends.groupby(ends.dt.strftime("%Y-%m")):
        days = ", ".join(f"{d.day} {d:%b}" for d in sorted(dates.unique()))
        out.append({"label": f"{pd.Timestamp(month + '-01'):%B %Y} (reference dates {days})", "value": month})
    return sorted(out, key=lambda o: o["value"], reverse=True)


def default_month(figs: pd.DataFrame, options: list[dict], p: Pairing) -> str | None:
    """The month with the most areas of the pairing with a figure (both sides together); the latest of equals."""
    if not options:
        return None
    wanted = {a.code for a in p.areas}
    touched = figs["location_code"].where(figs["location_code"].isin(wanted), figs["origin_code"])
    keys = figs["reference_period_end"].dt.strftime("%Y-%m")
    counts = {o["value"]: len(set(touched[keys == o["value"]]) & wanted) for o in options}
    return max(counts, key=lambda m: (counts[m], m))


@cached_query
def national(engine: Engine, flt: Filters, month: str) -> pd.DataFrame:
    """Türkiye's national figure per series, the latest on or before the month's end (never added to provinces)."""
    end = _month_end(month)
    if flt.as_of is not None:  # from the page's one release query (see side_figures)
        df = _release_frame(engine, flt)
        df = df[(df["location_code"] == NATIONAL_CODE) & (df["measure"] == "stock") & (df["population_group"] == "REF")
                & (df["origin_code"] == hosted_origin(flt)) & (df["reference_period_end"] <= pd.Timestamp(end))]
    else:
        df = cached_figures(engine, core.to_export_filter(
            flt, measures=("stock",), population_groups=("REF",), origin_codes=(hosted_origin(flt),),
            location_codes=(NATIONAL_CODE,), date_from=None, date_to=end))
    df = df[(df["sex"] == "all") & (df["age_group"] == "all") & (df["breakdown"] == "total") & df["value"].notna()]
    df = df[df["reference_period_end"] >= pd.Timestamp(end) - NATIONAL_MAX_AGE]
    if df.empty:
        return df
    latest = df.groupby("series_slug")["reference_period_end"].transform("max")
    return df[df["reference_period_end"] == latest].reset_index(drop=True)


def month_rows(engine: Engine, figs: pd.DataFrame, nat: pd.DataFrame, p: Pairing, month: str,
               *, ledger: bool = False) -> pd.DataFrame:
    """One row per figure drawn for the month (both sides, national beside), plus 'no data' rows for areas
    without one. Each side's figures come from one reference date per series (the latest in the month).
    With `ledger` (no release filter: the ledger compares current figures), a figure's rivals in the ledger."""
    gaz = core.known(engine)["gazetteer"]
    codes = syria_codes(engine, p)
    start, end = pd.Timestamp(month + "-01"), pd.Timestamp(_month_end(month))
    # The month's figures are few: plain records are much faster here than pandas selections. The period's may
    # be tens of thousands: select the month first (records of all of them cost more than the rest of the page).
    ends = figs["reference_period_end"]
    here = figs[(ends >= start) & (ends <= end)].to_dict("records")
    rows: list[dict] = []
    # Syria: movements into and out of each governorate (district), summed over the published pairs of one
    # series and month (movements, never people), and IDP flows (people) per area and series.
    moves = _latest_per([r for r in here if r["kind"] == "movement"], ("series_slug",))
    for code in codes["governorates"] + codes["districts"]:
        for quantity, side_col in (("arrivals", "location_code"), ("departures", "origin_code")):
            for grp in _groups([r for r in moves if r[side_col] == code], ("series_slug",)):
                rows.append(_sum_row(grp, "syria", code, gaz.name(code), _kind(gaz, code), quantity))
    idps = _latest_per([r for r in here if r["kind"] == "displaced"],
                       ("series_slug", "location_code", "reference_period_start"))
    rows += [_figure_row(r, "syria", _kind(gaz, r["location_code"]), "displaced") for r in idps]
    # Türkiye: refugees hosted per province, one reference date per series; national figures beside them.
    hosted = _latest_per([r for r in here if r["kind"] == "hosted"], ("series_slug",))
    rows += [_figure_row(r, "turkey", "province", "hosted") for r in hosted]
    rows += [_figure_row(r, "turkey", "country", "national") for r in nat.to_dict("records")]
    # Areas without any figure this month: 'no data', never 0.
    have = {r["area_code"] for r in rows}
    for a in p.areas:
        if a.code not in have:
            quantity = "hosted" if a.side == "turkey" else "displaced" if a.kind == "composite" else "arrivals"
            rows.append(_no_data_row(a, quantity, month))
    out = pd.DataFrame(rows, columns=ROW_COLUMNS)
    out["value"] = out["value"].astype("Int64")  # a gap stays <NA> (None in the table and CSV), never 0.0
    if ledger:  # per figure drawn; a sum of movements has none (its parts are listed in `members`)
        marks = ledger_marks.marks(engine, [r["observation_id"] for r in rows if r.get("observation_id")])
        got = [marks.get(r.get("observation_id")) for r in rows]
        out = out.assign(is_chosen=[bool(m and m[1]) for m in got],
                         rival_note=[ledger_marks.rival_note(*m) if m else "" for m in got])
    return out


def _groups(records: list[dict], keys: tuple[str, ...]) -> list[list[dict]]:
    out: dict[tuple, list[dict]] = {}
    for r in records:
        out.setdefault(tuple(r[k] for k in keys), []).append(r)
    return list(out.values())


def _latest_per(records: list[dict], keys: tuple[str, ...]) -> list[dict]:
    """Within each group of `keys`, only the figures of its latest reference date."""
    out = []
    for grp in _groups(records, keys):
        latest = max(r["reference_period_end"] for r in grp)
        out += [r for r in grp if r["reference_period_end"] == latest]
    return out


def _kind(gaz, code: str) -> str:
    return {"admin1": "governorate", "admin2": "district", "composite": "composite"}.get(gaz.place(code).kind,
                                                                                          gaz.place(code).kind)


def _figure_row(r: dict, side: str, kind: str, quantity: str) -> dict:
    return {
        "side": side, "area_code": r["location_code"], "area_name": r["location_name"], "area_kind": kind,
        "quantity": quantity, "label": QUANTITY_LABELS[quantity], "status": "figure", "value": int(r["value"]),
        "value_text": qualified(r["value"], r["qualifier"]), "qualifier": r["qualifier"],
        "population_group": r["population_group"], "measure": r["measure"], "unit": r["unit"],
        "reference_period_start": _iso(r["reference_period_start"]),
        "reference_period_end": _iso(r["reference_period_end"]),
        "reference": _reference(r["reference_period_start"], r["reference_period_end"]),
        "series_slug": r["series_slug"], "series_title": r["series_title"], "publisher": r["publisher"],
        "originator": r["originator"], "licence": r["licence"], "citation": r["citation"],
        "retrieved_at": _iso(r["retrieved_at"]), "source_title": r["source_title"], "source_url": r["source_url"],
        "is_secondary": bool(r["is_secondary"]), "note": _text(r["note"]), "members": "",
        "observation_id": int(r["observation_id"]),  # for the ledger's marks; not a column of the rows
    }


def _sum_row(grp: list[dict], side: str, code: str, name: str, kind: str, quantity: str) -> dict:
    """Movements into (or out of) one area: the sum of the published origin -> destination movements of one
    series and month, each listed in `members`."""
    grp = sorted(grp, key=lambda r: -int(r["value"]))  # largest first, as the members are read
    first = grp[0]
    exact = all(r["qualifier"] == "exact" for r in grp)
    total = sum(int(r["value"]) for r in grp)
    members = "; ".join(f"{r['origin_name']} → {r['location_name']} {qualified(r['value'], r['qualifier'])}"
                        for r in grp)
    return {
        "side": side, "area_code": code, "area_name": name, "area_kind": kind, "quantity": quantity,
        "label": QUANTITY_LABELS[quantity], "status": "figure", "value": total,
        "value_text": f"{total:,}" if exact else f"about {total:,}", "qualifier": "exact" if exact else "about",
        "population_group": first["population_group"], "measure": "movement", "unit": first["unit"],
        "reference_period_start": _iso(first["reference_period_start"]),
        "reference_period_end": _iso(first["reference_period_end"]),
        "reference": _reference(first["reference_period_start"], first["reference_period_end"]),
        "series_slug": first["series_slug"], "series_title": first["series_title"],
        "publisher": "; ".join(sorted({r["publisher"] for r in grp})), "originator": first["originator"],
        "licence": first["licence"], "citation": first["citation"],
        "retrieved_at": _iso(max(r["retrieved_at"] for r in grp)),
        "source_title": "; ".join(sorted({r["source_title"] for r in grp})),
        "source_url": "; ".join(sorted({r["source_url"] for r in grp})),
        "is_secondary": any(bool(r["is_secondary"]) for r in grp),
        "note": f"sum of the {len(grp)} published origin → destination movements "
                f"{'into' if quantity == 'arrivals' else 'out of'} {name} (movements, not people)", "members": members,
    }


def _no_data_row(a: Area, quantity: str, month: str) -> dict:
    row = dict.fromkeys(ROW_COLUMNS)
    row.update({"side": a.side, "area_code": a.code, "area_name": a.name, "area_kind": a.kind, "quantity": quantity,
                "label": QUANTITY_LABELS[quantity], "status": "no data", "value": None, "value_text": "no data",
                "reference": f"{pd.Timestamp(month + '-01'):%b %Y}", "is_secondary": False,
                "note": "no figure for this area in this month in the store: a gap, not zero", "members": ""})
    return row


def _reference(start, end) -> str:
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    if s == e:
        return format_date(e)
    if s.day == 1 and s.month == e.month and s.year == e.year and (e + pd.Timedelta(days=1)).day == 1:
        return f"{e:%b %Y}"
    return f"{format_date(s)} – {format_date(e)}"


def _month_end(month: str) -> dt.date:
    start = pd.Timestamp(month + "-01")
    return (start + pd.offsets.MonthEnd(0)).date()


def _iso(value) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()


def _text(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)

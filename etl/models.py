"""Typed SQLAlchemy 2 models of the store: places, series, releases, documents, observations, runs."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names, so Alembic migrations and error messages can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Vocabularies (the glossary's words). Kept as text + CHECK constraints so SQLite and PostgreSQL agree.
POPULATION_GROUPS = ("REF", "ROC", "ASY", "OIP", "IDP", "IOC", "STA", "OOC", "HST", "RET", "RDP", "RST", "NAT")
MEASURES = ("stock", "flow", "movement")
QUALIFIERS = ("exact", "about", "more than", "at least", "almost", "up to", "between")
MISSING_REASONS = ("not applicable", "not available", "confidential")
UNITS = ("people", "households", "families")
SEXES = ("all", "female", "male")
SOURCE_KINDS = ("registration", "assessment", "estimate", "report", "news", "secondary")
RUN_STATUSES = ("running", "success", "partial", "rejected", "failed")
PLACE_KINDS = ("country", "admin1", "admin2", "admin3", "pseudo", "composite", "region", "provider_location")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Place(Base):
    """One canonical code per place: ISO3, OCHA p-code, ISO 3166-2 or a documented X-pseudo-code."""

    __tablename__ = "place"
    code: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    name_ar: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    admin_level: Mapped[int | None] = mapped_column(Integer)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("place.code"))
    country_iso3: Mapped[str | None] = mapped_column(String(3))
    source: Mapped[str] = mapped_column(Text)
    boundary_version: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (
        CheckConstraint(_in("kind", PLACE_KINDS), name="kind_known"),
        CheckConstraint("admin_level IS NULL OR (admin_level >= 0 AND admin_level <= 4)", name="admin_level_range"),
        CheckConstraint("parent_code IS NULL OR parent_code <> code", name="not_own_parent"),
    )


class PlaceAlias(Base):
    """Another code or spelling of a place; `alias_key` is the normalised form used for lookups."""

    __tablename__ = "place_alias"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alias: Mapped[str] = mapped_column(String(300))
    alias_key: Mapped[str] = mapped_column(String(300), index=True)
    code: Mapped[str] = mapped_column(ForeignKey("place.code"))
    kind: Mapped[str] = mapped_column(String(30))  # name, unhcr_code, iso3166_2, iso3, pcode...
    lang: Mapped[str | None] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("alias_key", "code", "kind"),)


class CompositeMember(Base):
    """Member areas of a composite place such as north-west Syria."""

    __tablename__ = "composite_member"
    composite_code: Mapped[str] = mapped_column(ForeignKey("place.code"), primary_key=True)
    member_code: Mapped[str] = mapped_column(ForeignKey("place.code"), primary_key=True)
    is_partial: Mapped[bool] = mapped_column(default=False)


class Series(Base):
    """A publisher's dataset (not a file): the first part of every figure's identity."""

    __tablename__ = "series"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    publisher: Mapped[str] = mapped_column(String(200))
    originator: Mapped[str] = mapped_column(String(300))
    source_kind: Mapped[str] = mapped_column(String(20))
    licence: Mapped[str] = mapped_column(String(200))
    citation: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    is_secondary: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (CheckConstraint(_in("source_kind", SOURCE_KINDS), name="source_kind_known"),)


class Release(Base):
    """A publisher's edition of a series; later releases may revise figures (vintages)."""

    __tablename__ = "release"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id"))
    label: Mapped[str] = mapped_column(String(500))
    released_on: Mapped[dt.date | None] = mapped_column(Date)

    series: Mapped[Series] = relationship()
    __table_args__ = (UniqueConstraint("series_id", "label"),)


class Document(Base):
    """The report, file or API response a figure was read from."""

    __tablename__ = "document"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id"))
    title: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(Text)
    publisher: Mapped[str] = mapped_column(String(200))  # who published this document (may quote others)
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    retrieved_on: Mapped[dt.date] = mapped_column(Date)
    channel: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (UniqueConstraint("series_id", "title", "url"),)


class LoadRun(Base):
    """One attempt to load one file: what was read, what changed, what was set aside."""

    __tablename__ = "load_run"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(80), index=True)
    path: Mapped[str] = mapped_column(Text)
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    format: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_new: Mapped[int] = mapped_column(Integer, default=0)
    rows_changed: Mapped[int] = mapped_column(Integer, default=0)
    rows_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rows_set_aside: Mapped[int] = mapped_column(Integer, default=0)
    transform_version: Mapped[str | None] = mapped_column(String(40))
    message: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint(_in("status", RUN_STATUSES), name="status_known"),
        CheckConstraint(
            "rows_read >= 0 AND rows_new >= 0 AND rows_changed >= 0 AND rows_unchanged >= 0"
            " AND rows_set_aside >= 0",
            name="counts_nonnegative",
        ),
    )


class RejectedRow(Base):
    """A row set aside with its reason and a suggestion; `etl rejects retry` runs these again."""

    __tablename__ = "rejected_row"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("load_run.id"), index=True)
    source: Mapped[str] = mapped_column(String(80))
    path: Mapped[str] = mapped_column(Text)
    row_number: Mapped[int | None] = mapped_column(Integer)
    column: Mapped[str | None] = mapped_column(String(200))
    value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    suggestion: Mapped[str | None] = mapped_column(Text)
    record_json: Mapped[str] = mapped_column(Text)  # the normalised record, to retry without the file
    status: Mapped[str] = mapped_column(String(20), default="open")

    __table_args__ = (CheckConstraint("status IN ('open', 'resolved')", name="status_known"),)


class Observation(Base):
    """One published figure: identity, value with qualifier, and its provenance."""

    __tablename__ = "observation"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    # identity
    identity_key: Mapped[str] = mapped_column(String(32))
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id"))
    population_group: Mapped[str] = mapped_column(String(3))
    measure: Mapped[str] = mapped_column(String(10))
    origin_code: Mapped[str | None] = mapped_column(ForeignKey("place.code"))
    location_code: Mapped[str] = mapped_column(ForeignKey("place.code"))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(10), default="all")
    age_group: Mapped[str] = mapped_column(String(20), default="all")
    cause: Mapped[str] = mapped_column(String(20), default="all")
    breakdown: Mapped[str] = mapped_column(String(120), default="total")
    unit: Mapped[str] = mapped_column(String(20), default="people")
    # vintage
    vintage: Mapped[int] = mapped_column(Integer, default=1)
    is_latest: Mapped[bool] = mapped_column(default=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("release.id"))
    # value
    value: Mapped[int | None] = mapped_column(BigInteger)
    value_low: Mapped[int | None] = mapped_column(BigInteger)
    value_high: Mapped[int | None] = mapped_column(BigInteger)
    qualifier: Mapped[str] = mapped_column(String(10), default="exact")
    missing_reason: Mapped[str | None] = mapped_column(String(20))
    # provenance
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"))
    run_id: Mapped[int] = mapped_column(ForeignKey("load_run.id"))
    source_ref: Mapped[str | None] = mapped_column(Text)  # row reference or the quoted sentence
    origin_name_published: Mapped[str | None] = mapped_column(Text)
    location_name_published: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    is_secondary: Mapped[bool] = mapped_column(default=False)
    is_suspected_typo: Mapped[bool] = mapped_column(default=False)
    is_rounded: Mapped[bool] = mapped_column(default=False)
    is_preliminary: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        UniqueConstraint("identity_key", "vintage"),
        CheckConstraint(_in("population_group", POPULATION_GROUPS), name="population_group_known"),
        CheckConstraint(_in("measure", MEASURES), name="measure_known"),
        CheckConstraint(_in("qualifier", QUALIFIERS), name="qualifier_known"),
        CheckConstraint(f"missing_reason IS NULL OR {_in('missing_reason', MISSING_REASONS)}",
                        name="missing_reason_known"),
        CheckConstraint(_in("unit", UNITS), name="unit_known"),
        CheckConstraint(_in("sex", SEXES), name="sex_known"),
        CheckConstraint("value IS NULL OR value >= 0", name="value_nonnegative"),
        CheckConstraint("value_low IS NULL OR value_low >= 0", name="value_low_nonnegative"),
        CheckConstraint("(value IS NULL) <> (missing_reason IS NULL)", name="value_xor_missing_reason"),
        CheckConstraint("value_low IS NULL OR value IS NULL OR value_low <= value", name="low_le_value"),
        CheckConstraint("value_high IS NULL OR value IS NULL OR value <= value_high", name="value_le_high"),
        CheckConstraint("qualifier <> 'between' OR (value_low IS NOT NULL AND value_high IS NOT NULL)",
                        name="between_has_bounds"),
        CheckConstraint("period_end >= period_start", name="period_end_after_start"),
        CheckConstraint("measure <> 'stock' OR period_start = period_end", name="stock_is_instant"),
        CheckConstraint("vintage >= 1", name="vintage_positive"),
        Index("ix_observation_latest_lookup", "is_latest", "location_code", "population_group", "period_end"),
        Index("ix_observation_latest_origin", "is_latest", "origin_code", "period_end"),
        Index("ix_observation_latest_end", "is_latest", "period_end"),  # the first figure after a period
        Index("ix_observation_latest_location_end", "is_latest", "location_code", "period_end"),
        Index("ix_observation_series_latest", "series_id", "is_latest"),
        Index("ix_observation_origin", "origin_code"),
        # every column the Overview's cards choose on, so a place's current totals are read from the index alone
        Index("ix_observation_latest_totals_cover", "is_latest", "location_code", "sex", "age_group", "breakdown",
              "period_end", "population_group", "measure", "unit", "origin_code", "period_start", "series_id",
              "value", "qualifier", "release_id", "document_id", "is_secondary", "is_rounded", "id"),
    )


class Event(Base):
    """A dated event with its place and the source's wording, for the dashboard's timelines."""

    __tablename__ = "event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    place_code: Mapped[str] = mapped_column(ForeignKey("place.code"))
    title: Mapped[str] = mapped_column(String(300))
    quote: Mapped[str] = mapped_column(Text)
    publisher: Mapped[str] = mapped_column(String(200))
    source_title: Mapped[str] = mapped_column(Text)
    source_url: Mapped[str] = mapped_column(Text)
    published_on: Mapped[dt.date | None] = mapped_column(Date)

    __table_args__ = (
        UniqueConstraint("event_date", "title"),
        CheckConstraint("end_date IS NULL OR end_date >= event_date", name="end_after_start"),
    )


CANDIDATE_STATUSES = ("pending", "accepted", "rejected")
CANDIDATE_KINDS = ("fled", "displaced", "returned", "hosted", "arrived", "crossed")


class Candidate(Base):
    """A figure read from report text, waiting for a person: it enters `observation` only when accepted."""

    __tablename__ = "candidate"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    # the figure as read
    value: Mapped[int] = mapped_column(BigInteger)
    value_low: Mapped[int | None] = mapped_column(BigInteger)
    value_high: Mapped[int | None] = mapped_column(BigInteger)
    qualifier: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(10))
    unit: Mapped[str] = mapped_column(String(20))
    location_code: Mapped[str | None] = mapped_column(ForeignKey("place.code"))
    location_name_published: Mapped[str | None] = mapped_column(Text)
    origin_code: Mapped[str | None] = mapped_column(ForeignKey("place.code"))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    is_rounded: Mapped[bool] = mapped_column(default=False)
    # where it was read: the sentence and its offsets in the document's plain text
    sentence: Mapped[str] = mapped_column(Text)
    char_start: Mapped[int] = mapped_column(Integer)
    char_end: Mapped[int] = mapped_column(Integer)
    number_text: Mapped[str] = mapped_column(String(100))
    # the document
    doc_title: Mapped[str] = mapped_column(Text)
    doc_url: Mapped[str] = mapped_column(Text)
    doc_publisher: Mapped[str] = mapped_column(String(200))
    source_kind: Mapped[str] = mapped_column(String(20))
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    retrieved_on: Mapped[dt.date] = mapped_column(Date)
    path: Mapped[str] = mapped_column(Text)
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    # the review
    reviewer: Mapped[str | None] = mapped_column(String(200))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(Text)
    edits: Mapped[str | None] = mapped_column(Text)  # JSON list of {field, old, new, by, at}
    observation_id: Mapped[int | None] = mapped_column(ForeignKey("observation.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint(_in("status", CANDIDATE_STATUSES), name="status_known"),
        CheckConstraint(_in("kind", CANDIDATE_KINDS), name="kind_known"),
        CheckConstraint(_in("qualifier", QUALIFIERS), name="qualifier_known"),
        CheckConstraint(_in("unit", UNITS), name="unit_known"),
        CheckConstraint(_in("source_kind", SOURCE_KINDS), name="source_kind_known"),
        CheckConstraint("value >= 0", name="value_nonnegative"),
        CheckConstraint("period_end >= period_start", name="period_end_after_start"),
        CheckConstraint("char_end > char_start AND char_start >= 0", name="offsets_ordered"),
        CheckConstraint("status = 'pending' OR (reviewer IS NOT NULL AND reviewed_at IS NOT NULL)",
                        name="reviewed_has_who_and_when"),
        CheckConstraint("status <> 'rejected' OR reason IS NOT NULL", name="rejected_has_reason"),
        CheckConstraint("status <> 'accepted' OR observation_id IS NOT NULL", name="accepted_has_observation"),
        UniqueConstraint("file_sha256", "char_start", "number_text", name="uq_candidate_read_once"),
    )


class CandidateEvent(Base):
    """A dated event read from report text ("Syrian troops recovered full control of the M5 highway")."""

    __tablename__ = "candidate_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    event_date: Mapped[dt.date] = mapped_column(Date)
    place_code: Mapped[str | None] = mapped_column(ForeignKey("place.code"))
    title: Mapped[str] = mapped_column(String(300))
    sentence: Mapped[str] = mapped_column(Text)
    char_start: Mapped[int] = mapped_column(Integer)
    char_end: Mapped[int] = mapped_column(Integer)
    doc_title: Mapped[str] = mapped_column(Text)
    doc_url: Mapped[str] = mapped_column(Text)
    doc_publisher: Mapped[str] = mapped_column(String(200))
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    file_sha256: Mapped[str] = mapped_column(String(64))
    reviewer: Mapped[str | None] = mapped_column(String(200))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint(_in("status", CANDIDATE_STATUSES), name="status_known"),
        CheckConstraint("char_end > char_start AND char_start >= 0", name="offsets_ordered"),
        CheckConstraint("status = 'pending' OR (reviewer IS NOT NULL AND reviewed_at IS NOT NULL)",
                        name="reviewed_has_who_and_when"),
        UniqueConstraint("file_sha256", "char_start", name="uq_candidate_event_read_once"),
    )


# --- the figure ledger (etl/ledger.py): rival figures, the choice and why, overrides, flags ---------------------
LEDGER_VERDICTS = ("consistent", "inconsistent")
LEDGER_MEMBER_VERDICTS = ("chosen", "consistent", "inconsistent")
LEDGER_CHOSEN_BY = ("rule", "override")
OVERRIDE_STATUSES = ("active", "to re-check", "withdrawn")
LEDGER_FLAG_KINDS = ("national_vs_subnational_sum", "series_not_monotonic", "series_point_outside_neighbours",
                     "dtm_round_superseded")


class LedgerGroup(Base):
    """Rival figures for one quantity, place and period: the chosen figure, the rule that chose it, the verdict."""

    __tablename__ = "ledger_group"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    group_key: Mapped[str] = mapped_column(String(32), unique=True)  # md5 of quantity, anchor place and span
    population_group: Mapped[str] = mapped_column(String(3))
    measure: Mapped[str] = mapped_column(String(10))
    unit: Mapped[str] = mapped_column(String(20))
    breakdown: Mapped[str] = mapped_column(String(120))
    sex: Mapped[str] = mapped_column(String(10))
    age_group: Mapped[str] = mapped_column(String(20))
    cause: Mapped[str] = mapped_column(String(20))
    origin_code: Mapped[str | None] = mapped_column(ForeignKey("place.code"))
    location_code: Mapped[str] = mapped_column(ForeignKey("place.code"), index=True)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    member_count: Mapped[int] = mapped_column(Integer)
    spread_low: Mapped[int | None] = mapped_column(BigInteger)
    spread_high: Mapped[int | None] = mapped_column(BigInteger)
    chosen_observation_id: Mapped[int] = mapped_column(ForeignKey("observation.id"))
    chosen_rule: Mapped[str] = mapped_column(Text)
    chosen_by: Mapped[str] = mapped_column(String(10))
    has_composite: Mapped[bool] = mapped_column(default=False)
    verdict: Mapped[str] = mapped_column(String(12))
    rules_sha: Mapped[str] = mapped_column(String(64))
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint(_in("verdict", LEDGER_VERDICTS), name="verdict_known"),
        CheckConstraint(_in("chosen_by", LEDGER_CHOSEN_BY), name="chosen_by_known"),
        CheckConstraint("member_count >= 2", name="at_least_two_members"),
        CheckConstraint("period_end >= period_start", name="period_end_after_start"),
        CheckConstraint("spread_low IS NULL OR spread_high IS NULL OR spread_low <= spread_high",
                        name="spread_ordered"),
    )


class LedgerMember(Base):
    """A figure of a ledger group: its rank (1 = chosen), its interval and its verdict against the chosen one."""

    __tablename__ = "ledger_member"
    group_id: Mapped[int] = mapped_column(ForeignKey("ledger_group.id", ondelete="CASCADE"), primary_key=True)
    observation_id: Mapped[int] = mapped_column(ForeignKey("observation.id"), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer)
    interval_low: Mapped[int | None] = mapped_column(BigInteger)
    interval_high: Mapped[int | None] = mapped_column(BigInteger)  # NULL: unbounded ("more than")
    is_composite_match: Mapped[bool] = mapped_column(default=False)
    verdict: Mapped[str] = mapped_column(String(12))
    rule: Mapped[str | None] = mapped_column(Text)  # the first rule that put the chosen figure before this one

    __table_args__ = (
        UniqueConstraint("observation_id", name="uq_ledger_member_one_group"),
        CheckConstraint(_in("verdict", LEDGER_MEMBER_VERDICTS), name="verdict_known"),
        CheckConstraint("rank >= 1", name="rank_positive"),
        CheckConstraint("(rank = 1) = (verdict = 'chosen')", name="chosen_is_rank_one"),
        CheckConstraint("interval_low IS NULL OR interval_high IS NULL OR interval_low <= interval_high",
                        name="interval_ordered"),
    )


class LedgerOverride(Base):
    """A person's choice in the group that contains a figure, with the reason; kept across rebuilds."""

    __tablename__ = "ledger_override"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chosen_identity_key: Mapped[str] = mapped_column(String(32), index=True)
    chosen_vintage: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(12), default="active")
    recheck_note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("length(trim(reason)) > 0", name="reason_not_empty"),
        CheckConstraint(_in("status", OVERRIDE_STATUSES), name="status_known"),
        CheckConstraint("chosen_vintage >= 1", name="vintage_positive"),
    )


class LedgerFlag(Base):
    """Something the ledger found about one figure, with the numbers that show it."""

    __tablename__ = "ledger_flag"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    observation_id: Mapped[int] = mapped_column(ForeignKey("observation.id"), index=True)
    related_observation_id: Mapped[int | None] = mapped_column(ForeignKey("observation.id"))
    detail: Mapped[str] = mapped_column(Text)
    value: Mapped[int | None] = mapped_column(BigInteger)  # the flagged figure
    compared_value: Mapped[int | None] = mapped_column(BigInteger)  # the sum, or the neighbour it is compared with
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (CheckConstraint(_in("kind", LEDGER_FLAG_KINDS), name="kind_known"),)

# --- refreshes: which sources ran, how each ended, and what changed (issue 6) -----------------------------

REFRESH_TRIGGERS = ("manual", "schedule")
REFRESH_MODES = ("offline", "live")
REFRESH_STATUSES = ("running", "success", "partial", "failed")
SOURCE_RUN_STATUSES = ("running", "success", "unchanged", "partial", "failed")
CHANGE_KINDS = ("revised", "withdrawn")


class RefreshRun(Base):
    """One refresh: a set of named sources run one after another under the refresh lock."""

    __tablename__ = "refresh_run"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trigger: Mapped[str] = mapped_column(String(10))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(10), default="running")
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    sources: Mapped[str] = mapped_column(Text)  # the sources asked for, comma-separated
    message: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint(_in("trigger", REFRESH_TRIGGERS), name="trigger_known"),
        CheckConstraint(_in("status", REFRESH_STATUSES), name="status_known"),
        CheckConstraint("finished_at IS NULL OR finished_at >= started_at", name="finished_after_start"),
    )


class SourceRun(Base):
    """One source within a refresh: its outcome, its error, and what changed (new, revised, withdrawn)."""

    __tablename__ = "source_run"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    refresh_run_id: Mapped[int] = mapped_column(ForeignKey("refresh_run.id"), index=True)
    source: Mapped[str] = mapped_column(String(80), index=True)
    mode: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="running")
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_new: Mapped[int] = mapped_column(Integer, default=0)
    rows_revised: Mapped[int] = mapped_column(Integer, default=0)
    rows_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rows_set_aside: Mapped[int] = mapped_column(Integer, default=0)
    rows_withdrawn: Mapped[int | None] = mapped_column(Integer)  # None: no earlier load of the source to compare
    new_periods: Mapped[str | None] = mapped_column(Text)  # JSON [{series, period_end, figures}] of new figures

    __table_args__ = (
        UniqueConstraint("refresh_run_id", "source"),
        CheckConstraint(_in("status", SOURCE_RUN_STATUSES), name="status_known"),
        CheckConstraint(_in("mode", REFRESH_MODES), name="mode_known"),
        CheckConstraint("status <> 'failed' OR error IS NOT NULL", name="failed_has_error"),
        CheckConstraint("rows_read >= 0 AND rows_new >= 0 AND rows_revised >= 0 AND rows_unchanged >= 0"
                        " AND rows_set_aside >= 0 AND (rows_withdrawn IS NULL OR rows_withdrawn >= 0)",
                        name="counts_nonnegative"),
    )


class SourceRunLoad(Base):
    """The load runs (files) a source's run made."""

    __tablename__ = "source_run_load"
    source_run_id: Mapped[int] = mapped_column(ForeignKey("source_run.id"), primary_key=True)
    load_run_id: Mapped[int] = mapped_column(ForeignKey("load_run.id"), primary_key=True)


class SourceKeys(Base):
    """The identity keys a source's last complete load produced (16 bytes each, sorted): the next load's
    missing keys are its withdrawn figures."""

    __tablename__ = "source_keys"
    source: Mapped[str] = mapped_column(String(80), primary_key=True)
    source_run_id: Mapped[int] = mapped_column(ForeignKey("source_run.id"))
    n_keys: Mapped[int] = mapped_column(Integer)
    keys: Mapped[bytes] = mapped_column(LargeBinary)

    __table_args__ = (CheckConstraint("n_keys >= 0", name="n_keys_nonnegative"),)


class FigureChange(Base):
    """A figure a source's run revised (old -> new value) or withdrew (present last time, missing now)."""

    __tablename__ = "figure_change"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_run_id: Mapped[int] = mapped_column(ForeignKey("source_run.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    identity_key: Mapped[str] = mapped_column(String(32))
    observation_id: Mapped[int | None] = mapped_column(ForeignKey("observation.id"))  # revised: the new vintage
    previous_observation_id: Mapped[int | None] = mapped_column(ForeignKey("observation.id"))
    old_value: Mapped[int | None] = mapped_column(BigInteger)
    new_value: Mapped[int | None] = mapped_column(BigInteger)
    is_current: Mapped[bool] = mapped_column(default=True)  # revised: the new vintage became the current figure

    __table_args__ = (CheckConstraint(_in("kind", CHANGE_KINDS), name="kind_known"),)


FLOW_LEVELS = ("country", "governorate")


class FlowSetCount(Base):
    """A summary kept by the ETL (etl/summaries.py) in each load's transaction: the Flows page's figure sets.

    Per level (origin and destination both countries; origin a governorate and destination an admin1 area), series,
    population group, measure, unit and reference period: how many current total figures with a value and an origin
    it holds (the Sankey's links). What the page lists when no place is chosen, read here instead of grouping every
    figure of the period. `python -m etl check` compares it with the figures; `python -m etl summaries` rebuilds it."""

    __tablename__ = "flow_set_count"
    level: Mapped[str] = mapped_column(String(12), primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id"), primary_key=True)
    population_group: Mapped[str] = mapped_column(String(3), primary_key=True)
    measure: Mapped[str] = mapped_column(String(10), primary_key=True)
    unit: Mapped[str] = mapped_column(String(20), primary_key=True)
    period_start: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    period_end: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    links: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        CheckConstraint(_in("level", FLOW_LEVELS), name="level_known"),
        CheckConstraint("links > 0", name="links_positive"),
        Index("ix_flow_set_count_level_end", "level", "period_end"),
    )

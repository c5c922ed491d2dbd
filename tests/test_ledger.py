"""The figure ledger on the real samples and the news article's sentences (SQLite and PostgreSQL): groups of rival
figures, the rule that chose, interval verdicts, series and sum flags, overrides that survive rebuilds."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, update

from etl import ledger, review
from etl import store as ops
from etl.__main__ import main
from etl.intervals import Interval, interval, rounding_unit
from etl.load import load_file
from etl.models import LedgerFlag, LedgerGroup, LedgerMember, LedgerOverride, Observation, Series
from etl.precedence import PRECEDENCE_FILE

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REPORT = FIXTURES / "reports" / "idlib_sentences.txt"
SAMPLES = ("unhcr_population_sample.csv", "nw_syria_displacement_sample.csv", "turkey_temporary_protection_sample.csv",
           "syria_idp_movements_sample.csv")
SYNTHETIC_SUM = FIXTURES / "ledger" / "synthetic_national_vs_provinces.csv"


@pytest.fixture(params=["sqlite", "postgres"])
def ledger_store(request, tmp_path, monkeypatch):
    """A store the command line can reach through DATABASE_URL: a SQLite file, or the test PostgreSQL."""
    if request.param == "sqlite":
        from etl import db

        eng = db.make_engine(f"sqlite:///{tmp_path / 'store.db'}")
        db.upgrade(eng)
    else:
        eng = request.getfixturevalue("pg_engine")
    monkeypatch.setenv("DATABASE_URL", eng.url.render_as_string(hide_password=False))
    yield eng
    eng.dispose()


@pytest.fixture
def loaded(ledger_store):
    """The real samples, then the article read through `python -m etl load --format report`, its 800,000 edited to
    start on 1 Dec 2019 ("since early December") and accepted with the 3.6 million through `python -m etl review`."""
    engine = ledger_store
    ops.init(engine)
    for name in SAMPLES:
        result = load_file(engine, FIXTURES / "samples" / name)
        assert result.status == "success", result.message
    assert main(["load", str(REPORT), "--format", "report"]) == 0
    cands = {c.value: c for c in review.candidates(engine)}
    # what the extractor gives: the report's date as the period; the analyst sets the start of the offensive
    assert (cands[800_000].period_start, cands[800_000].period_end) == (dt.date(2020, 2, 15), dt.date(2020, 2, 15))
    assert main(["review", "--edit", str(cands[800_000].id), "period_start=2019-12-01", "--reviewer", "analyst"]) == 0
    assert main(["review", "--accept", str(cands[800_000].id), "--accept", str(cands[3_600_000].id),
                 "--reviewer", "analyst"]) == 0
    return engine


def _obs(conn, value: int, **where) -> int:
    q = select(Observation.id).where(Observation.value == value, Observation.is_latest.is_(True),
                                     *[getattr(Observation, k) == v for k, v in where.items()])
    ids = conn.scalars(q).all()
    assert len(ids) == 1, (value, where, ids)
    return ids[0]


def _group_of(conn, obs_id: int):
    gid = conn.scalar(select(LedgerMember.group_id).where(LedgerMember.observation_id == obs_id))
    assert gid is not None, f"observation {obs_id} is in no group"
    return conn.execute(select(LedgerGroup).where(LedgerGroup.id == gid)).one()


def _members(conn, gid: int) -> dict[int, object]:
    return {m.observation_id: m for m in conn.execute(select(LedgerMember).where(LedgerMember.group_id == gid))}


def _copy(conn, obs_id: int, **changes) -> int:
    """A labelled-synthetic copy of a stored figure with some fields changed (for cases the samples lack)."""
    row = dict(conn.execute(select(Observation).where(Observation.id == obs_id)).one()._mapping)
    row.pop("id")
    row.update({"identity_key": f"synthetic{obs_id}-{len(changes)}"[:32], "note": "SYNTHETIC test figure"})
    row.update(changes)
    return conn.scalar(insert(Observation).values(**row).returning(Observation.id))


def _rebuild(engine, rules=None):
    with engine.begin() as conn:
        return ledger.rebuild(conn, rules)


def test_the_news_figures_sit_next_to_unhcr_and_ocha_with_interval_verdicts(loaded):
    with loaded.connect() as conn:
        hosted = _obs(conn, 3_600_000, location_code="TUR")
        fled = _obs(conn, 800_000, location_code="XSY-NW", period_end=dt.date(2020, 2, 15))
        unhcr = _obs(conn, 3_576_370, location_code="TUR", origin_code="SYR")
        dgmm = _obs(conn, 3_649_750, location_code="TUR")
        ocha = _obs(conn, 800_000, location_code="XSY-NW", period_end=dt.date(2020, 2, 12))
        quotes = dict(conn.execute(select(Observation.id, Observation.source_ref).where(
            Observation.id.in_([hosted, fled]))).all())
        assert quotes[fled] == "The offensive has forced more than 800,000 people to flee."
        assert quotes[hosted].startswith("Turkey, which currently hosts 3.6 million Syrian refugees")

        # "about 3.6 million" (15 Feb 2020) chains to UNHCR's 31 Dec 2019 through DGMM's 21 Jan 2020 (45 days each)
        g = _group_of(conn, hosted)
        members = _members(conn, g.id)
        assert set(members) == {hosted, unhcr, dgmm}
        assert (g.chosen_observation_id, g.chosen_by) == (unhcr, "rule")
        # the runner-up (DGMM via People's Daily) is a copy quoted by the press: rule 1 separates them
        assert g.chosen_rule.startswith("rule 1 (is_secondary)")
        # the news figure is itself a quote (secondary) and news: rule 1 decides, rule 2 (source kind) would too
        assert members[hosted].rule.startswith("rule 1 (is_secondary)")
        assert (members[hosted].interval_low, members[hosted].interval_high) == (3_550_000, 3_650_000)
        assert members[hosted].verdict == "consistent"  # 3,576,370 lies in [3,550,000, 3,650,000]
        # DGMM's exact 3,649,750 three weeks later cannot equal UNHCR's exact 3,576,370: the group disagrees
        assert members[dgmm].verdict == "inconsistent" and g.verdict == "inconsistent"
        assert (g.spread_low, g.spread_high, g.member_count) == (3_576_370, 3_649_750, 3)
        assert (g.period_start, g.period_end) == (dt.date(2019, 12, 31), dt.date(2020, 2, 15))

        # the news 800,000 (1 Dec-15 Feb) and OCHA's 800,000 (1 Dec-12 Feb): same place, OCHA's own report chosen
        g = _group_of(conn, fled)
        members = _members(conn, g.id)
        assert set(members) == {fled, ocha}
        assert (g.chosen_observation_id, g.verdict, g.has_composite, g.location_code) == (
            ocha, "consistent", False, "XSY-NW")
        assert members[fled].verdict == "consistent" and members[fled].interval_high is None  # [800,000, ∞)
        # the other points of OCHA's cumulative series are not rivals of each other
        assert conn.scalar(select(func.count()).select_from(LedgerMember).where(LedgerMember.observation_id.in_(
            [_obs(conn, 586_000, location_code="XSY-NW"), _obs(conn, 948_000, location_code="XSY-NW",
                                                               breakdown="total")]))) == 0

        # the dashboard's reads
        assert ledger.rival_counts(conn, [unhcr, ocha, fled, dgmm + 10_000]) == {unhcr: 2, ocha: 1, fled: 1,
                                                                                dgmm + 10_000: 0}
        assert {unhcr, ocha} <= ledger.chosen_observation_ids(conn)
        assert {hosted, dgmm, fled} <= ledger.passed_over_observation_ids(conn)
        groups = ledger.ledger_groups(conn, place="TUR")
        assert groups["chosen_value"].tolist() == [3_576_370] and groups["chosen_publisher"].tolist() == ["UNHCR"]
        assert ledger.ledger_groups(conn, place="TUR", only_inconsistent=True)["group_id"].tolist() == \
            groups["group_id"].tolist()
        rows = ledger.group_members(conn, groups.iloc[0]["group_id"])
        assert rows["observation_id"].tolist()[0] == unhcr and rows["verdict"].tolist()[0] == "chosen"
        news = rows[rows["observation_id"] == hosted].iloc[0]
        assert (news["interval"], news["qualifier"], news["published_on"]) == (
            "[3,550,000, 3,650,000]", "about", dt.date(2020, 2, 15))
        assert news["document_title"] and news["publisher"].startswith("news article")


def test_series_points_are_checked_against_their_neighbours(loaded):
    with loaded.connect() as conn:
        flagged = set(conn.scalars(select(LedgerFlag.observation_id).where(LedgerFlag.kind.like("series_%"))))
        ocha = _obs(conn, 800_000, location_code="XSY-NW", period_end=dt.date(2020, 2, 12))
        assert ocha not in flagged  # "more than 800,000" fits between 586,000 (2 Feb) and 900,000 / 948,000
        assert not flagged
    with loaded.begin() as conn:  # SYNTHETIC: a point of OCHA's series on 16 Feb below the 800,000 of 12 Feb
        bad = _copy(conn, ocha, period_end=dt.date(2020, 2, 16), value=500_000, value_low=None, qualifier="exact",
                    is_rounded=False)
    _rebuild(loaded)
    with loaded.connect() as conn:
        (flag,) = conn.execute(select(LedgerFlag).where(LedgerFlag.kind.like("series_%"))).all()
    assert (flag.kind, flag.observation_id, flag.value, flag.compared_value) == (
        "series_point_outside_neighbours", bad, 500_000, 800_000)
    assert "586,000" not in flag.detail and "800,000" in flag.detail and "900,000" in flag.detail


def test_movements_are_never_grouped_with_people(loaded):
    with loaded.begin() as conn:  # SYNTHETIC: OCHA's 800,000 of 12 Feb as if it counted moves
        ocha = _obs(conn, 800_000, location_code="XSY-NW", period_end=dt.date(2020, 2, 12))
        moves = _copy(conn, ocha, measure="movement")
    _rebuild(loaded)
    with loaded.connect() as conn:
        assert conn.scalar(select(LedgerMember.group_id).where(LedgerMember.observation_id == moves)) is None
        assert set(_members(conn, _group_of(conn, ocha).id)) == {ocha, _obs(
            conn, 800_000, location_code="XSY-NW", period_end=dt.date(2020, 2, 15))}
        # and no group anywhere mixes measures
        mixed = conn.execute(select(LedgerGroup.id).join(LedgerMember).join(
            Observation, Observation.id == LedgerMember.observation_id).where(
            Observation.measure != LedgerGroup.measure)).all()
        assert mixed == []


def test_swapping_two_rules_changes_the_choice(loaded, tmp_path):
    lines = PRECEDENCE_FILE.read_text(encoding="utf-8").splitlines()
    first, third = lines[1], lines[3]
    assert first.startswith("1,is_secondary") and third.startswith("3,reference_period_end")
    lines[1], lines[3] = "1" + third[1:], "3" + first[1:]  # the latest reference date before original-over-copy
    swapped = tmp_path / "rules.csv"
    swapped.write_text("\n".join(lines) + "\n", encoding="utf-8")

    with loaded.connect() as conn:
        hosted = _obs(conn, 3_600_000, location_code="TUR")
        unhcr = _obs(conn, 3_576_370, location_code="TUR", origin_code="SYR")
        before = _group_of(conn, hosted)
    assert before.chosen_observation_id == unhcr
    summary = _rebuild(loaded, swapped)
    with loaded.connect() as conn:
        after = _group_of(conn, hosted)
    assert after.chosen_observation_id == hosted  # the news figure of 15 Feb is the latest
    assert after.chosen_rule.startswith("rule 1 (reference_period_end)")
    assert after.rules_sha == summary.rules_sha != before.rules_sha
    _rebuild(loaded)
    with loaded.connect() as conn:
        assert _group_of(conn, hosted).chosen_observation_id == unhcr


def _ledger_snapshot(engine):
    """Groups (without their computation time), each group's members, and the flags."""
    with engine.connect() as conn:
        groups = ledger.ledger_groups(conn).drop(columns=["computed_at"])
        members = [ledger.group_members(conn, g) for g in groups["group_id"]]
        flags = ledger.ledger_flags(conn)
    return groups, members, flags


def test_rebuild_is_deterministic(loaded):
    g1, m1, f1 = _ledger_snapshot(loaded)
    _rebuild(loaded)
    g2, m2, f2 = _ledger_snapshot(loaded)
    assert len(g1) >= 2
    assert g1.equals(g2) and all(a.equals(b) for a, b in zip(m1, m2, strict=True)) and f1.equals(f2)


def test_a_rebuild_in_small_batches_gives_the_same_ledger(loaded, monkeypatch):
    """The rebuild reads candidates a batch of anchor places at a time (memory bounded on a big store): with one
    anchor with figures per batch it must give exactly the ledger of the default batches."""
    g1, m1, f1 = _ledger_snapshot(loaded)
    batches = []
    real = ledger._candidates
    monkeypatch.setattr(ledger, "CANDIDATE_BATCH_ROWS", 1)
    monkeypatch.setattr(ledger, "_candidates", lambda conn, lookups, *a: batches.append(lookups) or
                        real(conn, lookups, *a))
    _rebuild(loaded)
    places = [set().union(*(lookup[0] for lookup in b)) for b in batches]
    assert len(batches) >= 3 and len(set().union(*places)) == sum(map(len, places))  # each place in one batch
    g2, m2, f2 = _ledger_snapshot(loaded)
    assert len(g1) >= 2
    assert g1.equals(g2) and all(a.equals(b) for a, b in zip(m1, m2, strict=True)) and f1.equals(f2)


def test_an_override_survives_rebuilds_and_goes_to_recheck_on_a_new_release(loaded, tmp_path):
    with loaded.connect() as conn:
        dgmm = _obs(conn, 3_649_750, location_code="TUR")
        unhcr = _obs(conn, 3_576_370, location_code="TUR", origin_code="SYR")
        gid = _group_of(conn, dgmm).id
    with loaded.begin() as conn, pytest.raises(ledger.LedgerError, match="needs a reason"):
        ledger.override(conn, gid, dgmm, "  ", "analyst")
    with loaded.begin() as conn:
        oid = ledger.override(conn, gid, dgmm, "the Interior Ministry's report to Parliament is the newer count",
                              "analyst")
    _rebuild(loaded)
    with loaded.connect() as conn:
        g = _group_of(conn, dgmm)
        assert (g.chosen_observation_id, g.chosen_by) == (dgmm, "override")
        assert f"override {oid} by analyst" in g.chosen_rule and "report to Parliament" in g.chosen_rule
        assert _members(conn, g.id)[unhcr].rank == 2

    # a new release of the chosen figure (same identity, another value): the override must be re-checked
    lines = (FIXTURES / "samples" / "turkey_temporary_protection_sample.csv").read_text(encoding="utf-8").splitlines()
    revised = [lines[0]] + [ln.replace(",3649750,", ",3649900,") for ln in lines[1:] if ",3649750," in ln]
    path = tmp_path / "turkey_revised.csv"
    path.write_text("\n".join(revised) + "\n", encoding="utf-8")
    result = ops.load(loaded, path)  # load rebuilds the ledger
    assert result.status == "success" and result.rows_changed == 1, result.message
    with loaded.connect() as conn:
        over = conn.execute(select(LedgerOverride).where(LedgerOverride.id == oid)).one()
        assert over.status == "to re-check" and "vintage 2" in over.recheck_note
        new = _obs(conn, 3_649_900, location_code="TUR")
        g = _group_of(conn, new)
        assert (g.chosen_observation_id, g.chosen_by) == (unhcr, "rule")  # the rules choose meanwhile
    _rebuild(loaded)  # still waiting for a person
    with loaded.connect() as conn:
        assert conn.scalar(select(LedgerOverride.status).where(LedgerOverride.id == oid)) == "to re-check"

    # a person confirms it on the new release (command line), then withdraws it
    assert main(["ledger", "override", str(g.id), str(new), "--reason", "checked the revised figure",
                 "--by", "lead"]) == 0
    with loaded.connect() as conn:
        rows = {o.id: o for o in conn.execute(select(LedgerOverride))}
        assert rows[oid].status == "withdrawn" and "replaced by a new override of lead" in rows[oid].recheck_note
        (new_oid,) = [i for i, o in rows.items() if o.status == "active"]
        assert (rows[new_oid].chosen_vintage, rows[new_oid].reviewer) == (2, "lead")
        assert _group_of(conn, new).chosen_observation_id == new
    assert main(["ledger", "withdraw", str(new_oid), "--by", "lead"]) == 0
    with loaded.connect() as conn:
        assert _group_of(conn, new).chosen_observation_id == unhcr
        assert "withdrawn by lead" in conn.scalar(select(LedgerOverride.recheck_note)
                                                  .where(LedgerOverride.id == new_oid))


def test_a_national_figure_above_or_below_its_provinces(loaded):
    with loaded.connect() as conn:
        # real: 21 Jan 2020, Türkiye 3,649,750 and 2 of 81 provinces (446,564 twice): partial, not a contradiction
        assert conn.scalar(select(func.count()).select_from(LedgerFlag).where(
            LedgerFlag.kind == "national_vs_subnational_sum")) == 0
    result = ops.load(loaded, SYNTHETIC_SUM)  # SYNTHETIC: a total of 100,000 below 90,000 + 70,000
    assert result.status == "success", result.message
    with loaded.connect() as conn:
        (flag,) = conn.execute(select(LedgerFlag).where(LedgerFlag.kind == "national_vs_subnational_sum")).all()
        total = _obs(conn, 100_000, location_code="TUR")
    assert (flag.observation_id, flag.value, flag.compared_value) == (total, 100_000, 160_000)
    assert "TUR 100,000" in flag.detail and "add up to 160,000" in flag.detail


def test_a_superseded_dtm_round_is_flagged_and_never_chosen(loaded):
    with loaded.begin() as conn:  # SYNTHETIC: two rounds of one DTM operation for Idleb, and a rival figure
        sid = conn.scalar(insert(Series).values(
            slug="iom_dtm_syr_synthetic", title="SYNTHETIC DTM operation", publisher="IOM DTM", originator="IOM",
            source_kind="assessment", licence="test", citation="synthetic").returning(Series.id))
        reach = _obs(conn, 1_120_000, location_code="XSY-NW")
        old = _copy(conn, reach, series_id=sid, period_start=dt.date(2019, 11, 20), period_end=dt.date(2019, 11, 20),
                    value=1_000_000)
        now = _copy(conn, reach, series_id=sid, period_start=dt.date(2020, 1, 20), period_end=dt.date(2020, 1, 20),
                    value=1_500_000, identity_key="synthetic-dtm-latest")
    summary = _rebuild(loaded)
    with loaded.connect() as conn:
        (flag,) = conn.execute(select(LedgerFlag).where(LedgerFlag.kind == "dtm_round_superseded")).all()
        assert conn.scalar(select(LedgerMember.group_id).where(LedgerMember.observation_id == old)) is None
    assert (flag.observation_id, flag.related_observation_id, flag.value, flag.compared_value) == (
        old, now, 1_000_000, 1_500_000)
    assert summary.flags["dtm_round_superseded"] == 1


def test_command_line_lists_and_shows(loaded, capsys):
    capsys.readouterr()
    assert main(["ledger", "rebuild"]) == 0
    assert "groups" in capsys.readouterr().out
    assert main(["ledger", "list", "--place", "TUR"]) == 0
    out = capsys.readouterr().out
    assert "3,576,370 exact (UNHCR)" in out and "inconsistent" in out
    with loaded.connect() as conn:
        gid = _group_of(conn, _obs(conn, 3_600_000, location_code="TUR")).id
    assert main(["ledger", "show", str(gid)]) == 0
    out = capsys.readouterr().out
    assert "about 3,600,000" in out and "[3,550,000, 3,650,000]" in out and "rule 1 (is_secondary)" in out
    assert main(["ledger", "show", "9999"]) == 1
    assert main(["ledger", "override", str(gid), "1", "--reason", "x"]) == 1  # not a figure of the group
    assert main(["ledger", "list", "--inconsistent"]) == 0


def test_constraints_refuse_an_override_without_reason(ledger_store):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError, match="reason_not_empty"), ledger_store.begin() as conn:
        conn.execute(insert(LedgerOverride).values(chosen_identity_key="k", chosen_vintage=1, reason=" ",
                                                   reviewer="a", created_at=dt.datetime.now(dt.UTC), status="active"))
    with pytest.raises(IntegrityError, match="status_known"), ledger_store.begin() as conn:
        conn.execute(insert(LedgerOverride).values(chosen_identity_key="k", chosen_vintage=1, reason="r",
                                                   reviewer="a", created_at=dt.datetime.now(dt.UTC), status="kept"))
    with ledger_store.begin() as conn:
        conn.execute(update(LedgerOverride).values(status="active"))  # nothing to update: the table is empty


# --- intervals (pure) -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "qualifier", "rounded", "expected"), [
    (3_600_000, "about", True, Interval(3_550_000, 3_650_000)),
    (3_576_370, "exact", False, Interval(3_576_370, 3_576_370)),
    (800_000, "more than", True, Interval(800_000, None)),
    (800_000, "about", True, Interval(795_000, 805_000)),  # one significant digit read as two (documented)
    (300_000, "almost", True, Interval(290_000, 300_000)),
    (390_000, "almost", True, Interval(380_000, 390_000)),
    (586_000, "about", True, Interval(585_500, 586_500)),
    (50_000, "up to", True, Interval(0, 50_000)),
    (3_600_000, "exact", True, Interval(3_550_000, 3_650_000)),  # rounded though published without a hedge
])
def test_qualifier_intervals(value, qualifier, rounded, expected):
    assert interval(value, qualifier, is_rounded=rounded) == expected


def test_interval_overlap_and_rounding_units():
    assert interval(3_600_000, "about", is_rounded=True).overlaps(interval(3_576_370))
    assert not interval(3_576_370).overlaps(interval(3_649_750))
    assert interval(800_000, "more than").overlaps(interval(948_000, "more than"))
    assert interval(200_000, "between", value_low=100_000, value_high=900_000) == Interval(100_000, 900_000)
    assert [rounding_unit(v) for v in (3_600_000, 800_000, 586_000, 3_576_370, 1_000_000, 1_234)] == [
        100_000, 10_000, 1_000, 10, 100_000, 0]
    assert rounding_unit(3_600_000, is_rounded=False) == 0

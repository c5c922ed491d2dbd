"""Command line: init, refresh, load, export, status, alias add, rejects retry (exit 0 ok, 1 rejected, 2 partial)."""
from __future__ import annotations

import argparse
import csv
import functools
import signal
import sys
from pathlib import Path

from etl import store
from etl.db import make_engine
from etl.load import EXIT_OK, EXIT_PARTIAL, EXIT_REJECTED, LoadResult


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    engine = make_engine()
    try:
        return args.func(engine, args)
    except store.StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_REJECTED
    finally:
        engine.dispose()


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m etl", description=__doc__)
    sub = p.add_subparsers(required=True, metavar="COMMAND")

    s = sub.add_parser("init", help="create or migrate the store named by DATABASE_URL, seed the gazetteer")
    s.set_defaults(func=cmd_init)

    s = sub.add_parser("refresh", help="load every source (today: the files shipped in data/raw)")
    s.add_argument("--source", action="append", default=[], metavar="NAME", help="only this format (repeatable)")
    s.add_argument("--offline", action="store_true", help="only the files shipped in data/ (no network)")
    s.add_argument("--force", action="store_true", help="reload files whose content was loaded before")
    s.add_argument("--live", action="store_true", help="fetch from the publishers' APIs first (docs/live_refresh.md)")
    s.add_argument("--accept-schema", action="store_true",
                   help="with --live: accept the fetched schema as the source's new fingerprint")
    s.set_defaults(func=cmd_refresh)

    s = sub.add_parser("schedule", help="refresh each source on its cron schedule (data/schedule.toml)")
    s.add_argument("--once", action="store_true", help="run what is due now and exit (for cron or a systemd timer)")
    s.add_argument("--config", type=Path, metavar="FILE", help="the schedule file (default: SCHEDULE_FILE or "
                   "data/schedule.toml)")
    s.set_defaults(func=cmd_schedule)

    s = sub.add_parser("load", help="load one file; its format is recognised unless --format is given")
    s.add_argument("path", type=Path)
    s.add_argument("--format", dest="fmt", metavar="NAME")
    s.add_argument("--force", action="store_true", help="reload even if this content was loaded before")
    s.add_argument("--place", metavar="CODE", help="report text: the place the report is about (default place)")
    s.add_argument("--date", type=_iso_date, metavar="YYYY-MM-DD", help="report text: the report's date")
    s.add_argument("--title", help="report text: the document's title")
    s.add_argument("--publisher", help="report text: who published it (e.g. OCHA)")
    s.add_argument("--url", help="report text: where it was published")
    s.add_argument("--source-kind", choices=("report", "news"), help="report text: a report or news (default: report)")
    s.set_defaults(func=cmd_load)

    s = sub.add_parser("export", help="write observations with provenance as CSV")
    s.add_argument("--out", required=True, type=Path, metavar="FILE.csv")
    s.add_argument("--hxl", action="store_true", help="add an HXL hashtag row under the header")
    s.add_argument("--origin", action="append", default=[], metavar="CODE")
    s.add_argument("--location", action="append", default=[], metavar="CODE")
    s.add_argument("--population-group", action="append", default=[], metavar="G")
    s.add_argument("--measure", action="append", default=[], metavar="M")
    s.add_argument("--from", dest="date_from", metavar="DATE")
    s.add_argument("--to", dest="date_to", metavar="DATE")
    s.add_argument("--source", action="append", default=[], metavar="NAME")
    s.add_argument("--as-of", metavar="RELEASE", help="a release label or date: figures as they stood then")
    s.set_defaults(func=cmd_export)

    s = sub.add_parser("status", help="per source: last success, last attempt, rows, reasons rows were set aside")
    s.add_argument("--quiet", action="store_true", help="print nothing; exit 1 if the store is not built")
    s.add_argument("--changes", action="store_true", help="list each figure the last refreshes revised or withdrew")
    s.set_defaults(func=cmd_status)

    s = sub.add_parser("alias", help="manage place aliases")
    alias_sub = s.add_subparsers(required=True, metavar="ACTION")
    a = alias_sub.add_parser("add", help="add NAME as another name of the place CODE")
    a.add_argument("name")
    a.add_argument("code")
    a.add_argument("--kind", default="name", choices=store.ALIAS_KINDS,
                   help="name (a spelling, the default) or the code scheme the alias belongs to")
    a.set_defaults(func=cmd_alias_add)

    s = sub.add_parser("rejects", help="rows set aside")
    rej_sub = s.add_subparsers(required=True, metavar="ACTION")
    r = rej_sub.add_parser("retry", help="validate the open set-aside rows again and load those that now pass")
    r.set_defaults(func=cmd_rejects_retry)
    r = rej_sub.add_parser("list", help="list the open set-aside rows")
    r.set_defaults(func=cmd_rejects_list)

    s = sub.add_parser("review", help="figures read from report text: list, --accept, --reject, --edit")
    s.add_argument("--all", action="store_true", help="list every candidate, not only the pending ones")
    s.add_argument("--accept", type=int, action="append", default=[], metavar="ID")
    s.add_argument("--reject", type=int, metavar="ID")
    s.add_argument("--reason", help="why the candidate is rejected (required with --reject)")
    s.add_argument("--edit", nargs="+", metavar=("ID", "FIELD=VALUE"), help="change fields of a pending candidate")
    s.add_argument("--reviewer", help="who reviews (default: $USER)")
    s.add_argument("--events", action="store_true", help="list the candidate events instead of the figures")
    s.add_argument("--accept-event", type=int, action="append", default=[], metavar="ID")
    s.add_argument("--reject-event", type=int, metavar="ID")
    s.add_argument("--edit-event", nargs="+", metavar=("ID", "FIELD=VALUE"),
                   help="change event_date, place_code or title of a pending candidate event")
    s.set_defaults(func=cmd_review)

    s = sub.add_parser("ledger", help="the figure ledger: rival figures, the choice and why, overrides")
    led = s.add_subparsers(required=True, metavar="ACTION")
    a = led.add_parser("rebuild", help="recompute groups, choices, verdicts and flags")
    a.add_argument("--rules", type=Path, metavar="FILE.csv", help="rules (default data/source_precedence.csv)")
    a.set_defaults(func=cmd_ledger_rebuild)
    a = led.add_parser("list", help="list the groups of rival figures")
    a.add_argument("--place", metavar="CODE")
    a.add_argument("--population-group", metavar="G")
    a.add_argument("--inconsistent", action="store_true", help="only groups whose figures disagree")
    a.set_defaults(func=cmd_ledger_list)
    a = led.add_parser("show", help="one group's figures, intervals, verdicts and the rule that chose")
    a.add_argument("group_id", type=int)
    a.set_defaults(func=cmd_ledger_show)
    a = led.add_parser("override", help="choose OBSERVATION_ID in group GROUP_ID, with a reason")
    a.add_argument("group_id", type=int)
    a.add_argument("observation_id", type=int)
    a.add_argument("--reason", required=True)
    a.add_argument("--by", metavar="NAME", help="who overrides (default: $USER)")
    a.set_defaults(func=cmd_ledger_override)
    a = led.add_parser("withdraw", help="withdraw an override: the rules choose again")
    a.add_argument("override_id", type=int)
    a.add_argument("--by", metavar="NAME", help="who withdraws (default: $USER)")
    a.set_defaults(func=cmd_ledger_withdraw)
    a = led.add_parser("flags", help="list the flags of the last rebuild")
    a.add_argument("--kind", metavar="KIND")
    a.set_defaults(func=cmd_ledger_flags)
    a = led.add_parser("overrides", help="list the overrides with their status")
    a.set_defaults(func=cmd_ledger_overrides)

    s = sub.add_parser("backup", help="copy the store to a new file (SQLite backup API, or pg_dump --format=custom)")
    s.add_argument("out", type=Path, metavar="FILE")
    s.set_defaults(func=cmd_backup)

    s = sub.add_parser("summaries", help="rebuild the summary tables the dashboard reads (the loader keeps them "
                       "current; `check` says when one is not)")
    s.set_defaults(func=cmd_summaries)

    s = sub.add_parser("check", help="integrity of the store: references, vintages, runs; exit 1 on a problem")
    s.add_argument("--digest", action="store_true", help="also print the digest of the store's content")
    s.set_defaults(func=cmd_check)
    return p


def _iso_date(text: str):
    import datetime as dt
    return dt.date.fromisoformat(text)


def cmd_init(engine, _args) -> int:
    counts = store.init(engine)
    print(f"store ready at {_where(engine)}: {counts['places']} places, {counts['aliases']} aliases, "
          f"{counts['events']} events")
    return EXIT_OK


def cmd_refresh(engine, args) -> int:
    from etl import lock, refreshes
    modes = None
    if args.live or args.accept_schema:
        if args.offline or not args.live:
            print("error: --live fetches from the publishers; it cannot be combined with --offline, and "
                  "--accept-schema needs --live", file=sys.stderr)
            return EXIT_REJECTED
        from etl.live.refresh import SOURCES as LIVE_SOURCES
        from etl.live.refresh import run_live
        refreshes.register_runner("live", functools.partial(run_live, accept_schema=args.accept_schema))
        modes = {name: "live" for name in (args.source or list(LIVE_SOURCES))}
    try:
        outcome = refreshes.refresh(engine, args.source or (list(modes) if modes else None), modes=modes,
                                    progress=sys.stderr.isatty(), force=args.force)
    except lock.LockBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return lock.EXIT_LOCKED
    results = [r for s in outcome.sources for r in s.results]
    for s in outcome.sources:
        for r in s.results:
            _print_result(r)
        if s.status == "failed" and not s.results:
            print(f"FAILED {s.source}: {s.error}", file=sys.stderr)
        elif s.rows_revised or s.rows_withdrawn:
            print(f"  {s.source}: {s.rows_revised} revised, {s.rows_withdrawn or 0} withdrawn since its previous "
                  "load (python -m etl status --changes)")
    worst = max((r.exit_code for r in results), default=EXIT_OK,
                key=lambda c: {EXIT_OK: 0, EXIT_PARTIAL: 1, EXIT_REJECTED: 2}[c])
    total_new = sum(r.rows_new for r in results)
    total_changed = sum(r.rows_changed for r in results)
    print(f"refresh: {len(results)} files ({sum(r.skipped for r in results)} unchanged, skipped), "
          f"{total_new} new, {total_changed} changed, "
          f"{sum(r.rows_unchanged for r in results)} unchanged, {sum(r.rows_set_aside for r in results)} set aside, "
          f"{sum(r.seconds for r in results):.1f} s; refresh {outcome.refresh_run_id}: {outcome.status}")
    if modes:
        failed = [s.source for s in outcome.sources if s.status == "failed"]
        print(f"refresh --live: {len(outcome.sources)} sources, "
              f"{sum(s.status in ('success', 'partial') for s in outcome.sources)} fetched, "
              f"{sum(s.status == 'unchanged' for s in outcome.sources)} unchanged, {len(failed)} failed"
              + (f" ({', '.join(failed)})" if failed else ""))
    return max(worst, outcome.exit_code, key=lambda c: {EXIT_OK: 0, EXIT_PARTIAL: 1, EXIT_REJECTED: 2}[c])


def cmd_schedule(engine, args) -> int:
    from etl import config, lock, refreshes, schedule

    try:
        plan = schedule.load_schedule(args.config or config.SCHEDULE_FILE)
    except schedule.ScheduleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_REJECTED
    unknown = [n for n, e in plan.items() if e.mode == "offline" and n not in refreshes.offline_sources()]
    if unknown:
        print(f"error: the schedule names source(s) with no shipped file: {', '.join(unknown)}", file=sys.stderr)
        return EXIT_REJECTED

    def say(text: str) -> None:
        print(f"{_utc_now()} schedule: {text}", flush=True)

    def refresh(*a, **kw):
        outcome = refreshes.refresh(*a, **kw, on_source=lambda s: say(
            f"{s.source}: {s.status}" + (f" ({s.error})" if s.error else f", {s.rows_new} new, {s.rows_revised} "
                                         f"revised, {s.rows_withdrawn if s.rows_withdrawn is not None else '?'} "
                                         "withdrawn")))
        say(f"refresh {outcome.refresh_run_id}: {outcome.status}")
        return outcome

    stopper = schedule.Stopper()
    stopper.install()
    if args.once:
        try:
            outcome = schedule.run_once(engine, plan, refresh, say, should_stop=stopper)
        except lock.LockBusy as exc:
            print(f"error: {exc}", file=sys.stderr)
            return lock.EXIT_LOCKED
        return EXIT_OK if outcome is None else outcome.exit_code
    say(f"{len(plan)} sources scheduled from {args.config or config.SCHEDULE_FILE}; SIGTERM or Ctrl-C stops")
    schedule.loop(engine, plan, refresh, say, stopper, lock.LockBusy)
    return EXIT_OK


def _utc_now() -> str:
    import datetime as dt
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def cmd_load(engine, args) -> int:
    store.init(engine)
    about = {"title": args.title, "publisher": args.publisher, "url": args.url, "kind": args.source_kind}
    result = store.load(engine, args.path, args.fmt, progress=sys.stderr.isatty(), force=args.force,
                        place=args.place, report_date=args.date, about={k: v for k, v in about.items() if v})
    _print_result(result)
    if "pending review" in (result.message or ""):
        print(f"  {result.message}")
    return result.exit_code


def cmd_export(engine, args) -> int:
    summary = store.export(engine, args.out, hxl=args.hxl, origins=args.origin, locations=args.location,
                           groups=args.population_group, measures=args.measure, date_from=args.date_from,
                           date_to=args.date_to, sources=args.source, as_of=args.as_of)
    print(f"{summary['rows']} rows written to {args.out}; sources and licences in {summary['sidecar']}")
    if summary["non_commercial"]:
        print("warning: this export contains data licensed for non-commercial use only (IDMC: CC BY-NC-SA 3.0 "
              "IGO, non-commercial, share-alike; IOM DTM terms): say so wherever you reuse it", file=sys.stderr)
    return EXIT_OK


def cmd_status(engine, args) -> int:
    if args.quiet:
        return EXIT_OK if store.is_built(engine) else EXIT_REJECTED
    if not store.is_built(engine):
        print(f"the store at {_where(engine)} is not built: run python -m etl refresh --offline")
        return EXIT_REJECTED
    details = _print_freshness(engine, args.changes)
    rows = store.status(engine)
    w = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    w.writerow(["source", "last_success", "last_attempt", "outcome", "rows_read", "new", "changed",
                "unchanged", "set_aside", "top_reasons_set_aside"])
    for r in rows:
        w.writerow([r["source"], r["last_success"] or "never", r["last_attempt"], r["outcome"], r["rows_read"],
                    r["rows_new"], r["rows_changed"], r["rows_unchanged"], r["rows_set_aside"],
                    " | ".join(f"{n}x {reason}" for reason, n in r["top_reasons"])])
    print(f"observations: {store.count_observations(engine)} current figures")
    if args.changes:
        print()
        w.writerow(["source", "refresh", "change", "series", "group", "measure", "origin", "location",
                    "period_end", "sex", "age", "breakdown", "old_value", "new_value", "current"])
        for c in details:
            w.writerow([c["source"], c["refresh_run_id"], c["kind"], c["slug"], c["population_group"],
                        c["measure"], c["origin_code"] or "", c["location_code"], c["period_end"], c["sex"],
                        c["age_group"], c["breakdown"], _n(c["old_value"]), _n(c["new_value"]),
                        "yes" if c["is_current"] else "no"])
    return EXIT_OK


def _print_freshness(engine, list_changes: bool) -> list[dict]:
    """The freshness of each source (before the per-file table); returns the changes to list, if asked."""
    from etl import config, freshness, schedule

    try:
        plan = schedule.load_schedule(config.SCHEDULE_FILE)
    except schedule.ScheduleError as exc:
        print(f"freshness unknown: {exc}", file=sys.stderr)
        plan = {}
    with engine.connect() as conn:
        rows = freshness.health(conn, plan)
        last = freshness.last_refresh(conn)
        details = freshness.changes(conn, [r["source_run_id"] for r in rows if r["source_run_id"]]) \
            if list_changes else []
    if last:
        print(f"last refresh {last['id']} ({last['trigger']}): {last['status']}, started "
              f"{last['started_at']:%Y-%m-%d %H:%M} on {last['host']} pid {last['pid']}"
              + (f"; {last['message']}" if last["message"] else ""))
    w = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    w.writerow(["source", "freshness", "cadence_days", "last_success", "due_at", "last_refresh", "last_status",
                "new", "revised", "withdrawn", "last_error"])
    for r in rows:
        w.writerow([r["source"], r["state"], r["cadence_days"] or "", _when(r["last_success"]) or "never",
                    _when(r["due_at"]), r["refresh_run_id"] or "", r["last_status"] or "", _n(r["new"]),
                    _n(r["revised"]), _n(r["withdrawn"]), r["last_error"] or ""])
    print()
    return details


def _when(value) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value is not None else ""


def _n(value) -> str:
    return "" if value is None else str(value)


def cmd_alias_add(engine, args) -> int:
    store.init(engine)
    store.add_alias(engine, args.name, args.code, kind=args.kind)
    print(f"alias {args.name!r} -> {args.code} added; run python -m etl rejects retry to load rows it unblocks")
    return EXIT_OK


def cmd_rejects_retry(engine, _args) -> int:
    result = store.retry_rejects(engine)
    print(f"rejects retry: {result['retried']} rows tried, {result['loaded']} loaded, "
          f"{result['still_open']} still set aside")
    return EXIT_OK if result["still_open"] == 0 else EXIT_PARTIAL


def cmd_rejects_list(engine, _args) -> int:
    w = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    w.writerow(["id", "source", "path", "row", "column", "value", "reason", "suggestion"])
    for r in store.open_rejects(engine):
        w.writerow([r.id, r.source, r.path, r.row_number, r.column, r.value, r.reason, r.suggestion])
    return EXIT_OK


def cmd_review(engine, args) -> int:
    from etl import review
    store.init(engine)
    who = args.reviewer or review.default_reviewer()
    try:
        if args.edit:
            cid, changes = int(args.edit[0]), dict(c.split("=", 1) for c in args.edit[1:] if "=" in c)
            if len(changes) != len(args.edit) - 1 or not changes:
                raise review.ReviewError("--edit ID FIELD=VALUE [FIELD=VALUE ...]")
            review.edit(engine, cid, changes, who)
            print(f"candidate {cid} edited by {who}: " + ", ".join(f"{k}={v}" for k, v in changes.items()))
        if args.reject is not None:
            review.reject(engine, args.reject, args.reason or "", who)
            print(f"candidate {args.reject} rejected by {who}: {args.reason}")
        for cid in args.accept:
            obs = store.accept_candidate(engine, cid, who)
            print(f"candidate {cid} accepted by {who}: observation {obs}")
        if args.edit_event:
            eid, changes = int(args.edit_event[0]), dict(c.split("=", 1) for c in args.edit_event[1:] if "=" in c)
            if len(changes) != len(args.edit_event) - 1 or not changes:
                raise review.ReviewError("--edit-event ID FIELD=VALUE [FIELD=VALUE ...]")
            review.edit_event(engine, eid, changes, who)
            print(f"candidate event {eid} edited by {who}: " + ", ".join(f"{k}={v}" for k, v in changes.items()))
        if args.reject_event is not None:
            review.reject_event(engine, args.reject_event, args.reason or "", who)
            print(f"candidate event {args.reject_event} rejected by {who}: {args.reason}")
        for eid in args.accept_event:
            event_id = review.accept_event(engine, eid, who)
            print(f"candidate event {eid} accepted by {who}: event {event_id}")
    except review.ReviewError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_REJECTED
    acted = (args.edit or args.accept or args.reject is not None or args.edit_event or args.accept_event
             or args.reject_event is not None)
    if not acted:
        status = None if args.all else "pending"
        table = (review.events_frame(review.candidate_events(engine, status)) if args.events
                 else review.frame(review.candidates(engine, status)))
        table.to_csv(sys.stdout, sep="\t", index=False, lineterminator="\n")
    return EXIT_OK


def cmd_ledger_rebuild(engine, args) -> int:
    from etl import ledger
    store.init(engine)
    with engine.begin() as conn:
        print(ledger.rebuild(conn, args.rules))
    return EXIT_OK


def cmd_ledger_list(engine, args) -> int:
    from etl import ledger
    with engine.connect() as conn:
        df = ledger.ledger_groups(conn, place=args.place, population_group=args.population_group,
                                  only_inconsistent=args.inconsistent)
    if df.empty:
        print("no groups of rival figures (python -m etl ledger rebuild after a load)")
        return EXIT_OK
    df["origin"] = df["origin_code"].fillna("")
    df["period"] = [str(e) if s == e else f"{s}..{e}" for s, e in zip(df["period_start"], df["period_end"],
                                                                     strict=True)]
    df["spread"] = [f"{lo:,}-{hi:,}" for lo, hi in zip(df["spread_low"], df["spread_high"], strict=True)]
    df["chosen"] = [f"{v:,} {q} ({p})" for v, q, p in zip(df["chosen_value"], df["chosen_qualifier"],
                                                            df["chosen_publisher"], strict=True)]
    _table(df, [("group_id", "group"), ("population_group", "grp"), ("measure", "measure"), ("origin", "origin"),
                ("location_code", "place"), ("period", "period"), ("member_count", "n"), ("spread", "spread"),
                ("verdict", "verdict"), ("chosen", "chosen"), ("chosen_by", "by"), ("chosen_rule", "rule")])
    return EXIT_OK


def cmd_ledger_show(engine, args) -> int:
    from etl import ledger
    with engine.connect() as conn:
        groups = ledger.ledger_groups(conn)
        g = groups[groups["group_id"] == args.group_id]
        if g.empty:
            raise store.StoreError(f"no group {args.group_id} (python -m etl ledger list)")
        members = ledger.group_members(conn, args.group_id)
    g = g.iloc[0]
    print(f"group {g.group_id} [{g.group_key}]: {g.population_group} {g.measure} ({g.unit}, {g.breakdown}) from "
          f"{g.origin_code or '-'} in {g.location_name} ({g.location_code}), {g.period_start}..{g.period_end}")
    print(f"  {g.member_count} figures, spread {g.spread_low:,}-{g.spread_high:,}, verdict {g.verdict}"
          + (", a composite area matched with a place inside it" if g.has_composite else ""))
    print(f"  chosen by {g.chosen_by}: {g.chosen_rule}")
    members["value_text"] = [f"{q} {v:,}" if q != "exact" else f"{v:,}" for v, q in
                             zip(members["value"], members["qualifier"], strict=True)]
    members["period"] = [str(e) if s == e else f"{s}..{e}" for s, e in
                         zip(members["period_start"], members["period_end"], strict=True)]
    _table(members, [("rank", "rank"), ("observation_id", "obs"), ("value_text", "value"), ("interval", "interval"),
                     ("verdict", "verdict"), ("location_code", "place"), ("period", "period"),
                     ("publisher", "publisher"), ("published_on", "published"), ("rule", "chosen before it by")])
    return EXIT_OK


def cmd_ledger_override(engine, args) -> int:
    from etl import ledger, review
    who = args.by or review.default_reviewer()
    try:
        with engine.begin() as conn:
            oid = ledger.override(conn, args.group_id, args.observation_id, args.reason, who)
    except ledger.LedgerError as exc:
        raise store.StoreError(str(exc)) from None
    print(f"override {oid} by {who}: observation {args.observation_id} chosen in its group ({args.reason})")
    return EXIT_OK


def cmd_ledger_withdraw(engine, args) -> int:
    from etl import ledger, review
    who = args.by or review.default_reviewer()
    try:
        with engine.begin() as conn:
            ledger.withdraw(conn, args.override_id, who)
    except ledger.LedgerError as exc:
        raise store.StoreError(str(exc)) from None
    print(f"override {args.override_id} withdrawn by {who}: the rules choose again")
    return EXIT_OK


def cmd_ledger_flags(engine, args) -> int:
    from etl import ledger
    with engine.connect() as conn:
        df = ledger.ledger_flags(conn, args.kind)
    _table(df, [("id", "flag"), ("kind", "kind"), ("observation_id", "obs"), ("location_code", "place"),
                ("period_end", "date"), ("value", "value"), ("compared_value", "compared"), ("detail", "detail")])
    return EXIT_OK


def cmd_ledger_overrides(engine, _args) -> int:
    from etl import ledger
    with engine.connect() as conn:
        df = ledger.overrides(conn)
    _table(df, [("id", "override"), ("status", "status"), ("chosen_identity_key", "figure identity"),
                ("chosen_vintage", "vintage"), ("reviewer", "by"), ("created_at", "at"), ("reason", "reason"),
                ("recheck_note", "note")])
    return EXIT_OK


def _table(df, columns: list[tuple[str, str]], width: int = 60) -> None:
    """A readable fixed-width table: the listed columns, cells cut at `width` characters."""
    def cell(v) -> str:
        if v is None or (isinstance(v, float) and v != v):
            return ""
        text = f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else str(v)
        return text if len(text) <= width else text[:width - 1] + "…"
    rows = [[h for _, h in columns]] + [[cell(v) for v in rec] for rec in
                                        df[[c for c, _ in columns]].astype(object).itertuples(index=False)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(columns))]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())

def cmd_summaries(engine, _args) -> int:
    from etl import lock, summaries
    store.init(engine)
    try:
        with lock.refresh_lock(engine), engine.begin() as conn:  # not beside a load: it changes them too
            n = summaries.rebuild(conn)
    except lock.LockBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return lock.EXIT_LOCKED
    print(f"summaries rebuilt at {_where(engine)}: flow_set_count {n} sets")
    return EXIT_OK


def cmd_check(engine, args) -> int:
    from etl import integrity
    problems = integrity.check(engine)
    for problem in problems:
        print(f"problem: {problem}", file=sys.stderr)
    if args.digest:
        print(f"content digest: {integrity.content_digest(engine)}")
    print(f"check {_where(engine)}: " + (f"{len(problems)} problems" if problems else "ok"))
    return EXIT_REJECTED if problems else EXIT_OK


def _print_result(r: LoadResult) -> None:
    name = Path(r.path).name
    if r.status in ("rejected", "failed"):
        print(f"{r.status.upper()} {name}: {r.message}", file=sys.stderr)
        return
    if r.skipped:
        print(f"skipped  {name}: {r.message}")
        return
    print(f"{r.status:8} {name} [{r.source}]: {r.rows_read} rows read, {r.rows_new} new, {r.rows_changed} "
          f"changed, {r.rows_unchanged} unchanged, {r.rows_set_aside} set aside ({r.seconds:.1f} s)")
    for row in r.set_aside[:10]:
        print(f"  set aside: line {row['row_number']}, column {row['column']}, value {row['value']!r}: "
              f"{row['reason']}; {row['suggestion']}", file=sys.stderr)
    if r.rows_set_aside > 10:
        print(f"  ... and {r.rows_set_aside - 10} more: python -m etl rejects list", file=sys.stderr)


def _where(engine) -> str:
    return engine.url.render_as_string(hide_password=True) if engine.url.drivername != "sqlite" else (
        engine.url.database or "memory")


def cmd_backup(engine, args) -> int:
    from etl.backup import BackupError, backup

    try:
        print(backup(engine, args.out))
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_REJECTED
    return EXIT_OK


if __name__ == "__main__":
    if hasattr(signal, "SIGPIPE"):  # `python -m etl status | head` ends quietly; only as a command, never when
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # main() runs inside another process (tests, a server)
    sys.exit(main())

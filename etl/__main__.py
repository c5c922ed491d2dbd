"""Command line: init, refresh, load, export, status, alias add, rejects retry (exit 0 ok, 1 rejected, 2 partial)."""
from __future__ import annotations

import argparse
import csv
import signal
import sys
from pathlib import Path

from etl import store
from etl.db import make_engine
from etl.load import EXIT_OK, EXIT_PARTIAL, EXIT_REJECTED, LoadResult


def main(argv: list[str] | None = None) -> int:
    if hasattr(signal, "SIGPIPE"):  # `python -m etl status | head` ends quietly
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
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

    s = sub.add_parser("load", help="load one file; its format is recognised unless --format is given")
    s.add_argument("path", type=Path)
    s.add_argument("--format", dest="fmt", metavar="NAME")
    s.add_argument("--force", action="store_true", help="reload even if this content was loaded before")
    s.add_argument("--place", metavar="CODE", help="report text: the place the report is about (default place)")
    s.add_argument("--date", type=_iso_date, metavar="YYYY-MM-DD", help="report text: the report's date")
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
    s.set_defaults(func=cmd_review)

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
    if args.live or args.accept_schema:
        return cmd_refresh_live(engine, args)
    store.init(engine)
    results = store.refresh(engine, sources=args.source, progress=sys.stderr.isatty(), force=args.force)
    for r in results:
        _print_result(r)
    worst = max((r.exit_code for r in results), default=EXIT_OK,
                key=lambda c: {EXIT_OK: 0, EXIT_PARTIAL: 1, EXIT_REJECTED: 2}[c])
    total_new = sum(r.rows_new for r in results)
    total_changed = sum(r.rows_changed for r in results)
    print(f"refresh: {len(results)} files ({sum(r.skipped for r in results)} unchanged, skipped), "
          f"{total_new} new, {total_changed} changed, "
          f"{sum(r.rows_unchanged for r in results)} unchanged, {sum(r.rows_set_aside for r in results)} set aside, "
          f"{sum(r.seconds for r in results):.1f} s")
    return worst


def cmd_refresh_live(engine, args) -> int:
    from etl.live.refresh import live_refresh
    if args.offline or not args.live:
        print("error: --live fetches from the publishers; it cannot be combined with --offline, and --accept-schema "
              "needs --live", file=sys.stderr)
        return EXIT_REJECTED
    store.init(engine)
    results = live_refresh(engine, args.source or None, accept_schema=args.accept_schema,
                           progress=sys.stderr.isatty(), force=args.force)
    for r in results:
        print(r.line(), file=sys.stderr if r.status == "failed" else sys.stdout)
    failed = [r.source for r in results if r.status == "failed"]
    print(f"refresh --live: {len(results)} sources, {sum(r.status == 'fetched' for r in results)} fetched, "
          f"{sum(r.status == 'unchanged' for r in results)} unchanged, {len(failed)} failed"
          + (f" ({', '.join(failed)})" if failed else ""))
    if failed:
        return EXIT_REJECTED
    return EXIT_PARTIAL if any(r.rows_set_aside for r in results) else EXIT_OK


def cmd_load(engine, args) -> int:
    store.init(engine)
    result = store.load(engine, args.path, args.fmt, progress=sys.stderr.isatty(), force=args.force,
                        place=args.place, report_date=args.date)
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
    rows = store.status(engine)
    w = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    w.writerow(["source", "last_success", "last_attempt", "outcome", "rows_read", "new", "changed",
                "unchanged", "set_aside", "top_reasons_set_aside"])
    for r in rows:
        w.writerow([r["source"], r["last_success"] or "never", r["last_attempt"], r["outcome"], r["rows_read"],
                    r["rows_new"], r["rows_changed"], r["rows_unchanged"], r["rows_set_aside"],
                    " | ".join(f"{n}x {reason}" for reason, n in r["top_reasons"])])
    print(f"observations: {store.count_observations(engine)} current figures")
    return EXIT_OK


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
            obs = review.accept(engine, cid, who)
            print(f"candidate {cid} accepted by {who}: observation {obs}")
    except review.ReviewError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_REJECTED
    if not (args.edit or args.accept or args.reject is not None):
        table = review.frame(review.candidates(engine, None if args.all else "pending"))
        table.to_csv(sys.stdout, sep="\t", index=False, lineterminator="\n")
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
    if len(r.set_aside) > 10:
        print(f"  ... and {len(r.set_aside) - 10} more: python -m etl rejects list", file=sys.stderr)


def _where(engine) -> str:
    return engine.url.render_as_string(hide_password=True) if engine.url.drivername != "sqlite" else (
        engine.url.database or "memory")


if __name__ == "__main__":
    sys.exit(main())

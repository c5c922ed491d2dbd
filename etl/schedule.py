"""`python -m etl schedule`: refresh each source on its cron schedule from data/schedule.toml (SCHEDULE_FILE);
`--once` runs what is due now and exits (for cron or a systemd timer), otherwise it sleeps until the next due
time and stops cleanly on SIGTERM or SIGINT. Cron expressions are read in UTC."""
from __future__ import annotations

import datetime as dt
import re
import signal
import threading
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from croniter import croniter
from sqlalchemy import Engine, func, inspect, select

from etl.models import SourceRun

MODES = ("offline", "live")
_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$")


class ScheduleError(ValueError):
    """The schedule file says something that cannot be scheduled; the message names the source and field."""


@dataclass(frozen=True)
class SourceSchedule:
    source: str
    cron: str
    cadence: dt.timedelta  # how often the publisher is expected to have new data
    grace: dt.timedelta  # how long past the cadence the source is "due" before it is "overdue"
    mode: str = "offline"


def parse_duration(value: str | int | float, where: str = "duration") -> dt.timedelta:
    """ISO 8601 duration ("P1Y", "P6M", "P7D", "PT12H") or a number of days. A year is 365 days, a month 30."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        days = float(value)
    else:
        m = _DURATION.match(str(value).strip().upper())
        if not m or not any(m.groups()):
            raise ScheduleError(f"{where}: {value!r} is not a duration (e.g. \"P1Y\", \"P7D\", \"PT6H\" or days)")
        y, mo, w, d, h, mi = (int(g or 0) for g in m.groups())
        days = 365 * y + 30 * mo + 7 * w + d + h / 24 + mi / 1440
    if days <= 0:
        raise ScheduleError(f"{where}: {value!r} must be longer than zero")
    return dt.timedelta(days=days)


def default_grace(cadence: dt.timedelta) -> dt.timedelta:
    """A tenth of the cadence, at least a day: a yearly source is overdue 36 days after it was due."""
    return max(cadence / 10, dt.timedelta(days=1))


def load_schedule(path: Path) -> dict[str, SourceSchedule]:
    """The sources of a schedule file, checked (cron, cadence, grace, mode) with messages that name the line."""
    try:
        doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScheduleError(f"no schedule file at {path} (set SCHEDULE_FILE or pass --config)") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScheduleError(f"{path}: not valid TOML ({exc})") from None
    defaults = doc.get("defaults", {})
    out = {}
    for name, spec in (doc.get("sources") or {}).items():
        spec = {**defaults, **spec}
        where = f"{path}: [sources.{name}]"
        cron = spec.get("cron")
        if not cron or not croniter.is_valid(cron):
            raise ScheduleError(f"{where} cron {cron!r} is not a cron expression (minute hour day month weekday)")
        if "cadence" not in spec:
            raise ScheduleError(f"{where} has no cadence (how often the publisher has new data, e.g. \"P1Y\")")
        cadence = parse_duration(spec["cadence"], f"{where} cadence")
        grace = parse_duration(spec["grace"], f"{where} grace") if "grace" in spec else default_grace(cadence)
        mode = spec.get("mode", "offline")
        if mode not in MODES:
            raise ScheduleError(f"{where} mode {mode!r}: use one of {', '.join(MODES)}")
        out[name] = SourceSchedule(name, cron, cadence, grace, mode)
    if not out:
        raise ScheduleError(f"{path} schedules no source: add a [sources.NAME] table")
    return out


def last_attempts(engine: Engine) -> dict[str, dt.datetime]:
    """When each source was last tried by a refresh (any trigger, any outcome)."""
    if not inspect(engine).has_table(SourceRun.__tablename__):
        return {}
    with engine.connect() as conn:
        rows = conn.execute(select(SourceRun.source, func.max(SourceRun.started_at)).group_by(SourceRun.source))
        return {s: t.replace(tzinfo=dt.UTC) if t.tzinfo is None else t for s, t in rows}


def next_run(entry: SourceSchedule, last_attempt: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """The first cron time after the last attempt; a source never tried is due now."""
    if last_attempt is None:
        return now
    return croniter(entry.cron, last_attempt.astimezone(dt.UTC)).get_next(dt.datetime)


def due(schedule: dict[str, SourceSchedule], attempts: dict[str, dt.datetime],
        now: dt.datetime) -> list[str]:
    return [name for name, entry in schedule.items() if next_run(entry, attempts.get(name), now) <= now]


def next_wake(schedule: dict[str, SourceSchedule], attempts: dict[str, dt.datetime],
              now: dt.datetime) -> tuple[dt.datetime, list[str]]:
    """The next due time and the sources due then."""
    times = {name: next_run(entry, attempts.get(name), now) for name, entry in schedule.items()}
    first = min(times.values())
    return first, [n for n, t in times.items() if t == first]


def run_once(engine: Engine, schedule: dict[str, SourceSchedule], refresh: Callable, say: Callable[[str], None],
             now: dt.datetime | None = None, should_stop: Callable[[], bool] | None = None):
    """Refresh the sources due now in one refresh (trigger 'schedule'); None when nothing is due."""
    now = now or dt.datetime.now(dt.UTC)
    names = due(schedule, last_attempts(engine), now)
    if not names:
        when, which = next_wake(schedule, last_attempts(engine), now)
        say(f"nothing due; next: {', '.join(which)} at {when:%Y-%m-%d %H:%M} UTC")
        return None
    say(f"due now: {', '.join(names)}")
    return refresh(engine, names, trigger="schedule", modes={n: schedule[n].mode for n in names},
                   should_stop=should_stop)


class Stopper:
    """SIGTERM / SIGINT set a flag: the loop wakes from its sleep, or stops between two sources."""

    def __init__(self):
        self.event = threading.Event()
        self.signal_name: str | None = None

    def install(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._handle)

    def _handle(self, signum, _frame) -> None:
        self.signal_name = signal.Signals(signum).name
        self.event.set()

    def __call__(self) -> bool:
        return self.event.is_set()


def loop(engine: Engine, schedule: dict[str, SourceSchedule], refresh: Callable, say: Callable[[str], None],
         stopper: Stopper, busy: type[Exception], retry_busy_seconds: float = 60, max_sleep_seconds: float = 3600):
    """Run due sources, sleep until the next due time, until a signal. `busy` is the lock's LockBusy: another
    refresh (by hand, or another machine) is running, so try again later rather than stop."""
    while not stopper():
        try:
            run_once(engine, schedule, refresh, say, should_stop=stopper)
            now = dt.datetime.now(dt.UTC)
            when, which = next_wake(schedule, last_attempts(engine), now)
            wait = min(max((when - now).total_seconds(), 1.0), max_sleep_seconds)
            say(f"sleeping until {now + dt.timedelta(seconds=wait):%Y-%m-%d %H:%M:%S} UTC (next: {', '.join(which)})")
        except busy as exc:
            say(f"skipped: {exc}")
            wait = retry_busy_seconds
        stopper.event.wait(wait)
    say(f"stopped ({stopper.signal_name or 'stop'})")

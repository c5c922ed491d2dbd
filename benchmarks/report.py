"""The tables each benchmark returns, the machine they ran on, and docs/benchmarks.md written from them."""
from __future__ import annotations

import datetime as dt
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        lines = [f"## {self.title}", ""]
        if self.rows:
            lines += ["| " + " | ".join(self.columns) + " |", "|" + "---|" * len(self.columns)]
            lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |" for r in self.rows]
        else:
            lines.append("(no rows)")
        if self.notes:
            lines.append("")
            lines += [f"- {n}" for n in self.notes]
        return "\n".join(lines) + "\n"


def ms(seconds_or_ms: float | None, *, is_ms: bool = True) -> str:
    if seconds_or_ms is None:
        return "—"
    v = seconds_or_ms if is_ms else seconds_or_ms * 1000
    return f"{v:,.0f} ms" if v >= 10 else f"{v:.1f} ms"


def seconds(s: float) -> str:
    return f"{s:,.2f} s" if s < 100 else f"{s:,.0f} s"


def rate(n: float, s: float, unit: str = "/s") -> str:
    return f"{n / s:,.0f}{unit}" if s > 0 else "—"


def ratio(a: float | None, b: float | None) -> str:
    """a ÷ b, written 0.53× or 12×."""
    if not a or not b:
        return "—"
    r = a / b
    return f"{r:.2f}×" if r < 10 else f"{r:,.0f}×"


def machine() -> list[tuple[str, str]]:
    """CPU, cores, RAM, disk, versions and date: what a reader needs to compare these figures."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        kb = int(next(ln for ln in Path("/proc/meminfo").read_text().splitlines()
                      if ln.startswith("MemTotal")).split()[1])
        ram = f"{kb / 1024 / 1024:.1f} GB"
    except (OSError, StopIteration):
        pass
    disk = shutil.disk_usage(Path(__file__).resolve().parent)
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    return [("Date", dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")),
            ("CPU", cpu), ("Cores", str(os.cpu_count())), ("RAM", ram),
            ("Disk", f"{disk.total / 1e9:.0f} GB, {disk.free / 1e9:.0f} GB free"),
            ("Load average when written (1/5/15 min)", load),
            ("OS", platform.platform()), ("Python", sys.version.split()[0]),
            ("SQLite", sqlite3.sqlite_version), ("PostgreSQL", _postgres_version())]


def _postgres_version() -> str:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), reverse=True):
        try:
            return subprocess.run([str(candidate), "--version"], capture_output=True, text=True,
                                  timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            continue
    return "not installed"


def write(path: Path, tables: list[Table], *, title: str, preface: list[str], command: str) -> None:
    parts = [f"# {title}", "", *preface, "", f"Command: `{command}`", "", "## Machine", "",
             "| | |", "|---|---|", *[f"| {k} | {v} |" for k, v in machine()], ""]
    parts += [t.markdown() for t in tables]
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.writing")
    partial.write_text("\n".join(parts), encoding="utf-8")
    os.replace(partial, path)  # a run killed while writing leaves the previous report whole

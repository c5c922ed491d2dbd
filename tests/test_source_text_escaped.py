"""Text from sources (titles, quotes, place names) that holds HTML or script is shown as text, never run: the
Sources, Overview and Review pages in a real Chromium, on UNHCR's and OCHA's real samples and the article's real
sentences, with SYNTHETIC hostile text added to a report title, a quoted sentence, series titles, event quotes and
a place name (test data only, labelled as such; never shipped)."""
from __future__ import annotations

import pytest
from conftest import REPORT, REVIEW_SAMPLES, SAMPLES, load_samples, wait_for_dash
from sqlalchemy import text

from etl import db
from etl import store as ops

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
HOSTILE = f"{SCRIPT} {IMG}"  # SYNTHETIC


@pytest.fixture
def hostile_store(tmp_path, use_store) -> str:
    """Real samples + the real article sentences, then SYNTHETIC hostile text in what sources write."""
    report = tmp_path / "hostile_report.txt"
    lines = REPORT.read_text(encoding="utf-8").splitlines()
    lines = [f"{line} {HOSTILE}" if line.startswith("Title:") else line for line in lines]
    lines += ["", f"SYNTHETIC: the offensive forced 123,456 people {HOSTILE} to flee to the border."]
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'hostile.db'}"
    engine = db.make_engine(url)
    try:
        load_samples(engine, [SAMPLES / name for name in REVIEW_SAMPLES])
        result = ops.load(engine, report, "report")
        assert result.status == "success", result.message
        with engine.begin() as conn:  # SYNTHETIC: hostile text in series titles, event quotes, a place name
            conn.execute(text("UPDATE series SET title = title || ' ' || :h"), {"h": HOSTILE})
            conn.execute(text("UPDATE event SET title = title || ' ' || :h, quote = quote || ' ' || :h"),
                         {"h": HOSTILE})
            conn.execute(text("UPDATE place SET name = name || ' ' || :h WHERE code = 'TUR'"), {"h": IMG})
            assert conn.scalar(text("SELECT count(*) FROM candidate WHERE sentence LIKE :p"), {"p": f"%{IMG}%"})
    finally:
        engine.dispose()
    use_store(url)
    return url


@pytest.mark.parametrize("path", ["/sources", "/", "/review"])
def test_hostile_source_text_is_shown_as_text_never_run(hostile_store, page, path, console_errors):
    dialogs: list[str] = []

    def _dialog(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", _dialog)
    page.goto(path)
    wait_for_dash(page)
    page.wait_for_timeout(500)  # an onerror handler fires after the image fails to load
    shown = page.evaluate("document.body.innerText")
    assert not dialogs, f"{path}: a dialog fired: {dialogs}"
    assert IMG in shown, f"{path}: the synthetic {IMG!r} is not shown as text"
    if path != "/":  # the Overview shows place names (the <img> in Türkiye's), not titles or quotes
        assert SCRIPT in shown, f"{path}: the synthetic {SCRIPT!r} is not shown as text"
    assert page.locator("img[src='x']").count() == 0
    assert page.evaluate("[...document.scripts].some(s => s.textContent.includes('alert(1)'))") is False
    assert not [e for e in console_errors if "alert" in e], console_errors

"""Accessibility in a real Chromium on the real samples: axe-core (vendored) finds no serious or critical
violation on any page, and every filter and download is reachable with the Tab key."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FILTER_IDS, registered_pages, wait_for_dash

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
PATHS = list(dict.fromkeys(path for path, _ in registered_pages()))
BLOCKING = {"serious", "critical"}
MAX_TABS = 400

# Records each element focused: its id (or its nearest ancestor's: Dash dropdowns focus a button inside), and
# whether focus has come back round to an element already visited (a date input keeps focus for its day, month
# and year: that is not a wrap).
RECORD_FOCUS_JS = """() => {
    const log = window.__focusLog = [];
    const seen = new Set();
    let last = null;
    document.addEventListener('focusin', (event) => {
        const e = event.target;
        const owner = e.closest('[id]');
        log.push({id: owner ? owner.id : '', wrapped: seen.has(e) && last !== e});
        seen.add(e);
        last = e;
    });
}"""
# What keyboard users must reach: the filters, each chart's downloads, the page's full-data links.
TARGETS_JS = """(filterIds) => {
    const ids = filterIds.filter(id => document.getElementById(id));
    for (const e of document.querySelectorAll('button[id*="chart-csv-button"], button[id*="chart-png-button"]')) {
        ids.push(e.id);
    }
    for (const e of document.querySelectorAll('#full-data-link, #full-data-sources')) ids.push(e.id);
    return ids;
}"""


def axe_violations(page) -> list[dict]:
    page.evaluate(AXE.read_text(encoding="utf-8"))  # run by the test harness, not an inline <script> the CSP refuses
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": len(v["nodes"]),
             "targets": [n["target"] for n in v["nodes"][:3]]} for v in result["violations"]]


def tab_through(page, batch: int = 10) -> list[str]:
    """Press Tab from the top of the page until focus comes back round; the ids focused on the way."""
    page.evaluate(RECORD_FOCUS_JS)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    for _ in range(0, MAX_TABS, batch):
        for _ in range(batch):
            page.keyboard.press("Tab")
        log = page.evaluate("() => window.__focusLog")
        wrap = next((i for i, f in enumerate(log) if f["wrapped"]), None)
        if wrap is not None:
            return [f["id"] for f in log[:wrap]]
    raise AssertionError(f"focus did not come back round after {MAX_TABS} Tabs: {log[-10:]}")


@pytest.mark.parametrize("path", PATHS)
def test_page_has_no_serious_axe_violation_and_everything_is_reachable_by_keyboard(page, path):
    page.goto(path)
    wait_for_dash(page)

    targets = page.evaluate(TARGETS_JS, FILTER_IDS)
    reached = set(tab_through(page))
    violations = axe_violations(page)

    for v in violations:
        print(f"axe {path}: {v['impact']}: {v['id']} ({v['nodes']} nodes): {v['help']} {json.dumps(v['targets'])}")
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert blocking == [], f"serious or critical axe violations on {path}"
    if any(page.locator(f"#{i}").count() for i in FILTER_IDS):
        assert set(FILTER_IDS) <= reached, f"filters not reachable by Tab on {path}: {set(FILTER_IDS) - reached}"
    missing = [t for t in targets if t not in reached]
    assert missing == [], f"not reachable by Tab on {path}: {missing}"


def test_review_page_with_candidates_passes_axe_and_its_actions_are_reachable_by_keyboard(review_store, page):
    page.goto("/review")
    wait_for_dash(page)
    page.locator(".review-actions button").first.wait_for()
    page.locator("#review-edit-save").wait_for()

    targets = page.evaluate("""() => [...document.querySelectorAll(
        '.review-actions button, .review-actions input, #review-edit-save, #review-edit input')]
        .map(e => e.closest('[id]').id)""")
    reached = set(tab_through(page))
    violations = axe_violations(page)

    for v in violations:
        print(f"axe /review: {v['impact']}: {v['id']} ({v['nodes']} nodes): {v['help']} {json.dumps(v['targets'])}")
    assert [v for v in violations if v["impact"] in BLOCKING] == []
    assert len(targets) >= 12  # 4 candidates x (accept, reason, reject), the edit fields and Save
    assert [t for t in targets if t not in reached] == []


def test_sources_ledger_passes_axe_and_its_controls_are_reachable_by_keyboard(page):
    page.goto("/sources")
    wait_for_dash(page)
    page.locator(".ledger-members").wait_for()
    page.locator("#ledger-override-save").wait_for()  # 127.0.0.1 without authentication: overrides are offered
    assert page.locator(".ledger-members tbody tr").count() >= 2

    targets = ["ledger-inconsistent", "ledger-group", "ledger-override-member", "ledger-override-reason",
               "ledger-override-save"]
    reached = set(tab_through(page))
    violations = axe_violations(page)

    for v in violations:
        print(f"axe /sources: {v['impact']}: {v['id']} ({v['nodes']} nodes): {v['help']} {json.dumps(v['targets'])}")
    assert [v for v in violations if v["impact"] in BLOCKING] == []
    csv_button = page.evaluate("() => document.querySelector('button[id*=\"ledger-groups\"]').id")
    assert [t for t in targets + [csv_button] if t not in reached] == []

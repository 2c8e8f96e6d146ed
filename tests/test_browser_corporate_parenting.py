"""Browser test: the Corporate Parenting Panel page in Debian's Chromium, driven by Playwright.

Starts `streamlit run app/streamlit_app.py` against a warehouse (the hand-made fixture by default; set
CSQA_BROWSER_WAREHOUSE to point it at a real built warehouse), opens the page with a quarter in the URL,
waits for the charts to draw, checks a headline number and the trend chart's points (read from the SVG's
accessibility labels and a tooltip) against indicator_values and the table beside the chart, and saves a
screenshot to tests/artifacts/. The browser signs in through the sign-in form as a Corporate Parenting Panel
member, whose first page this is.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote_plus

import duckdb
import pytest
from app_fixtures import write_warehouse

from app import disclosure

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
START_TIMEOUT = 90
RENDER_TIMEOUT_MS = 90_000


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module", params=["demo", "hand-made"])
def served_warehouse(request, tmp_path_factory) -> Path:
    """The warehouse the app serves: a real build of the demo data (as `make demo` serves it) and the hand-made
    fixture with its small numbers; $CSQA_BROWSER_WAREHOUSE, if set, replaces both."""
    given = os.environ.get("CSQA_BROWSER_WAREHOUSE")
    if given:
        path = Path(given)
        if not path.is_file():
            pytest.fail(f"CSQA_BROWSER_WAREHOUSE={given} does not exist")
        return path
    if request.param == "demo":
        return request.getfixturevalue("demo_data").warehouse
    return write_warehouse(tmp_path_factory.mktemp("browser") / "warehouse.duckdb")


@pytest.fixture(scope="module")
def expected(served_warehouse) -> dict:
    """What the page should show, read straight from the warehouse: the first authority, its second-newest
    quarter (so 'newest first' defaults are not what is being tested), and that quarter's headline."""
    con = duckdb.connect(str(served_warehouse), read_only=True)
    try:
        la = con.sql(
            "select min(la_code) from indicator_values where org_level = 'la' and indicator_id = ?",
            params=["cla_at_period_end"],
        ).fetchall()[0][0]
        quarters = con.sql(
            "select period_label from indicator_values where la_code = ? and org_level = 'la' "
            "and period_grain = 'quarter' and indicator_id = ? order by period_start desc",
            params=[la, "cla_at_period_end"],
        ).fetchall()
        label = quarters[1][0] if len(quarters) > 1 else quarters[0][0]
        count = con.sql(
            "select value from indicator_values where la_code = ? and org_level = 'la' and period_grain = 'quarter' "
            "and indicator_id = ? and period_label = ?",
            params=[la, "cla_at_period_end", label],
        ).fetchall()[0][0]
        definition = con.sql(
            "select definition from indicators where indicator_id = ?", params=["cla_at_period_end"]
        ).fetchall()[0][0]
        rates = con.sql(
            "select period_label, value, numerator, denominator from indicator_values where la_code = ? "
            "and org_level = 'la' and period_grain = 'quarter' and indicator_id = ? order by period_start",
            params=[la, "cla_rate_per_10k"],
        ).fetchall()
    finally:
        con.close()
    in_order = [r[0] for r in rates]
    return {
        "definition": definition,
        "trend_quarters": in_order[: in_order.index(label) + 1][-12:],
        "la": la,
        "quarter": label,
        "headline": disclosure.count_text(count),
        "rates": {r[0]: disclosure.rate_text(r[1], r[2], r[3]) for r in rates},
    }


USERNAME, PASSWORD = "panel-member", "correct horse battery staple"


@pytest.fixture(scope="module")
def state(tmp_path_factory) -> Path:
    """The server's own state folder, holding one Corporate Parenting Panel account."""
    from app import users

    folder = tmp_path_factory.mktemp("browser_state")
    users.Store(folder).add(USERNAME, role="corporate_parenting_panel", password=PASSWORD, la_code="845")
    return folder


@pytest.fixture(scope="module")
def server(served_warehouse, state) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "CSQA_WAREHOUSE": str(served_warehouse), "CSQA_STATE_DIR": str(state)}
    log_path = ARTIFACTS / "streamlit_browser_test.log"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app/streamlit_app.py",
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--browser.gatherUsageStats",
                "false",
                "--server.fileWatcherType",
                "none",
            ],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"streamlit exited with {proc.returncode}; see {log_path}")
                try:
                    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not start within {START_TIMEOUT}s; see {log_path}")
                time.sleep(0.3)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); browser tests need Debian's Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def _sign_in(page, url: str) -> None:
    """Open the address signed out, and sign in through the form as a person would; the page asked for opens."""
    page.goto(url)
    page.get_by_role("textbox", name="Username").fill(USERNAME)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _wait_until_drawn(page, charts: int) -> None:
    """Tiles present, every Vega-Lite chart drawn (an SVG or canvas with size), and the app idle."""
    page.wait_for_selector('[data-testid="stMetric"]', timeout=RENDER_TIMEOUT_MS)
    page.wait_for_function(
        """(n) => {
            const embeds = Array.from(document.querySelectorAll('.vega-embed'));
            if (embeds.length < n) return false;
            const drawn = embeds.every(e => {
                const g = e.querySelector('svg.marks, canvas');
                return g && g.getBoundingClientRect().width > 0 && g.getBoundingClientRect().height > 0;
            });
            const running = document.querySelector('[data-testid="stStatusWidget"]');
            const skeleton = document.querySelector('[data-testid="stSkeleton"]');
            return drawn && !running && !skeleton;
        }""",
        arg=charts,
        timeout=RENDER_TIMEOUT_MS,
    )
    page.wait_for_timeout(500)  # let the last layout settle before reading or photographing


def _table_rows(page, first_header: str) -> list[dict[str, str]]:
    """Rows of the st.table whose first column heading is `first_header`, as dicts of cell text."""
    return page.evaluate(
        """(first) => {
            for (const t of document.querySelectorAll('[data-testid="stTable"] table')) {
                const heads = Array.from(t.querySelectorAll('thead th')).map(h => h.innerText.trim());
                if (heads[0] !== first) continue;
                return Array.from(t.querySelectorAll('tbody tr')).map(tr => {
                    const cells = Array.from(tr.querySelectorAll('th, td')).map(c => c.innerText.trim());
                    return Object.fromEntries(heads.map((h, i) => [h, cells[i]]));
                });
            }
            return null;
        }""",
        first_header,
    )


def _point_labels(chart) -> list[str]:
    return chart.locator('path[aria-roledescription="point"]').evaluate_all(
        "els => els.map(e => e.getAttribute('aria-label'))"
    )


def test_page_draws_and_matches_indicator_values(server, browser, expected):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        url = f"{server}/?la={quote_plus(expected['la'])}&quarter={quote_plus(expected['quarter'])}"
        _sign_in(page, url)
        _wait_until_drawn(page, charts=5)

        # the quarter from the URL is the one shown
        assert page.get_by_role("combobox", name="Quarter").input_value() == expected["quarter"]
        assert f"Headlines for {expected['quarter']}" in page.locator("h2").all_inner_texts()

        # headline number on screen equals indicator_values
        tile = page.locator('[data-testid="stMetric"]').filter(
            has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(r"^Children looked after$"))
        )
        assert tile.locator('[data-testid="stMetricValue"]').inner_text().strip() == expected["headline"]

        # trend chart: each drawn point (its accessibility label carries the plotted value) equals the table
        trend_chart = page.locator('[data-testid="stVegaLiteChart"]').first
        labels = [lab for lab in _point_labels(trend_chart) if "series: England" not in lab]
        plotted = {}
        for lab in labels:
            fields = dict(part.split(": ", 1) for part in lab.split("; "))
            plotted[fields["quarter"]] = fields["Rate per 10,000 children"]
        rows = _table_rows(page, "Quarter")
        assert rows, "trend table not found"
        table = {r["Quarter"]: r["Rate per 10,000 children"] for r in rows}
        shown = {q: v for q, v in table.items() if v != disclosure.SUPPRESSED}
        assert plotted == shown
        assert {q: expected["rates"][q] for q in table} == table  # and both equal indicator_values
        assert list(table) == expected["trend_quarters"]  # up to three years, ending with the chosen quarter

        # not drawn 100 times too large: the y axis spans the same range as the table's values
        axis = trend_chart.locator('[aria-roledescription="axis"]').evaluate_all(
            "els => els.map(e => e.getAttribute('aria-label'))"
        )
        y_axis = next(a for a in axis if a.startswith("Y-axis"))
        low, high = (float(x) for x in re.search(r"from ([\d.]+) to ([\d.]+)", y_axis).groups())
        numbers = [float(v) for v in shown.values()]
        assert low <= min(numbers) and max(numbers) <= high <= max(numbers) * 1.5

        # a tooltip, as a reader would see it, shows the table's value for that quarter
        last_quarter = list(shown)[-1]
        point = trend_chart.locator(f'path[aria-roledescription="point"][aria-label*="quarter: {last_quarter};"]').first
        point.scroll_into_view_if_needed()
        box = point.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        tooltip = page.locator("#vg-tooltip-element")
        tooltip.wait_for(state="visible", timeout=10_000)
        assert last_quarter in tooltip.inner_text()
        assert shown[last_quarter] in tooltip.inner_text()
        page.mouse.move(5, 5)

        # the definition is one click away
        page.get_by_role("button", name=re.compile("About this measure")).first.click()
        page.get_by_text(expected["definition"][:60]).first.wait_for(state="visible", timeout=10_000)
        page.keyboard.press("Escape")
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        page.mouse.move(5, 5)

        # every chart on the page actually drew marks
        for i in range(page.locator('[data-testid="stVegaLiteChart"]').count()):
            chart = page.locator('[data-testid="stVegaLiteChart"]').nth(i)
            assert chart.locator('[role="graphics-symbol"]').count() > 0, f"chart {i} drew nothing"

        _screenshot(page, f"corporate_parenting_{expected['la']}_{expected['quarter'].replace(' ', '_')}.png")
    finally:
        page.close()


def test_hostile_quarter_in_url_falls_back_in_the_browser(server, browser, expected):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        _sign_in(page, f"{server}/?la={quote_plus(expected['la'])}&quarter={quote_plus(chr(39) + ' OR 1=1 --')}")
        _wait_until_drawn(page, charts=5)
        assert page.get_by_text("The quarter in the web address was not recognised").count() == 1
        page.wait_for_function("!window.location.search.includes('OR')", timeout=10_000)
        assert "quarter=" in page.url
    finally:
        page.close()


def _screenshot(page, name: str) -> Path:
    """Full-length screenshot: Streamlit scrolls inside its own container, so grow the viewport first."""
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMainBlockContainer\"]').scrollHeight")
    page.set_viewport_size({"width": 1400, "height": int(height) + 200})
    page.wait_for_timeout(1500)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    return path

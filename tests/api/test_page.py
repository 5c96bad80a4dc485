"""The web page in a real headless Chromium (Debian's /usr/bin/chromium, driven by
playwright): upload a file, pick model and column, check chart, table, filters and
the downloaded CSV; screenshots go to out/screenshots/."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import logtriage
import pytest
from fastapi import FastAPI
from logtriage.api import create_app
from logtriage.api.uploads import LABEL_COLUMNS
from logtriage.config import Settings
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.api.conftest import OUT_DIR, LiveServer, manifest_labeler
from tests.shared_data import shared_data

CHROMIUM = Path("/usr/bin/chromium")
# The machine's closed network: no background connections, no sandbox as root.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = OUT_DIR / "screenshots"
SHIPPED_BUNDLE = Path(logtriage.__file__).parent / "bundles" / "default"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        found = shutil.which("chromium")
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM} (which chromium: {found}); "
            "install it with `make browser` (Debian packages chromium + chromium-driver)",
            pytrace=False,
        )
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture
def server(bundle_settings: Settings) -> Iterator[LiveServer]:
    app: FastAPI = create_app(bundle_settings, labeler_factory=manifest_labeler)
    with LiveServer(app) as srv:
        yield srv


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 1000})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def read_csv(text: str) -> tuple[list[str], list[dict[str, str]]]:
    header = next(csv.reader(io.StringIO(text, newline="")))
    return header, list(csv.DictReader(io.StringIO(text, newline="")))


def seed_csv() -> Path:
    return shared_data() / "seed-classification" / "synthetic_logs.csv"


def test_upload_csv_choose_model_and_column_then_download(
    page: Page, server: LiveServer, tmp_path: Path
) -> None:
    source = seed_csv()
    input_header, input_rows = read_csv(source.read_text(encoding="utf-8"))
    page.goto(server.url + "/")
    # none, tiny (configured), alt (bundles_dir), default (shipped); broken is listed disabled
    expect(page.locator("#model option")).to_have_count(5)
    expect(page.locator("#model")).to_have_value("tiny")
    # Each bundle's test macro-F1 as `model build` nests it (metrics.test.macro_f1).
    shipped = json.loads((SHIPPED_BUNDLE / "manifest.json").read_text())
    options = dict(
        zip(
            page.locator("#model option").evaluate_all("os => os.map(o => o.value)"),
            page.locator("#model option").all_inner_texts(),
            strict=True,
        )
    )
    assert options["tiny"] == "tiny (tiny-1, test macro-F1 0.910)"
    assert options["alt"] == "alt (alt-7)"  # no test split: no figure
    f1 = shipped["metrics"]["test"]["macro_f1"]
    assert options["default"] == f"default ({shipped['version']}, test macro-F1 {f1:.3f})"
    page.select_option("#model", "alt")

    page.set_input_files("#file", str(source))
    expect(page.locator("#column-row")).to_be_visible()
    expect(page.locator("#column")).to_have_value("log_message")  # guessed
    assert page.locator("#column option").all_inner_texts() == input_header

    page.click("#submit")
    expect(page.locator("#status")).to_have_text(
        f"done: {len(input_rows):,} lines labelled", timeout=60_000
    )
    assert page.locator("#progress").get_attribute("value") == "100"
    expect(page.locator("#error")).to_be_hidden()

    with page.expect_download() as info:
        page.click("#download")
    download = info.value
    assert download.suggested_filename == "synthetic_logs.labelled.csv"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    header, rows = read_csv(saved.read_text(encoding="utf-8"))
    assert header == [*input_header, *LABEL_COLUMNS]
    assert len(rows) == len(input_rows)
    assert [r["log_message"] for r in rows] == [r["log_message"] for r in input_rows]
    assert {r["logtriage.model.version"] for r in rows} == {"alt-7"}
    labels = Counter(r["logtriage.label"] for r in rows)

    # The chart: one bar per label, with the label's count.
    bars = page.locator("#chart rect.bar")
    expect(bars).to_have_count(len(labels))
    drawn = {
        bars.nth(i).get_attribute("data-label"): int(bars.nth(i).get_attribute("data-count") or -1)
        for i in range(len(labels))
    }
    assert drawn == dict(labels)

    # The table: 100 rows a page, filters by label, text and anomaly.
    expect(page.locator("#table tbody tr")).to_have_count(min(100, len(rows)))
    top_label, top_count = labels.most_common(1)[0]
    page.select_option("#filter-label", top_label)
    expect(page.locator("#match-count")).to_have_text(f"{top_count:,} matching")
    label_cells = page.locator("#table tbody tr td:nth-child(3)").all_inner_texts()
    assert label_cells and set(label_cells) == {top_label}
    page.select_option("#filter-label", "")
    needle = "nova.osapi_compute"
    page.fill("#filter-text", needle)
    expected = sum(
        needle in r["log_message"].lower() or needle in r["logtriage.template.text"].lower()
        for r in rows
    )
    expect(page.locator("#match-count")).to_have_text(f"{expected:,} matching")
    page.fill("#filter-text", "")
    page.check("#filter-anomaly")
    flagged = sum(r["logtriage.anomaly"] == "true" for r in rows)
    expect(page.locator("#match-count")).to_have_text(f"{flagged:,} matching")
    page.uncheck("#filter-anomaly")
    # Clicking a bar filters by its label.
    first_bar = bars.nth(0)
    first_bar.click()
    expect(page.locator("#filter-label")).to_have_value(first_bar.get_attribute("data-label") or "")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / "upload_csv.png"))
    assert (SCREENSHOTS / "upload_csv.png").stat().st_size > 10_000


def test_tsv_columns_are_offered_split_on_tabs(
    page: Page, server: LiveServer, tmp_path: Path
) -> None:
    tsv = tmp_path / "events.tsv"
    tsv.write_text("when\tsource\tlog_message\n1\tweb\tdisk full, retrying\n2\tdb\tdone\n")
    page.goto(server.url + "/")
    expect(page.locator("#model")).to_have_value("tiny")
    page.set_input_files("#file", str(tsv))
    expect(page.locator("#column-row")).to_be_visible()
    assert page.locator("#column option").all_inner_texts() == ["when", "source", "log_message"]
    expect(page.locator("#column")).to_have_value("log_message")
    assert _submit_and_read_messages(page, "done: 2 lines labelled") == [
        "disk full, retrying",
        "done",
    ]


def _submit_and_read_messages(page: Page, status: str) -> list[str]:
    """Submit the form, wait for ``status``, and return the table's message column."""
    page.click("#submit")
    expect(page.locator("#status")).to_have_text(status, timeout=30_000)
    return page.locator("#table tbody tr td:nth-child(2)").all_inner_texts()


def test_a_non_ascii_message_column_is_shown_in_the_table(
    page: Page, server: LiveServer, tmp_path: Path
) -> None:
    """The page finds the column the server read (it fell back to the first one)."""
    data = tmp_path / "de.csv"
    data.write_text("Nr,Meldung_ü\n1,Festplatte voll\n2,Dienst gestartet\n", encoding="utf-8")
    page.goto(server.url + "/")
    expect(page.locator("#model")).to_have_value("tiny")
    page.set_input_files("#file", str(data))
    page.select_option("#column", "Meldung_ü")
    assert _submit_and_read_messages(page, "done: 2 lines labelled") == [
        "Festplatte voll",
        "Dienst gestartet",
    ]


def test_non_utf8_log_is_reported_and_errors_are_shown(
    page: Page, server: LiveServer, tmp_path: Path
) -> None:
    log = tmp_path / "mixed.log"
    log.write_bytes(b"service started\nbad byte \xff here\nerror: disk full\n")
    page.goto(server.url + "/")
    expect(page.locator("#model")).to_have_value("tiny")
    page.set_input_files("#file", str(log))
    expect(page.locator("#column-row")).to_be_hidden()
    page.click("#submit")
    expect(page.locator("#status")).to_have_text("done: 3 lines labelled", timeout=30_000)
    expect(page.locator("#notice")).to_contain_text("1 line was not valid UTF-8")
    expect(page.locator("#table tbody tr")).to_have_count(3)
    assert "bad byte \ufffd here" in page.locator("#table tbody").inner_text()

    empty = tmp_path / "empty.log"
    empty.write_bytes(b"\n")
    page.set_input_files("#file", str(empty))
    page.click("#submit")
    expect(page.locator("#error")).to_contain_text("400 empty_upload")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "error.png"))


def test_100k_line_upload_shows_progress(page: Page, server: LiveServer, tmp_path: Path) -> None:
    _, seed_rows = read_csv(seed_csv().read_text(encoding="utf-8"))
    big = tmp_path / "big.log"
    with open(big, "w", encoding="utf-8") as f:
        for i in range(100_000):
            f.write(seed_rows[i % len(seed_rows)]["log_message"].replace("\n", " ") + "\n")
    page.goto(server.url + "/")
    expect(page.locator("#model")).to_have_value("tiny")
    page.set_input_files("#file", str(big))
    # Record every progress value the page shows while it works.
    page.evaluate(
        """() => {
            window.__seen = [];
            new MutationObserver(() => window.__seen.push(
                [document.getElementById('progress').value,
                 document.getElementById('status').textContent]))
              .observe(document.getElementById('progress-box'),
                       {attributes: true, childList: true, subtree: true, characterData: true});
        }"""
    )
    page.click("#submit")
    expect(page.locator("#status")).to_have_text("done: 100,000 lines labelled", timeout=240_000)
    seen: list[list[object]] = page.evaluate("window.__seen")
    labelling = [s for s in seen if str(s[1]).startswith("labelling ")]
    assert labelling, f"no labelling progress shown: {seen[:5]}"
    values = [float(str(v[0])) for v in seen]
    assert values == sorted(values), f"progress went backwards: {values}"
    assert any(0 < v < 100 for v in values)
    expect(page.locator("#summary")).to_contain_text("100,000 lines")
    expect(page.locator("#page-info")).to_have_text("page 1 / 1000")
    page.click("#next")
    expect(page.locator("#page-info")).to_have_text("page 2 / 1000")
    first_cell = page.locator("#table tbody tr").first.locator("td").first
    expect(first_cell).to_have_text("101")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / "upload_100k.png"))

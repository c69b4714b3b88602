"""The report's first screen answers "did it pass?": rendered by headless Chromium at 1366×768.

A short run against the embedded emulator with a seeded fault gives a report with a failure and
blocked tests. Chromium loads a copy of it with a probe script that writes layout facts into the
DOM (``--dump-dom`` returns them): the overall verdict and every count must sit inside the first
screen, and the page must not scroll sideways, neither folded nor with every fold open. The
screenshot of the untouched page is kept under ``reports/screens/`` (CI keeps ``reports/``).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from paircert.ledger import load_ledger
from paircert.report import records
from paircert.report.html import render
from paircert.report.page import Evidence, build_page, plain_reason
from paircert.report.records import VERDICTS, RunMetadata, RunRecord

REPO = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT = 1366, 768
SCREENSHOT = REPO / "reports" / "screens" / "report-first-screen.png"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    f"--window-size={WIDTH},{HEIGHT}",
)
# Runs where the page has loaded: layout facts, measured folded and again with every fold open.
PROBE = """<script>
(() => {
  const box = (el) => { const r = el.getBoundingClientRect();
    return {top: r.top + scrollY, bottom: r.bottom + scrollY, left: r.left + scrollX, right: r.right + scrollX}; };
  const root = document.documentElement;
  const facts = {width: innerWidth, scrollWidth: root.scrollWidth,
    overall: {text: document.getElementById("overall").dataset.overall, ...box(document.getElementById("overall"))},
    counts: [...document.querySelectorAll("#counts [data-verdict]")].map(
      (el) => ({verdict: el.dataset.verdict, number: el.querySelector("b").textContent, ...box(el)}))};
  document.querySelectorAll("details").forEach((el) => { el.open = true; });
  facts.openScrollWidth = root.scrollWidth;
  document.body.setAttribute("data-layout", JSON.stringify(facts));
})();
</script>"""


def _chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (CI installs it in .ci/run)")
        pytest.skip("chromium is not installed")
    return found


def _browse(chromium: str, page: Path, *args: str) -> str:
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.fixture(scope="module")
def short_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run whose collection GET answers an object: one test fails DCA-COLLECTION-ARRAY and the
    tests that need the collection are blocked by it."""
    reports = tmp_path_factory.mktemp("reports")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAIRCERT_")}
    result = subprocess.run(
        [sys.executable, "-m", "paircert", "run", "-k", "test_cp_read", "--emulator-fault", "collection-as-object"]
        + ["--report-dir", str(reports)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    (run_dir,) = reports.iterdir()
    return run_dir


def test_the_first_screen_shows_the_verdict_and_the_counts_and_nothing_scrolls_sideways(
    short_run: Path, tmp_path: Path
) -> None:
    chromium = _chromium()
    results = json.loads((short_run / "results.json").read_text(encoding="utf-8"))
    assert results["counts"]["fail"] >= 1 and results["counts"]["blocked"] >= 1
    probed = tmp_path / "probed.html"
    probed.write_text(
        (short_run / "report.html").read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8"
    )

    found = re.search(r'data-layout="([^"]*)"', _browse(chromium, probed, "--dump-dom"))
    assert found, "the probe wrote no layout facts"
    facts: dict[str, Any] = json.loads(html.unescape(found.group(1)))

    # The page is laid out at the screen's width; its height does not change the layout (no vh
    # units), and --dump-dom's window is shorter than --screenshot's, so "without scrolling" is
    # read in page coordinates: within the first HEIGHT pixels of the page.
    assert facts["width"] == WIDTH
    assert facts["scrollWidth"] <= WIDTH and facts["openScrollWidth"] <= WIDTH
    assert facts["overall"]["text"] == "FAIL"
    expected: dict[str, str] = {v: str(results["counts"][v]) for v in VERDICTS}
    expected["not run"] = str(len(results["not_run"]))
    assert {c["verdict"]: c["number"] for c in facts["counts"]} == expected
    for element in [facts["overall"], *facts["counts"]]:
        assert 0 <= element["top"] and element["bottom"] <= HEIGHT, element
        assert 0 <= element["left"] and element["right"] <= WIDTH, element

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    SCREENSHOT.unlink(missing_ok=True)
    _browse(chromium, short_run / "report.html", f"--screenshot={SCREENSHOT}")
    assert SCREENSHOT.stat().st_size > 0
    print(f"screenshot: {SCREENSHOT}")


def _run(message: str, device_model: str) -> RunRecord:
    metadata = RunMetadata(
        run_id="r",
        target_url="http://127.0.0.1:1",
        embedded=False,
        profile="gate",
        seed=7,
        suite_version="1",
        schema_version="s",
        device={"ProdFullName": device_model},
        started="2026-01-01T00:00:00+00:00",
        finished="2026-01-01T00:01:05+00:00",
    )
    failed = records.TestRecord("suites/a.py::test_a", "failed", "fail", ["CP-LIST-GET"], {}, 0.1, message)
    passed = records.TestRecord("suites/a.py::test_b", "passed", "pass", ["CP-LIST-GET"], {}, 0.1)
    return RunRecord(metadata, [failed, passed], [])


def test_device_text_reaches_the_page_as_text_never_as_markup() -> None:
    run = _run("Failed: [CP-LIST-GET] got <script>alert(1)</script>", "<img src=x onerror=alert(2)>")
    evidence = {"suites/a.py::test_a": Evidence(transcript="<b>answer</b>", curl=("curl '<i>'",))}
    page = render(build_page(run, evidence, load_ledger(), []))
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>answer" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;b&gt;answer&lt;/b&gt;" in page
    assert "<script" not in page  # the report needs no script at all


def test_the_overall_verdict_is_fail_then_incomplete_then_pass() -> None:
    run = _run("Failed: x", "m")
    assert run.overall() == "FAIL"
    run.tests[0].verdict = "blocked"
    assert run.overall() == "INCOMPLETE"
    run.tests[0].verdict = "not-applicable"
    assert run.overall() == "PASS"
    run.metadata.exit_status = 2  # interrupted
    assert run.overall() == "INCOMPLETE"
    assert RunRecord(run.metadata, [], []).overall() == "INCOMPLETE"


def test_the_reason_is_one_plain_sentence_without_prefixes_tags_or_reprs() -> None:
    message = "Failed: [CP-LIST-GET] [DCA-COLLECTION-ARRAY] the collection is an object\nsent: GET /x"
    assert plain_reason(message) == "the collection is an object"
    assert plain_reason("blocked: needs a viewer") == "needs a viewer"
    assert plain_reason("got <built-in method get of dict object at 0x7f00aa> back") == "got (an internal value) back"
    assert plain_reason("AssertionError: assert 200 == 404") == (
        "A check in the test did not hold; the details show the assertion."
    )
    assert len(plain_reason("x" * 1000)) == 240

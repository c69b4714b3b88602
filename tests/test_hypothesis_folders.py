"""Where a run leaves hypothesis' state: the example database in the run's report folder, the
caches (Unicode tables) in the per-user cache folder, nothing in the working directory."""

from __future__ import annotations

from pathlib import Path

from test_plugin import run_pytest

# A plain @given test (no Generation settings) that draws text, so hypothesis builds its Unicode
# tables, and fails, so it saves the failing example in the database the run's profile names.
FAILING_TEXT = (
    "from hypothesis import given, strategies as st\n\n"
    "@given(st.text(min_size=1))\n"
    "def test_text(value):\n"
    "    assert not value\n"
)


def _env(cache: Path) -> dict[str, str]:
    return {"XDG_CACHE_HOME": str(cache), "HYPOTHESIS_STORAGE_DIRECTORY": ""}  # a user's own wins over both


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_the_example_database_is_in_the_report_folder_and_the_caches_in_the_user_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    result = run_pytest(tmp_path, FAILING_TEXT, "--report-dir", "report", env=_env(cache))
    assert result.returncode == 1, result.stdout + result.stderr
    report_state = tmp_path / "report" / "hypothesis"
    assert _files(report_state / "examples"), "the failing example was not saved under the report folder"
    assert _files(cache / "paircert" / "hypothesis" / "unicode_data")
    assert not (report_state / "unicode_data").exists()
    assert not _files(cache / "paircert" / "hypothesis" / "examples")
    assert not (tmp_path / ".hypothesis").exists()


def test_the_caches_fall_back_to_the_report_folder_when_the_cache_folder_cannot_be_made(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    result = run_pytest(tmp_path, FAILING_TEXT, "--report-dir", "report", env=_env(blocker))
    assert result.returncode == 1, result.stdout + result.stderr
    assert _files(tmp_path / "report" / "hypothesis" / "unicode_data")
    assert _files(tmp_path / "report" / "hypothesis" / "examples")
    assert not (tmp_path / ".hypothesis").exists()

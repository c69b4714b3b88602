"""The type and lint gates, run as project tests so that the README's test command is the CI gate.

The settings live in pyproject.toml (``[tool.mypy]``, ``[tool.ruff]``); these tests only run the
tools on the whole tree and show what they found.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )


def test_the_package_and_the_strategies_type_check_under_mypy_strict() -> None:
    result = _run("mypy")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_ruff_finds_nothing_to_report() -> None:
    result = _run("ruff", "check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout[-6000:]


def test_ruff_format_would_change_nothing() -> None:
    result = _run("ruff", "format", "--no-cache", "--check", ".")
    assert result.returncode == 0, result.stdout[-6000:]

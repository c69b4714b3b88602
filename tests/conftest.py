"""Fixtures every project test module may use, and one check on every run they make.

``peer_port``: a listening socket on 127.0.0.2 (each module's ``PEER_HOST``) that plays a peer's
RTSP port; the kernel completes handshakes, nothing answers.

A test that needs ``paircert emulator`` as a process of its own (the real command line, a device
``paircert run --target`` meets, a restart) starts it with ``emulator_process.running_emulator``.

Every results.json a project test's run writes must follow ``schemas/results/results.json``.

Runs are made in many test modules (``paircert run`` in a subprocess, pytest in-process, records
written directly), always below pytest's temporary folder. After each test the files that appeared
or changed there are read by the one reader ``paircert compare`` uses, so a test whose run wrote a
file the schema refuses errors, naming the file and the schema's complaint.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from paircert.report.compare import ResultsFileError, read_results
from paircert.report.recorder import RESULTS_FILE

PEER_HOST = "127.0.0.2"

_checked: dict[Path, int] = {}


def _written_since_last_look(root: Path) -> list[Path]:
    fresh = []
    for path in root.rglob(RESULTS_FILE):
        stamp = path.stat().st_mtime_ns
        if _checked.get(path) != stamp:
            _checked[path] = stamp
            fresh.append(path)
    return fresh


@pytest.fixture(autouse=True)
def _results_follow_their_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    yield
    problems = []
    for path in _written_since_last_look(tmp_path_factory.getbasetemp()):
        try:
            read_results(path)
        except ResultsFileError as exc:
            problems.append(str(exc))
    if problems:
        pytest.fail("a run wrote a results.json its schema refuses:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture(scope="module")
def peer_port() -> Iterator[int]:
    sock = socket.socket()
    sock.bind((PEER_HOST, 0))
    sock.listen(16)
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()

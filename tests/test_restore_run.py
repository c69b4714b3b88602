"""A device in use, end to end (issue 12): ``paircert run --target`` at ``paircert emulator`` started
as a process of its own, preconfigured over HTTP with a camera pairing whose password the test knows
(at 192.0.2.10, which the emulator never dials: the pairing sits in Error) and an active radar
configuration (192.0.2.11, connect-failed).

Every run must leave both exactly as they were, read back here property by property with the test's
own requests; the only difference allowed is the pairing id, which the device generates on ADD. The
full run leaves out only the streaming suites, whose peers an emulator told nothing about cannot
reach, so the generated suites' random sequences of ADD, SET, REMOVE and radar methods run between
the vacating and the restore; the interrupted runs also leave out the generated suites (``-k "not
gen_"``: their minutes of random cases add nothing to where the interrupt lands).

The interrupt "during the restore" needs the restore to be slow enough to be hit: the test stops the
emulator process (SIGSTOP) once the journal says the restore started, sends the run its second
SIGINT, and lets the emulator go on (SIGCONT) a second later. No hook inside paircert is involved.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
from emulator_process import default_sigint

from paircert.auth import HttpAuth

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
ADMIN_PASSWORD = "Restore-run-admin-6602"
CAMERA_PASSWORD = "Restore-run-camera-7713"
RADAR_PASSWORD = "Restore-run-radar-8824"
SECRETS = (ADMIN_PASSWORD, CAMERA_PASSWORD, RADAR_PASSWORD)
COLLECTION = "/config/rest/camera-pairing/v1beta/camerapairings"
RADAR_CGI = "/axis-cgi/networkradarpairing.cgi"
PAIRING = {
    "address": "192.0.2.10",
    "username": "doorcam",
    "streamingprotocol": "RTSP",
    "verifycertificate": False,
    "description": "front door, in service",
}
RADAR = {"address": "192.0.2.11", "user": "radar-op", "tls": False, "tls-verify": False}
SELECTION = "not gen_ and not stream"
FULL_SELECTION = "not stream"
READY_TIMEOUT = 30.0
WAIT = 120.0


def _environment(**extra: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PAIRCERT_")}
    # A crash shows its traceback in the output the assertions print.
    environment.update(PYTHONPATH=str(REPO), PAIRCERT_PASSWORD=ADMIN_PASSWORD, PAIRCERT_TRACEBACK="1", **extra)
    return environment


def _lines(stream: IO[str], into: queue.Queue[str]) -> None:
    for line in stream:
        into.put(line)


@dataclass
class Emulator:
    url: str
    process: subprocess.Popen[str]
    """The test stops it (SIGSTOP) to slow a restore down, and kills it to lose the device."""

    def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        body: dict[str, Any] = {"apiVersion": "1.0", "method": method}
        if params is not None:
            body["params"] = params
        with httpx.Client(base_url=self.url, auth=HttpAuth("root", ADMIN_PASSWORD), timeout=10) as client:
            return client.post(RADAR_CGI, json=body).json()

    def held(self) -> tuple[list[dict[str, Any]], dict[str, Any], Any]:
        """The pairings as listed, getRadarConnection's data and getActive's, read by the test itself."""
        with httpx.Client(base_url=self.url, auth=HttpAuth("root", ADMIN_PASSWORD), timeout=10) as client:
            pairings = client.get(COLLECTION).json()["data"]
        return pairings, self.call("getRadarConnection")["data"], self.call("getActive").get("data")


def _start(state_dir: Path, peer_port: int, cwd: Path) -> Emulator:
    """``paircert emulator`` keeping its state in ``state_dir``, on free ports."""
    command = [sys.executable, "-m", "paircert", "emulator", "--state-dir", str(state_dir)]
    command += ["--user", f"root:{ADMIN_PASSWORD}:admin"]
    for flag in ("--peer-rtsp-port", "--peer-rtsps-port", "--peer-http-port", "--peer-https-port"):
        command += [flag, str(peer_port)]  # nothing the suite pairs with dials this machine's real ports
    process = subprocess.Popen(
        command, cwd=cwd, env=_environment(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_lines, args=(process.stdout, lines), daemon=True).start()
    device = Emulator("", process)
    try:
        while not device.url:
            line = lines.get(timeout=READY_TIMEOUT)
            if line.strip().startswith("http:"):
                device.url = line.split(None, 1)[1].strip()
    except BaseException:
        _stop(device)
        raise
    return device


def _stop(device: Emulator) -> None:
    device.process.send_signal(signal.SIGCONT)
    device.process.terminate()
    try:
        device.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        device.process.kill()
        device.process.wait(timeout=10)
    if device.process.stdout is not None:
        device.process.stdout.close()


@pytest.fixture
def emulator(tmp_path: Path, peer_port: int) -> Iterator[Emulator]:
    """``paircert emulator`` with its own state folder, holding a pairing and an active radar configuration."""
    device = _start(tmp_path / "state", peer_port, tmp_path)
    try:
        with httpx.Client(base_url=device.url, auth=HttpAuth("root", ADMIN_PASSWORD), timeout=10) as client:
            added = client.post(COLLECTION, json={"data": {**PAIRING, "password": CAMERA_PASSWORD}})
            assert added.status_code in (200, 201), added.text
        assert "data" in device.call("setRadarConnection", {**RADAR, "password": RADAR_PASSWORD})
        assert "data" in device.call("setActive", {"active": True})
        _settled(device)
        yield device
    finally:
        _stop(device)


def _settled(device: Emulator) -> tuple[list[dict[str, Any]], dict[str, Any], Any]:
    """The device's state once the link has given up on the unreachable addresses (Error, connect-failed)."""
    deadline = time.monotonic() + 15
    while True:
        pairings, radar, active = device.held()
        if all(p["status"] == "Error" for p in pairings) and radar["state"] == "connect-failed":
            return pairings, radar, active
        assert time.monotonic() < deadline, (pairings, radar)
        time.sleep(0.1)


def _as_it_was(device: Emulator, before: tuple[list[dict[str, Any]], dict[str, Any], Any], output: str) -> str:
    """Compare every property; the pairing's id may differ (generated on ADD). Returns the id now.
    ``output`` is what the run said, for the failure message."""
    pairings, radar, active = _settled(device)
    (old,) = before[0]
    assert len(pairings) == 1, (pairings, output[-4000:])
    (new,) = pairings
    assert {k: v for k, v in new.items() if k != "id"} == {k: v for k, v in old.items() if k != "id"}, output[-4000:]
    assert radar == before[1], output[-4000:]
    assert active == before[2] == {"active": True}, output[-4000:]
    return str(new["id"])


def _spawn(tmp_path: Path, device: Emulator, *options: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "paircert", "run", "--target", device.url, "--report-dir", str(tmp_path / "out")]
    return subprocess.Popen(
        [*command, *options],
        cwd=tmp_path,
        env=_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
    )


DESTRUCTIVE = ("--allow-destructive", "--restore-password", CAMERA_PASSWORD, "--restore-radar-password", RADAR_PASSWORD)


def _journal_file(tmp_path: Path) -> Path | None:
    found = list((tmp_path / "out").glob("*/restore-journal.json"))
    return found[0] if found else None


def _steps(tmp_path: Path) -> list[str]:
    path = _journal_file(tmp_path)
    if path is None:
        return []
    try:
        return [step["step"] for step in json.loads(path.read_text(encoding="utf-8"))["steps"]]
    except ValueError:  # os.replace makes this impossible; kept so a failure says so rather than crashing
        pytest.fail(f"{path} was read half-written")


def _until(condition: Callable[[], bool], what: str, run: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert run.poll() is None, f"the run ended before {what}"
        assert time.monotonic() < deadline, f"no {what} within {WAIT} s"
        time.sleep(0.01)


def _results(tmp_path: Path) -> dict[str, Any]:
    (path,) = (tmp_path / "out").glob("*/results.json")
    return dict(json.loads(path.read_text(encoding="utf-8")))


PASSWORDS = {"PAIRCERT_RESTORE_PASSWORD": CAMERA_PASSWORD, "PAIRCERT_RESTORE_RADAR_PASSWORD": RADAR_PASSWORD}


def _restore(tmp_path: Path, journal: Path, env: dict[str, str], *options: str) -> subprocess.CompletedProcess[str]:
    """``paircert restore --journal`` as an operator runs it after a run that could not restore."""
    return subprocess.run(
        [sys.executable, "-m", "paircert", "restore", "--journal", str(journal), *options],
        cwd=tmp_path,
        env=_environment(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _no_secret_in(tmp_path: Path, *texts: str) -> None:
    for path in (tmp_path / "out").rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert not any(secret.encode() in content for secret in SECRETS), path
    assert not any(secret in text for secret in SECRETS for text in texts)


def test_a_full_run_leaves_the_pairing_and_the_radar_as_they_were(tmp_path: Path, emulator: Emulator) -> None:
    before = _settled(emulator)
    run = _spawn(tmp_path, emulator, "--profile", "full", "-k", FULL_SELECTION, *DESTRUCTIVE)
    stdout, stderr = run.communicate(timeout=600)
    assert run.returncode == 0, (stdout + stderr)[-4000:]
    first = stdout.splitlines()[0]
    assert first.startswith(f"paircert: the device has camera pairing {before[0][0]['id']} (address 192.0.2.10) and")
    assert "removed for the run, put back after it (journal " in first
    new_id = _as_it_was(emulator, before, stdout + stderr)
    assert new_id != before[0][0]["id"]
    document = _results(tmp_path)
    assert document["restore"]["verified"] is True
    assert document["restore"]["id_changes"] == [{"before": before[0][0]["id"], "after": new_id}]
    assert document["restore"]["differences"] == []
    judged = [t for t in document["tests"] if t["verdict"] in ("pass", "fail")]
    assert len(judged) > 150 and not [t["nodeid"] for t in judged if t["verdict"] == "fail"]
    assert not [t for t in document["tests"] if "already has" in (t["message"] or "")]
    assert "paircert: restore: verified: the device holds what it held before the run" in stdout
    _no_secret_in(tmp_path, stdout, stderr)


def _interrupt_before_vacating(run: subprocess.Popen[str], tmp_path: Path, device: Emulator) -> None:
    # Still importing: a quiet machine reaches the vacating step within two seconds of the start.
    time.sleep(0.3)
    assert _journal_file(tmp_path) is None
    run.send_signal(signal.SIGINT)


def _interrupt_mid_run(run: subprocess.Popen[str], tmp_path: Path, device: Emulator) -> None:
    _until(lambda: "vacated-radar" in _steps(tmp_path), "vacated device", run)
    time.sleep(1.0)
    run.send_signal(signal.SIGINT)


def _interrupt_during_the_restore(run: subprocess.Popen[str], tmp_path: Path, device: Emulator) -> None:
    _interrupt_mid_run(run, tmp_path, device)
    _until(lambda: "restore-started" in _steps(tmp_path), "restore", run)
    device.process.send_signal(signal.SIGSTOP)  # a device slow to answer: the restore waits on it
    try:
        assert "verified" not in _steps(tmp_path), "the restore ended before the test could interrupt it"
        run.send_signal(signal.SIGINT)
        time.sleep(1.0)
    finally:
        device.process.send_signal(signal.SIGCONT)


@pytest.mark.parametrize(
    "interrupt",
    [_interrupt_before_vacating, _interrupt_mid_run, _interrupt_during_the_restore],
    ids=["before-vacating", "mid-run", "during-the-restore"],
)
def test_a_run_interrupted_with_sigint_leaves_the_device_as_it_was(
    tmp_path: Path, emulator: Emulator, interrupt: Callable[[subprocess.Popen[str], Path, Emulator], None]
) -> None:
    before = _settled(emulator)
    run = _spawn(tmp_path, emulator, "--profile", "gate", "-k", SELECTION, *DESTRUCTIVE)
    try:
        interrupt(run, tmp_path, emulator)
        stdout, stderr = run.communicate(timeout=120)
    finally:
        if run.poll() is None:
            run.kill()
            run.communicate()
    output = stdout + stderr
    new_id = _as_it_was(emulator, before, output)
    if interrupt is _interrupt_before_vacating:
        assert new_id == before[0][0]["id"], "a run interrupted before vacating must not touch the pairing"
        assert _journal_file(tmp_path) is None
    else:
        assert run.returncode == 2, output[-4000:]  # pytest's "interrupted": the restore verified
        assert _results(tmp_path)["restore"]["verified"] is True
        assert "paircert: restore: verified" in stdout
        assert _steps(tmp_path)[-1] == "verified"
    if interrupt is _interrupt_during_the_restore:
        assert "paircert: SIGINT held: restoring the device runs to its end first" in stderr
        assert _steps(tmp_path).count("restored-camera") == 1
    _no_secret_in(tmp_path, stdout, stderr)


def test_a_run_killed_after_vacating_is_put_back_by_paircert_restore(tmp_path: Path, emulator: Emulator) -> None:
    before = _settled(emulator)
    run = _spawn(tmp_path, emulator, "--profile", "gate", "-k", SELECTION, *DESTRUCTIVE)
    try:
        _until(lambda: "vacated-radar" in _steps(tmp_path), "vacated device", run)
        time.sleep(1.0)
        run.send_signal(signal.SIGKILL)
    finally:
        run.communicate(timeout=30)
    journal = _journal_file(tmp_path)
    assert journal is not None and "restore-started" not in _steps(tmp_path)
    restored = _restore(tmp_path, journal, PASSWORDS)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "paircert: restore: verified" in restored.stdout
    assert _as_it_was(emulator, before, restored.stdout + restored.stderr) != before[0][0]["id"]
    again = _restore(tmp_path, journal, {})
    assert again.returncode == 0, again.stdout + again.stderr  # nothing left to do: no password needed
    assert _steps(tmp_path).count("restored-camera") == 1
    _no_secret_in(tmp_path, restored.stdout, restored.stderr)


def test_a_device_lost_before_the_restore_fails_it_with_exit_6_and_paircert_restore_finishes_later(
    tmp_path: Path, emulator: Emulator, peer_port: int
) -> None:
    """The device goes away mid-run (its process is killed): the restore tries a bounded number of
    times, does not verify, and the run exits 6 with the journal kept; once the device is back (the
    same state, another port), ``paircert restore --journal FILE --target URL`` puts it back."""
    before = _settled(emulator)
    run = _spawn(tmp_path, emulator, "--profile", "gate", "-k", SELECTION, "--retries", "0", *DESTRUCTIVE)
    try:
        _until(lambda: "vacated-radar" in _steps(tmp_path), "vacated device", run)
        emulator.process.kill()
        emulator.process.wait(timeout=10)
        stdout, stderr = run.communicate(timeout=300)
    finally:
        if run.poll() is None:
            run.kill()
            run.communicate()
    assert run.returncode == 6, (stdout + stderr)[-4000:]
    assert "paircert: restore: NOT VERIFIED: " in stdout and "did not answer in 4 attempts" in stdout
    restore = _results(tmp_path)["restore"]
    assert restore["verified"] is False and "did not answer" in restore["error"]
    assert _steps(tmp_path)[-1] == "not-verified"
    journal = _journal_file(tmp_path)
    assert journal is not None
    back = _start(tmp_path / "state", peer_port, tmp_path)
    try:
        restored = _restore(tmp_path, journal, PASSWORDS, "--target", back.url)
        assert restored.returncode == 0, restored.stdout + restored.stderr
        assert _as_it_was(back, before, restored.stdout + restored.stderr) != before[0][0]["id"]
    finally:
        _stop(back)
    _no_secret_in(tmp_path, stdout, stderr, restored.stdout, restored.stderr)


def test_without_the_options_the_first_line_says_what_exists_and_the_tests_stay_blocked(
    tmp_path: Path, emulator: Emulator
) -> None:
    before = _settled(emulator)
    run = _spawn(tmp_path, emulator, "--profile", "gate", "-k", "test_cp_add_remove or test_rp_lifecycle")
    stdout, stderr = run.communicate(timeout=300)
    pairing_id = before[0][0]["id"]
    assert stdout.splitlines()[0] == (
        f"paircert: the device already has camera pairing {pairing_id} (address 192.0.2.10) and an active radar "
        "configuration (address 192.0.2.11); the tests that need an empty device are blocked: give "
        "--allow-destructive with --restore-password and --restore-radar-password to run them and restore it "
        "afterwards"
    ), (stdout + stderr)[-3000:]
    document = _results(tmp_path)
    blocked = [t for t in document["tests"] if t["verdict"] == "blocked"]
    assert len(blocked) > 10
    assert all("already has" in t["message"] and "--allow-destructive" in t["message"] for t in blocked)
    assert "restore" not in document and _journal_file(tmp_path) is None
    first = stdout.splitlines()[0]
    assert document["device_in_use"] == {
        "line": first,
        "camera_pairings": [{"id": pairing_id, "address": "192.0.2.10"}],
        "radar": {"address": "192.0.2.11", "active": True},
        "missing_options": ["--allow-destructive", "--restore-password", "--restore-radar-password"],
    }
    (page,) = (tmp_path / "out").glob("*/report.html")
    shown = page.read_text(encoding="utf-8")
    assert 'data-restore="not-vacated"' in shown and first.removeprefix("paircert: ") in shown
    _no_secret_in(tmp_path, stdout, stderr)
    assert _as_it_was(emulator, before, stdout + stderr) == pairing_id

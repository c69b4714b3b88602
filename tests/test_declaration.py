"""Declaration of conformance: the claims file, the declaration a certification run writes, verify.

One short certification run (``-k`` keeps it to discovery and the camera pairing read tests; the
profile's budgets multiply generated tests only, and none is selected) against the embedded
emulator with one seeded fault, so a requirement fails and a waiver has something to excuse. Its
run folder is copied before each edit, so every test sees the files as the run wrote them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from paircert import schemas
from paircert.cli import main
from paircert.declaration.build import Discovered, Inputs, build_declaration
from paircert.declaration.claims import Claims, ClaimsError, Waiver, load_claims
from paircert.declaration.render import render_declaration
from paircert.declaration.write import DECLARATION_SCHEMA
from paircert.ledger import load_ledger
from paircert.plugin.options import RunConfigError, read_run_config

REPO = Path(__file__).resolve().parents[1]
FAULT = "root-get-refused"  # breaks CP-ROOT-GET, which tests/suites' test_cp_read checks
CLAIMS = """\
version = 1

[device]
model = "PAIRCERT-EMU"
firmware = "0.1.0"

[claims]
apis = ["camera-pairing", "radar-pairing"]
radar_revision = "2026-01"
set_method = "PATCH"
streaming_protocols = ["RTSP", "SRTSP"]

[[waiver]]
requirement = "CP-ROOT-GET"
reason = "an old waiver, lapsed"
firmware_min = "0.1"
firmware_max = "0.1.99"
expires = 2020-01-01

[[waiver]]
requirement = "CP-ROOT-GET"
reason = "the root GET is refused on 0.1.x; fixed in 0.2"
firmware_min = "0.1"
firmware_max = "0.1.99"
expires = 2099-12-31

[[waiver]]
requirement = "CP-LIST-GET"
reason = "granted for another release line"
firmware_min = "11.0"
firmware_max = "11.11.99"
expires = 2099-12-31
"""


def _write(tmp_path: Path, text: str, name: str = "claims.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the claims file ------------------------------------------------------------------------------


def test_a_claims_file_reads_into_frozen_records(tmp_path: Path) -> None:
    claims = load_claims(_write(tmp_path, CLAIMS))
    assert claims.apis == ("camera-pairing", "radar-pairing")
    assert (claims.radar_revision, claims.set_method, claims.streaming_protocols) == (
        "2026-01",
        "PATCH",
        ("RTSP", "SRTSP"),
    )
    assert (claims.model, claims.firmware) == ("PAIRCERT-EMU", "0.1.0")
    assert claims.waivers[1] == Waiver(
        "CP-ROOT-GET", "the root GET is refused on 0.1.x; fixed in 0.2", "0.1", "0.1.99", dt.date(2099, 12, 31)
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        claims.apis = ()  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("version = 1\n[claims]\napis = ['camera-pairing']\nvendor = 'x'\n", "Additional properties"),
        ("version = 1\n[claims]\napis = ['ptz']\n", "claims.apis[0]: 'ptz' is not one of"),
        ("version = 2\n[claims]\napis = []\n", "version: 1 was expected"),
        ("[claims]\napis = []\n", "'version' is a required property"),
        ("version = 1\n[claims\n", "not TOML"),
        (
            "version = 1\n[claims]\napis = []\n[[waiver]]\nrequirement = 'CP-NO-SUCH'\nreason = 'r'\n"
            "firmware_min = '1'\nfirmware_max = '2'\nexpires = 2030-01-01\n",
            "CP-NO-SUCH is not a documented requirement of the ledger",
        ),
        (
            "version = 1\n[claims]\napis = []\n[[waiver]]\nrequirement = 'CP-ROOT-GET'\nreason = 'r'\n"
            "firmware_min = '12.0'\nfirmware_max = '11.9'\nexpires = 2030-01-01\n",
            "firmware_min 12.0 is above firmware_max 11.9",
        ),
        (
            "version = 1\n[claims]\napis = []\n[[waiver]]\nrequirement = 'CP-ROOT-GET'\nreason = 'r'\n"
            "firmware_min = '1'\nfirmware_max = '2'\nexpires = 'soon'\n",
            "waiver[0].expires: 'soon' is not a 'date'",
        ),
    ],
)
def test_a_wrong_claims_file_is_one_line_naming_the_file(tmp_path: Path, text: str, says: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ClaimsError) as caught:
        load_claims(path)
    message = str(caught.value)
    assert says in message and message.startswith(str(path)) and "\n" not in message


def test_a_missing_claims_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ClaimsError, match=r"cannot read"):
        load_claims(tmp_path / "absent.toml")


@pytest.mark.parametrize(
    ("firmware", "today", "standing"),
    [
        ("11.5.2", dt.date(2027, 6, 30), "applies"),  # the last day still applies
        ("11.0", dt.date(2026, 1, 1), "applies"),  # both ends of the range are inside
        ("11.11.99", dt.date(2026, 1, 1), "applies"),
        ("11.11.99 LTS", dt.date(2026, 1, 1), "applies"),
        ("11.5.2", dt.date(2027, 7, 1), "expired"),
        ("12.0.0", dt.date(2026, 1, 1), "outside-firmware-range"),
        ("10.12.240", dt.date(2026, 1, 1), "outside-firmware-range"),
        ("unknown", dt.date(2026, 1, 1), "firmware-unknown"),
        (None, dt.date(2026, 1, 1), "firmware-unknown"),
    ],
)
def test_a_waiver_applies_only_before_it_expires_and_inside_its_firmware_range(
    firmware: str | None, today: dt.date, standing: str
) -> None:
    waiver = Waiver("CP-ROOT-GET", "reason", "11.0", "11.11.99", dt.date(2027, 6, 30))
    assert waiver.standing(firmware, today) == standing


def test_claims_need_the_certification_profile_and_a_wrong_file_is_a_usage_line(tmp_path: Path) -> None:
    good, bad = _write(tmp_path, CLAIMS), _write(tmp_path, "version = 1\n", "bad.toml")
    values: dict[str, Any] = {"paircert_claims": str(good), "paircert_profile": "full"}
    with pytest.raises(RunConfigError, match=r"^--claims: .*--profile certification$"):
        read_run_config(values, {})
    with pytest.raises(RunConfigError, match=r"^--claims: .*bad.toml: \(root\): 'claims' is a required property$"):
        read_run_config({"paircert_claims": str(bad), "paircert_profile": "certification"}, {})
    config = read_run_config({"paircert_claims": str(good), "paircert_profile": "certification"}, {})
    assert config.claims == load_claims(good) and config.claims_file == good.resolve()


# --- the declaration, built from synthetic results ------------------------------------------------


def _results(verdicts: dict[str, str]) -> dict[str, Any]:
    return {
        "run": {
            "run_id": "r1",
            "target_url": "http://192.0.2.10",
            "embedded": False,
            "profile": "certification",
            "seed": 1,
            "suite_version": "0.1.0",
            "schema_version": "s",
            "device": {"ProdNbr": "<script>Q1656</script>", "Version": "11.5.2"},
        },
        "tests": [],
        "requirements": {rid: {"verdict": verdict, "tests": ["t"]} for rid, verdict in verdicts.items()},
        "unexercised_requirements": [],
    }


def _declaration(claims: Claims | None, discovered: Discovered, verdicts: dict[str, str]) -> dict[str, Any]:
    return build_declaration(
        Inputs(
            results=_results(verdicts),
            ledger=load_ledger(),
            ledger_version=1,
            claims=claims,
            discovered=discovered,
            set_method="PATCH",
            issued="2026-06-01T00:00:00Z",
            hashes={"algorithm": "sha256", "artifacts": {}, "ledger": {}, "schemas": {}},
        )
    )


def test_a_claimed_api_the_device_does_not_offer_is_a_finding() -> None:
    claims = Claims(apis=("camera-pairing", "radar-pairing"))
    discovered = Discovered({"camera-pairing": True, "radar-pairing": False}, None, {"radar-pairing": "no CGI"})
    declaration = _declaration(claims, discovered, {})
    assert declaration["findings"] == ["api radar-pairing: claimed supported, discovered not supported (no CGI)"]
    assert declaration["verdict"] == "not conformant"


def test_without_claims_nothing_is_claimed_and_every_discovered_capability_is_listed() -> None:
    discovered = Discovered({"camera-pairing": True, "radar-pairing": False}, None, {})
    declaration = _declaration(None, discovered, {})
    rows = {row["capability"]: row for row in declaration["capabilities"]}
    assert declaration["claims"] is None and declaration["findings"] == []
    assert rows["api camera-pairing"]["discovered"] is True and rows["api camera-pairing"]["status"] == "not claimed"
    assert rows["device firmware"]["discovered"] == "11.5.2"


def test_only_a_standing_waiver_turns_a_failure_into_waived() -> None:
    waivers = (
        Waiver("CP-ROOT-GET", "lapsed", "11.0", "11.11.99", dt.date(2026, 5, 31)),
        Waiver("CP-LIST-GET", "granted", "11.0", "11.11.99", dt.date(2026, 6, 1)),
    )
    declaration = _declaration(
        Claims(apis=("camera-pairing",), waivers=waivers), Discovered(), {"CP-ROOT-GET": "fail", "CP-LIST-GET": "fail"}
    )
    by_id = {row["id"]: row for row in declaration["requirements"]}
    assert (by_id["CP-ROOT-GET"]["verdict"], by_id["CP-LIST-GET"]["verdict"]) == ("fail", "waived")
    assert by_id["CP-LIST-GET"]["run_verdict"] == "fail" and by_id["CP-LIST-GET"]["waiver"] == 1
    assert [w["standing"] for w in declaration["waivers"]] == ["expired", "applies"]
    assert declaration["waivers"][0]["note"] == "expired: does not apply; CP-ROOT-GET stays fail"
    assert declaration["counts"]["waived"] == 1 and declaration["verdict"] == "not conformant"


def test_the_page_escapes_what_the_device_says() -> None:
    declaration = {**_declaration(None, Discovered(), {}), "content_sha256": "0" * 64}
    page = render_declaration(declaration)
    assert "&lt;script&gt;Q1656&lt;/script&gt;" in page and "<script>" not in page


# --- one certification run ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certified(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run folder of a short certification run with claims and one seeded fault."""
    work = tmp_path_factory.mktemp("certification")
    claims = _write(work, CLAIMS)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PAIRCERT_")}
    result = subprocess.run(
        [sys.executable, "-m", "paircert", "run", "--report-dir", "out", "--profile", "certification"]
        + ["--claims", str(claims), "--emulator-fault", FAULT, "-k", "test_disc or test_cp_read"],
        cwd=work,
        env={**environment, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    (run_dir,) = (work / "out").iterdir()
    assert result.returncode == 1, result.stdout + result.stderr  # the seeded fault fails CP-ROOT-GET
    assert f"paircert: declaration: {run_dir / 'declaration.json'}" in result.stdout
    return run_dir


def _copy(run_dir: Path, tmp_path: Path) -> Path:
    copy = tmp_path / run_dir.name
    shutil.copytree(run_dir, copy)
    return copy / "declaration.json"


def _verify(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["verify", str(path)])
    return code, capsys.readouterr().out.splitlines()


def test_a_certification_run_declares_against_its_schema_and_hashes_every_artifact(certified: Path) -> None:
    declaration = json.loads((certified / "declaration.json").read_text(encoding="utf-8"))
    assert schemas.validate(DECLARATION_SCHEMA, declaration) == []
    assert declaration["run"]["profile"] == "certification"
    assert set(declaration["hashes"]["artifacts"]) == {
        "claims.toml",
        "junit.xml",
        "report.html",
        "results.json",
        "suite-strength.toml",
    }
    assert "claims/claims.json" in declaration["hashes"]["schemas"]
    assert list(declaration["hashes"]["ledger"]) == ["requirements.toml"]
    by_id = {row["id"]: row for row in declaration["requirements"]}
    assert (by_id["CP-ROOT-GET"]["run_verdict"], by_id["CP-ROOT-GET"]["verdict"]) == ("fail", "waived")
    assert [w["standing"] for w in declaration["waivers"]] == ["expired", "applies", "outside-firmware-range"]
    assert declaration["waivers"][1]["used"] and not declaration["waivers"][0]["used"]
    assert declaration["device"]["model"] == "PAIRCERT-EMU"
    assert "Declaration of conformance" in (certified / "declaration.html").read_text(encoding="utf-8")


def test_a_claimed_revision_the_device_does_not_follow_is_a_finding(certified: Path) -> None:
    declaration = json.loads((certified / "declaration.json").read_text(encoding="utf-8"))
    assert declaration["discovered"]["apis"] == {"camera-pairing": True, "radar-pairing": True}
    assert declaration["findings"] == [
        "radar revision: claimed 2026-01, discovered 2025-08 (getRadarConnection carries tls/tls-verify (2025-08))"
    ]
    assert declaration["verdict"] == "not conformant"


def test_verify_passes_an_untouched_declaration(
    certified: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _copy(certified, tmp_path)
    code, lines = _verify(path, capsys)
    assert code == 0 and lines == [f"{path}: untouched (10 checks; 0 not possible here)"]


def test_verify_names_a_single_edited_verdict(
    certified: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _copy(certified, tmp_path)
    declaration = json.loads(path.read_text(encoding="utf-8"))
    edited = next(row for row in declaration["requirements"] if row["id"] == "CP-LIST-GET")
    assert edited["verdict"] == "pass"
    edited["verdict"] = "fail"
    path.write_text(json.dumps(declaration, indent=2), encoding="utf-8")
    code, lines = _verify(path, capsys)
    assert code == 1
    assert lines == [
        "edited: content_sha256 does not match the declaration's content",
        "edited: declaration.html is not the rendering of declaration.json",
        "edited: requirements[CP-LIST-GET].verdict: the declaration says 'fail', the run's files give 'pass'",
        f"{path}: 3 difference(s)",
    ]


def test_verify_names_an_edited_artifact(certified: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _copy(certified, tmp_path)
    junit = path.parent / "junit.xml"
    original = junit.read_text(encoding="utf-8")
    edited = re.sub(r'failures="[1-9][0-9]*"', 'failures="0"', original, count=1)
    assert edited != original
    junit.write_text(edited, encoding="utf-8")
    code, lines = _verify(path, capsys)
    assert code == 1
    assert lines == ["edited: artifact junit.xml: sha256 differs from the declaration's", f"{path}: 1 difference(s)"]


def test_verify_of_a_declaration_alone_checks_its_content_and_says_what_it_could_not(
    certified: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    alone = tmp_path / "declaration.json"
    shutil.copyfile(certified / "declaration.json", alone)
    assert main(["verify", "-v", str(alone)]) == 0
    out = capsys.readouterr().out
    assert "compared: content hash" in out and "not compared: artifact results.json (not beside the declaration)" in out
    assert "not compared: the rebuild from results.json (absent or edited)" in out

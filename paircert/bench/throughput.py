"""Generated-case throughput of the suite's schemathesis tests against a bare ``schemathesis run``.

Both run in the same invocation against the same embedded emulator and the same OpenAPI file
(``schemas/openapi/camera-pairing.openapi.json``), fuzzing phase only, with the same example budget
per operation. The suite side is ``suites/generated/test_gen_camera_schema.py`` run by pytest with
``--target``; its examples and seconds come from ``results.json`` (the plugin counts them). The CLI
cannot speak Digest (PROTOCOL-NOTES §5), so it uses the emulator's HTTPS port, where the emulator
asks for Basic; its case count comes from its JSON report. This measures and reports; it is not a test.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from paircert.resources import data_dir

__all__ = ["Result", "compare"]

SUITE_TEST = "generated/test_gen_camera_schema.py"


@dataclass(frozen=True)
class Result:
    name: str
    cases: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.cases / self.seconds if self.seconds > 0 else 0.0


def _suite(url: str, password: str, workdir: Path, seed: int) -> Result:
    suites = data_dir("suites")
    ini = Path(__file__).resolve().parents[1] / "plugin" / "suite.ini"
    report = workdir / "suite"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAIRCERT_")}
    env["PAIRCERT_PASSWORD"] = password
    argv = [
        sys.executable,
        "-m",
        "pytest",
        str(suites / SUITE_TEST),
        "-c",
        str(ini),
        "--rootdir",
        str(suites.parent),
        "--confcutdir",
        str(suites),
        "--import-mode=importlib",
        "-p",
        "no:cacheprovider",
        "-p",
        "paircert.plugin",
        "-q",
        "--target",
        url,
        "--user",
        "root",
        "--profile",
        "gate",
        "--seed",
        str(seed),
        "--report-dir",
        str(report),
    ]
    subprocess.run(argv, cwd=workdir, env=env, capture_output=True, text=True, timeout=900, check=False)
    generated = json.loads((report / "results.json").read_text())["coverage"]["generated"]
    entry = next(v for k, v in generated.items() if SUITE_TEST in k)
    return Result("paircert suite (pytest, Digest, checks + auth probes)", entry["examples"], entry["seconds"])


def _cli(url: str, password: str, ca_file: str, workdir: Path, max_examples: int, seed: int) -> Result:
    openapi = data_dir("schemas") / "openapi" / "camera-pairing.openapi.json"
    argv = [
        "schemathesis",
        "run",
        str(openapi),
        "--url",
        url,
        "--auth",
        f"root:{password}",
        "--tls-verify",
        ca_file,
        "--phases",
        "examples,fuzzing",
        "--max-examples",
        str(max_examples),
        "--seed",
        str(seed),
        "--generation-database",
        "none",
        "--no-color",
    ]
    started = time.perf_counter()
    proc = subprocess.run(argv, cwd=workdir, capture_output=True, text=True, timeout=900, check=False)
    seconds = time.perf_counter() - started
    match = re.search(r"(\d+) generated", proc.stdout)  # the summary: "Test cases: 132 generated, ..."
    cases = int(match.group(1)) if match else 0
    return Result("bare schemathesis CLI (Basic over HTTPS, default checks)", cases, seconds)


def compare(*, seed: int = 20261122) -> tuple[Result, Result]:
    from paircert.emulator.config import EmulatorConfig, User
    from paircert.emulator.embedded import EmbeddedEmulator
    from paircert.plugin.generation import BUDGETS

    password = secrets.token_urlsafe(18)
    with tempfile.TemporaryDirectory(prefix="paircert-bench-") as tmp:
        workdir = Path(tmp)
        config = EmulatorConfig(state_dir=workdir / "state", users=[User("root", password, "admin")])
        with EmbeddedEmulator(config) as emulator:
            suite = _suite(emulator.http_url, password, workdir, seed)
            cli = _cli(
                emulator.https_url, password, str(emulator.ca_file), workdir, BUDGETS["gate"].operation_examples, seed
            )
    return suite, cli

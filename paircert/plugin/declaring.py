"""The end of a certification run: ask the device what it offers, then write the declaration.

The probe is read-only (``/config/discover``, the radar CGI's ``getSupportedVersions`` and
``getRadarConnection``) and runs once, after the last test, so what it learns does not depend on
which tests ``-k`` kept. It runs in ``pytest_terminal_summary``: by then results.json, junit.xml
and report.html are written (each in ``pytest_sessionfinish``) and the target is still up (it is
stopped in ``pytest_unconfigure``), so the declaration can hash every artifact of the run.
"""

from __future__ import annotations

import pytest

from paircert.clients.discovery import DiscoveryClient
from paircert.clients.radar import RadarClient
from paircert.declaration.build import Discovered
from paircert.declaration.write import RESULTS_JSON, write_declaration
from paircert.plugin.session import SessionState

__all__ = ["DECLARATION_PLUGIN", "Declaring", "discover", "register_declaring"]

DECLARATION_PLUGIN = "paircert-declaration"
CAMERA_PAIRING_ID = "camera-pairing"
"""The camera pairing API's id in ``/config/discover``."""


def _radar_revision(radar: RadarClient) -> tuple[str | None, str]:
    resp = radar.get_radar_connection()
    data = resp.data if resp.ok and isinstance(resp.data, dict) else {}
    if "tls-certificate-cn" in data:
        return "2026-01", "getRadarConnection carries tls-certificate-cn (2026-01)"
    if "tls" in data or "tls-verify" in data:
        return "2025-08", "getRadarConnection carries tls/tls-verify (2025-08)"
    return None, f"getRadarConnection answered HTTP {resp.status_code} without the TLS fields of either revision"


def _unknown(why: str) -> Discovered:
    return Discovered(
        {"camera-pairing": None, "radar-pairing": None},
        None,
        {"camera-pairing": why, "radar-pairing": why, "radar_revision": why},
    )


def discover(state: SessionState) -> Discovered:
    """What the device offers, asked as the admin; unknown (None) where the run cannot ask."""
    client = state.identities.client("admin") if state.target.config is not None else None
    if client is None:
        return _unknown("the run never contacted the device")
    try:
        camera = DiscoveryClient(client, state.transcript).offers_dca_api(CAMERA_PAIRING_ID)
        radar = RadarClient(client, state.transcript)
        path = radar.probe()
        revision, why = _radar_revision(radar) if path is not None else (None, "no radar CGI to ask")
    except Exception as exc:  # a device that breaks off the probe leaves the capabilities unknown
        return _unknown(state.report.scrub(f"the end-of-run probe failed: {type(exc).__name__}: {exc}"))
    evidence = {
        "camera-pairing": f"/config/discover {'lists' if camera else 'does not list'} {CAMERA_PAIRING_ID}",
        "radar-pairing": f"the radar CGI answers at {path}" if path else "the radar CGI answers at no known path",
        "radar_revision": why,
    }
    return Discovered({"camera-pairing": camera, "radar-pairing": path is not None}, revision, evidence)


class Declaring:
    """Writes declaration.json and declaration.html into the run folder of a certification run."""

    def __init__(self, state: SessionState) -> None:
        self._state = state

    @pytest.hookimpl(trylast=True)
    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        run = self._state.run
        if run.report_dir is None or not (run.report_dir / RESULTS_JSON).is_file():
            return
        try:
            path = write_declaration(
                run.report_dir,
                claims=run.claims,
                claims_file=run.claims_file,
                discovered=discover(self._state),
                set_method=run.set_method,
            )
        except (OSError, ValueError) as exc:
            terminalreporter.write_line(f"paircert: error: the declaration was not written: {exc}", red=True)
            return
        terminalreporter.write_line(f"paircert: declaration: {path}")


def register_declaring(config: pytest.Config, state: SessionState) -> None:
    """A certification run ends with a declaration; other profiles write none."""
    if state.run.profile == "certification" and not config.pluginmanager.has_plugin(DECLARATION_PLUGIN):
        config.pluginmanager.register(Declaring(state), DECLARATION_PLUGIN)

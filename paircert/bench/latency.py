"""``paircert bench latency``: what the device adds to the peer camera's stream, on one clock.

The target is paired with the hosted peer camera. The suite then reads the same frames twice at
once: directly from the peer, and from the device's re-serve. A frame is known on both paths by
its capture time (the ONVIF replay extension), so the device's added latency is measured per
frame, as the difference of the two arrivals, besides each path's own latency from capture.
Then the peer's delay fault calibrates the measurement, and the peer goes down and up again to
time the reconnection.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paircert.plugin.peering import HostedPeer

from . import plots
from .calibration import DEFAULT_DELAY_MS, DEFAULT_TOLERANCE_MS, Calibration, CalibrationCheck
from .pairing import BenchBlocked, add_pairing, wait_status
from .progress import Progress
from .report import Target
from .rig import Rig
from .stats import LatencySummary, summarize
from .streams import FrameArrival, StreamReader, stop_readers

__all__ = ["LatencyBudget", "LatencyResult", "added_latencies", "run_latency"]

STATUS_TIMEOUT = 20.0


@dataclass(frozen=True)
class LatencyBudget:
    """Seconds for each window, from one total (the setup and reconnection are bounded apart)."""

    total_s: float

    @property
    def measure_s(self) -> float:
        return 0.45 * self.total_s

    @property
    def calibrate_s(self) -> float:
        return 0.2 * self.total_s

    @property
    def settle_s(self) -> float:
        return min(1.0, 0.05 * self.total_s)


@dataclass
class LatencyResult:
    """Everything measured; ``to_json`` withholds the latency figures when calibration failed."""

    add_to_paired_ms: float | None = None
    add_to_first_frame_ms: float | None = None
    frames_reason: str | None = None
    direct: list[FrameArrival] | None = None
    device: list[FrameArrival] | None = None
    direct_loss: dict[str, Any] | None = None
    device_loss: dict[str, Any] | None = None
    calibration: Calibration | None = None
    reconnection: dict[str, Any] | None = None
    window_s: float = 0.0

    def latencies(self, path: str) -> list[float]:
        frames = self.direct if path == "direct" else self.device
        return [frame.latency_ms for frame in frames or []]

    def to_json(self) -> dict[str, Any]:
        frames: dict[str, Any] = {"applicable": self.frames_reason is None, "reason": self.frames_reason}
        if self.frames_reason is None and self.direct and self.device:
            calibrated = self.calibration is not None and self.calibration.passed
            added = added_latencies(self.direct, self.device)
            direct, device = summarize(self.latencies("direct")), summarize(self.latencies("device"))
            frames.update(
                window_s=round(self.window_s, 3),
                withheld=None if calibrated else "calibration failed: no latency figure is reported",
                direct={"latency_ms": direct.to_json() if calibrated else None, "loss": self.direct_loss},
                device={"latency_ms": device.to_json() if calibrated else None, "loss": self.device_loss},
                added_latency_ms=_added_json(added) if calibrated and added else None,
                ratio_to_direct=round(device.p50 / direct.p50, 3) if calibrated and direct.p50 > 0 else None,
            )
        return {
            "pairing": {
                "add_to_paired_ms": _ms(self.add_to_paired_ms),
                "add_to_first_frame_ms": _ms(self.add_to_first_frame_ms),
            },
            "frames": frames,
            "reconnection": self.reconnection,
        }

    def headline(self) -> dict[str, Any]:
        frames = self.to_json()["frames"]
        added = frames.get("added_latency_ms")
        return {
            "added_latency_ms": None if added is None else {k: added[k] for k in ("p50", "p95", "p99")},
            "ratio_to_direct": frames.get("ratio_to_direct"),
        }

    def targets(self) -> list[Target]:
        added = self.headline()["added_latency_ms"] or {}
        return [
            Target("added stream latency p50 (ms)", "<=", 2.0, added.get("p50")),
            Target("added stream latency p99 (ms)", "<=", 10.0, added.get("p99")),
        ]

    def plots(self, folder: Path) -> list[Path]:
        if self.calibration is None or not self.calibration.passed or not self.direct or not self.device:
            return []
        series = {
            "direct (peer -> suite)": self.latencies("direct"),
            "device (peer -> device -> suite)": self.latencies("device"),
        }
        added = added_latencies(self.direct, self.device)
        return [
            plots.latency_cdf(
                {**series, "added by the device": added}, folder / "latency-cdf.svg", title="Frame latency from capture"
            ),
            plots.latency_histogram(
                series, folder / "latency-histogram.svg", title="Frame latency from capture (histogram)"
            ),
        ]


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _added_json(added: list[float]) -> dict[str, Any]:
    summary: LatencySummary = summarize(added)
    return summary.to_json()


def added_latencies(direct: list[FrameArrival], device: list[FrameArrival]) -> list[float]:
    """Per frame seen on both paths (matched by capture time): device arrival minus direct arrival, ms."""
    direct_arrival = {frame.ntp: frame.arrived for frame in direct}
    return [(frame.arrived - direct_arrival[frame.ntp]) * 1000 for frame in device if frame.ntp in direct_arrival]


async def _window(seconds: float, progress: Progress) -> None:
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        await asyncio.sleep(min(0.2, left))
        progress.tick()


def _p50(frames: list[FrameArrival]) -> float | None:
    return summarize([f.latency_ms for f in frames]).p50 if frames else None


async def _reconnect(
    camera: HostedPeer,
    device: StreamReader,
    status: Callable[[str, float], Any],
    result: LatencyResult,
) -> None:
    """Peer down (sessions dropped, connections refused) → Error → peer up → Paired → frames."""
    down = time.time()
    await asyncio.to_thread(camera.set_faults, "all", refuse=True)
    await asyncio.to_thread(camera.set_faults, "rtsp", drop_after_frames=0)
    error_at = await asyncio.to_thread(status, "Error", STATUS_TIMEOUT)
    up = time.time()
    await asyncio.to_thread(camera.clear_faults)
    paired_at = await asyncio.to_thread(status, "Paired", STATUS_TIMEOUT)
    frames_at = None
    if paired_at is not None:
        deadline = time.monotonic() + 10.0
        while time.monotonic() < deadline and frames_at is None:
            frames_at = next((f.arrived for f in device.frames if f.arrived > up), None)
            await asyncio.sleep(0.01)
    result.reconnection = {
        "applicable": error_at is not None,
        "reason": None if error_at is not None else f"the status did not become Error within {STATUS_TIMEOUT:g} s",
        "down_to_error_ms": _ms(None if error_at is None else (error_at - down) * 1000),
        "up_to_paired_ms": _ms(None if paired_at is None else (paired_at - up) * 1000),
        "up_to_frames_ms": _ms(None if frames_at is None else (frames_at - up) * 1000),
    }


async def _measure(rig: Rig, budget: LatencyBudget, progress: Progress, result: LatencyResult) -> None:
    camera = rig.peer("camera")
    camera.reset()
    client = rig.camera_client()
    assert rig.admin is not None
    progress.phase("pairing with the peer camera")
    added = time.time()
    pairing_id = await asyncio.to_thread(
        add_pairing, client, camera.address, camera.username, camera.password, "paircert bench latency"
    )
    tasks: list[asyncio.Task[None]] = []
    try:

        def status(wanted: str, timeout: float) -> float | None:
            return wait_status(client, pairing_id, wanted, timeout=timeout)

        paired = await asyncio.to_thread(status, "Paired", STATUS_TIMEOUT)
        if paired is None:
            raise BenchBlocked(f"the pairing with the peer camera did not become Paired within {STATUS_TIMEOUT:g} s")
        result.add_to_paired_ms = (paired - added) * 1000
        device = StreamReader(rig.camera_restream_url, rig.admin.username, rig.admin.password, timeout=30.0)
        tasks.append(asyncio.create_task(device.run()))
        progress.phase("waiting for the device's re-stream")
        if not await device.wait_for_frames(1, 10.0):
            result.frames_reason = f"the device does not re-serve the paired stream ({device.error or 'no frame'})"
        else:
            assert device.first_frame_at is not None
            result.add_to_first_frame_ms = (device.first_frame_at - added) * 1000
            direct_url = camera.handle.urls.rtsp
            assert direct_url is not None
            direct = StreamReader(direct_url, camera.username, camera.password)
            tasks.append(asyncio.create_task(direct.run()))
            await direct.wait_for_frames(1, 10.0)
            await _window(budget.settle_s, progress)
            direct.restart_window()
            device.restart_window()
            progress.phase("measuring direct and device paths")
            await _window(budget.measure_s, progress)
            result.window_s = budget.measure_s
            result.direct, result.device = list(direct.frames), list(device.frames)
            result.direct_loss, result.device_loss = direct.loss.to_json(), device.loss.to_json()
            progress.phase(f"calibrating with a {DEFAULT_DELAY_MS:g} ms delay")
            await asyncio.to_thread(camera.set_faults, "rtsp", frame_delay_ms=DEFAULT_DELAY_MS)
            await _window(budget.settle_s, progress)
            direct.restart_window()
            device.restart_window()
            await _window(budget.calibrate_s, progress)
            await asyncio.to_thread(camera.set_faults, "rtsp", frame_delay_ms=0)
            result.calibration = Calibration(
                DEFAULT_DELAY_MS,
                DEFAULT_TOLERANCE_MS,
                (
                    CalibrationCheck("direct", _p50(result.direct), _p50(direct.frames)),
                    CalibrationCheck("device", _p50(result.device), _p50(device.frames)),
                ),
            )
            await stop_readers([tasks.pop()])
        progress.phase("reconnection: peer down and up")
        await _reconnect(camera, device, status, result)
    finally:
        await stop_readers(tasks)
        camera.reset()
        await asyncio.to_thread(client.remove, pairing_id)


def run_latency(rig: Rig, budget: LatencyBudget, progress: Progress) -> LatencyResult:
    result = LatencyResult()
    asyncio.run(_measure(rig, budget, progress, result))
    return result

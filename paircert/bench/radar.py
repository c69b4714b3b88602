"""``paircert bench radar``: the highest radar rate the device carries without losing a frame.

The target's radar link is pointed at the hosted peer radar, which then sweeps at stepwise rising
rates (sweeps per second × objects per sweep). At each step the suite reads the device's metadata
stream and, at the same time, the peer directly (the baseline). A step holds when no frame is
missing (counted by the peer's own frame numbers, which survive any rewriting of RTP sequence
numbers on the way), the p99 latency stays under the limit, and the source kept its pace. The
ladder stops when neither path holds any more, or when its time is up.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from paircert.media.metadata import MetadataSettings

from . import plots
from .pairing import link_radar, unlink_radar
from .progress import Progress
from .report import Target
from .rig import Rig
from .stats import summarize
from .streams import FrameArrival, StreamReader, stop_readers

__all__ = ["DEFAULT_STEPS", "PathStep", "RadarResult", "Step", "StepRate", "judge_step", "run_radar"]

DEFAULT_LATENCY_LIMIT_MS = 50.0
PACE_FLOOR = 0.9  # a step whose frames came at under 90 % of the offered rate was not offered in full


@dataclass(frozen=True)
class StepRate:
    sweep_hz: float
    objects: int

    @property
    def objects_per_s(self) -> float:
        return self.sweep_hz * self.objects


DEFAULT_RATE = StepRate(MetadataSettings().sweep_hz, MetadataSettings().objects)
DEFAULT_STEPS: tuple[StepRate, ...] = (
    StepRate(10, 10),
    StepRate(25, 20),
    StepRate(50, 40),
    StepRate(50, 100),
    StepRate(80, 100),
    StepRate(100, 100),
    StepRate(100, 120),
    StepRate(100, 150),
    StepRate(100, 200),
    StepRate(100, 400),
    StepRate(100, 1000),
)


@dataclass(frozen=True)
class PathStep:
    """One path's frames in one step's window, judged."""

    frames: int
    lost: int
    frames_per_s: float
    objects_per_s: float
    bytes_per_s: float
    latency_ms: dict[str, float | int] | None
    held: bool
    reason: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "frames": self.frames,
            "lost": self.lost,
            "frames_per_s": round(self.frames_per_s, 3),
            "objects_per_s": round(self.objects_per_s, 1),
            "bytes_per_s": round(self.bytes_per_s, 1),
            "latency_ms": self.latency_ms,
            "held": self.held,
            "reason": self.reason,
        }


def judge_step(frames: list[FrameArrival], rate: StepRate, latency_limit_ms: float) -> PathStep:
    """Loss from the peer's frame numbers, rates from what came, and whether the step held."""
    numbers = sorted({f.number for f in frames if f.number is not None})
    lost = numbers[-1] - numbers[0] + 1 - len(numbers) if numbers else 0
    span = frames[-1].arrived - frames[0].arrived if len(frames) > 1 else 0.0
    fps = (len(frames) - 1) / span if span > 0 else 0.0  # between first and last arrival: no edge bias
    latency = summarize([f.latency_ms for f in frames]) if frames else None
    reason = None
    if not frames:
        reason = "no frame arrived"
    elif lost:
        reason = f"{lost} frames lost"
    elif latency is not None and latency.p99 > latency_limit_ms:
        reason = f"p99 latency {latency.p99:.1f} ms over the {latency_limit_ms:g} ms limit"
    elif fps < PACE_FLOOR * rate.sweep_hz:
        reason = f"frames came at {fps:.1f}/s of {rate.sweep_hz:g}/s offered"
    return PathStep(
        frames=len(frames),
        lost=lost,
        frames_per_s=fps,
        objects_per_s=fps * rate.objects,
        bytes_per_s=fps * sum(f.size for f in frames) / len(frames) if frames else 0.0,
        latency_ms=latency.to_json() if latency is not None else None,
        held=reason is None,
        reason=reason,
    )


@dataclass(frozen=True)
class Step:
    """One rung of the ladder: the offered rate, the window, and each path's frames judged."""

    rate: StepRate
    window_s: float
    device: PathStep
    direct: PathStep

    def path(self, name: str) -> PathStep:
        return self.device if name == "device" else self.direct

    def to_json(self) -> dict[str, Any]:
        return {
            "offered": {
                "sweep_hz": self.rate.sweep_hz,
                "objects_per_frame": self.rate.objects,
                "objects_per_s": self.rate.objects_per_s,
            },
            "window_s": round(self.window_s, 3),
            "device": self.device.to_json(),
            "direct": self.direct.to_json(),
        }


def _rate(step: PathStep | None) -> dict[str, float] | None:
    if step is None:
        return None
    return {
        "frames_per_s": round(step.frames_per_s, 3),
        "objects_per_s": round(step.objects_per_s, 1),
        "bytes_per_s": round(step.bytes_per_s, 1),
    }


def _percentile(step: PathStep, key: str) -> float | None:
    return None if step.latency_ms is None else float(step.latency_ms[key])


@dataclass
class RadarResult:
    latency_limit_ms: float
    steps: list[Step] = field(default_factory=list)
    reason: str | None = None
    calibration = None

    def best(self, path: str) -> PathStep | None:
        """The highest-rate step that held on ``path`` (device or direct)."""
        held = [step.path(path) for step in self.steps if step.path(path).held]
        return max(held, key=lambda s: s.objects_per_s, default=None)

    def to_json(self) -> dict[str, Any]:
        device, direct = self.best("device"), self.best("direct")
        ratio = None
        if device is not None and direct is not None and direct.objects_per_s > 0:
            ratio = round(device.objects_per_s / direct.objects_per_s, 3)
        return {
            "applicable": self.reason is None,
            "reason": self.reason,
            "latency_limit_ms": self.latency_limit_ms,
            "zero_loss_objects_per_s": round(device.objects_per_s, 1) if device is not None else None,
            "device_zero_loss": _rate(device),
            "direct_zero_loss": _rate(direct),
            "ratio_to_direct": ratio,
            "steps": [step.to_json() for step in self.steps],
        }

    def headline(self) -> dict[str, Any]:
        result = self.to_json()
        return {
            "zero_loss_objects_per_s": result["zero_loss_objects_per_s"],
            "ratio_to_direct": result["ratio_to_direct"],
        }

    def targets(self) -> list[Target]:
        headline = self.headline()
        return [
            Target("radar zero-loss objects/s through the device", ">=", 10_000, headline["zero_loss_objects_per_s"]),
            Target("radar zero-loss rate, device over direct", ">=", 0.8, headline["ratio_to_direct"]),
        ]

    def plots(self, folder: Path) -> list[Path]:
        if not self.steps:
            return []
        offered = [step.rate.objects_per_s for step in self.steps]
        paths = ("device", "direct")
        received = {name: [step.path(name).objects_per_s for step in self.steps] for name in paths}
        latency = {
            f"{name} {key}": [_percentile(step.path(name), key) for step in self.steps]
            for name in paths
            for key in ("p50", "p99")
        }
        return [
            plots.throughput_vs_offered(
                offered, received, folder / "radar-throughput.svg", title="Radar objects received", unit="objects/s"
            ),
            plots.latency_vs_rate(
                offered, latency, folder / "radar-latency.svg", title="Radar frame latency by rate", unit="objects/s"
            ),
        ]


async def _ladder(
    rig: Rig, steps: tuple[StepRate, ...], budget_s: float, progress: Progress, result: RadarResult
) -> None:
    radar = rig.peer("radar")
    radar.reset()
    client = rig.radar_client()
    assert rig.admin is not None
    first = steps[0]
    await asyncio.to_thread(radar.handle.set_metadata_rate, first.sweep_hz, first.objects)
    progress.phase("linking the device with the peer radar")
    await asyncio.to_thread(link_radar, client, radar.address, radar.username, radar.password)
    tasks: list[asyncio.Task[None]] = []
    try:
        device = StreamReader(rig.radar_restream_url, rig.admin.username, rig.admin.password, numbered=True)
        direct_url = radar.handle.urls.rtsp
        assert direct_url is not None
        direct = StreamReader(direct_url, radar.username, radar.password, numbered=True)
        tasks = [asyncio.create_task(device.run()), asyncio.create_task(direct.run())]
        if not await device.wait_for_frames(1, 15.0):
            result.reason = f"the device's metadata stream carries no radar frame ({device.error or 'no frame'})"
            return
        await direct.wait_for_frames(1, 5.0)
        deadline = time.monotonic() + budget_s
        window = max(0.3, budget_s / len(steps) - 0.2)
        for rate in steps:
            if time.monotonic() + window > deadline + 0.5:
                break
            progress.phase(f"{rate.sweep_hz:g} sweeps/s x {rate.objects} objects")
            await asyncio.to_thread(radar.handle.set_metadata_rate, rate.sweep_hz, rate.objects)
            await asyncio.sleep(0.2)
            started = time.time()
            device.restart_window()
            direct.restart_window()
            end = time.monotonic() + window
            while (left := end - time.monotonic()) > 0:
                await asyncio.sleep(min(0.2, left))
                progress.tick()
            seconds = time.time() - started
            on_device = judge_step(list(device.frames), rate, result.latency_limit_ms)
            on_direct = judge_step(list(direct.frames), rate, result.latency_limit_ms)
            result.steps.append(Step(rate, seconds, on_device, on_direct))
            if not on_device.held and not on_direct.held:
                break
    finally:
        await stop_readers(tasks)
        await asyncio.to_thread(unlink_radar, client)
        radar.reset()
        await asyncio.to_thread(radar.handle.set_metadata_rate, DEFAULT_RATE.sweep_hz, DEFAULT_RATE.objects)


def run_radar(
    rig: Rig,
    budget_s: float,
    progress: Progress,
    *,
    steps: tuple[StepRate, ...] = DEFAULT_STEPS,
    latency_limit_ms: float = DEFAULT_LATENCY_LIMIT_MS,
) -> RadarResult:
    result = RadarResult(latency_limit_ms)
    asyncio.run(_ladder(rig, steps, budget_s, progress, result))
    return result

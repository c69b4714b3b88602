"""``paircert bench api``: request latency and throughput per operation, against a bare HTTP app.

Each operation runs for its share of the time budget from a fixed number of concurrent clients,
each a keep-alive admin client of its own (Digest, as the suites talk to the device), in threads
of this process. The bare app is measured the same way in the same run; an operation's
``ratio_to_bare`` is its throughput over the bare app's.

The camera pairing operations need a pairing and the radar ones a configuration: both are made
to a documentation address (RFC 5737), without activating the radar, and removed afterwards.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from paircert.clients.camera_pairing import CameraPairingClient

from . import plots
from .bareapp import BareApp
from .pairing import BenchBlocked, add_pairing, link_radar, unlink_radar
from .progress import Progress
from .report import Target
from .rig import Rig
from .stats import summarize

__all__ = ["DEFAULT_CONCURRENCY", "ApiResult", "OperationResult", "run_api"]

DEFAULT_CONCURRENCY = 4
BENCH_ADDRESS = "192.0.2.80"  # RFC 5737 TEST-NET-1: a device under test never reaches a real host
BARE = "bare GET"
Request = Callable[[httpx.Client, int], httpx.Response]


@dataclass(frozen=True)
class OperationResult:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: tuple[float, ...]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    def to_json(self, bare: OperationResult | None) -> dict[str, Any]:
        measured = bare is not None and bare.per_second > 0 and self.requests > self.errors
        ratio = self.per_second / bare.per_second if measured and bare is not None else None
        return {
            "name": self.name,
            "requests": self.requests,
            "errors": self.errors,
            "seconds": round(self.seconds, 3),
            "requests_per_s": round(self.per_second, 1),
            "latency_ms": summarize(self.latencies_ms).to_json() if self.latencies_ms else None,
            "ratio_to_bare": None if ratio is None else round(ratio, 3),
        }


@dataclass
class ApiResult:
    concurrency: int
    operations: list[OperationResult]

    def find(self, name: str) -> OperationResult | None:
        return next((op for op in self.operations if op.name == name), None)

    def to_json(self) -> dict[str, Any]:
        bare, get = self.find(BARE), self.find("camera pairing GET")
        ratio = get.to_json(bare)["ratio_to_bare"] if get is not None else None
        return {
            "concurrency": self.concurrency,
            "ratio_to_bare": ratio,
            "operations": [op.to_json(bare) for op in self.operations],
        }

    calibration = None

    def headline(self) -> dict[str, Any]:
        return {"ratio_to_bare": self.to_json()["ratio_to_bare"]}

    def targets(self) -> list[Target]:
        return [Target("API camera pairing GET throughput over bare", ">=", 0.5, self.headline()["ratio_to_bare"])]

    def plots(self, folder: Path) -> list[Path]:
        series = {op.name: list(op.latencies_ms) for op in self.operations}
        return [
            plots.latency_cdf(
                series, folder / "api-latency-cdf.svg", title="Request latency per operation", counted="requests"
            )
        ]


def _load(
    name: str, clients: list[httpx.Client], request: Request, seconds: float, progress: Progress
) -> OperationResult:
    """``request`` from every client at once, each in a loop, for ``seconds``."""
    latencies: list[list[float]] = [[] for _ in clients]
    errors = [0] * len(clients)
    start = threading.Barrier(len(clients) + 1)
    end = 0.0

    def work(index: int, client: httpx.Client) -> None:
        start.wait()
        own, n = latencies[index], 0
        while time.perf_counter() < end:
            began = time.perf_counter()
            try:
                ok = request(client, n).is_success
            except httpx.HTTPError:
                ok = False
            own.append((time.perf_counter() - began) * 1000)
            errors[index] += not ok
            n += 1

    threads = [threading.Thread(target=work, args=(i, c), daemon=True) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    end = began + seconds
    start.wait()
    while time.perf_counter() < end:
        time.sleep(min(0.2, max(0.0, end - time.perf_counter())))
        progress.tick()
    for thread in threads:
        thread.join(15.0)
    elapsed = time.perf_counter() - began
    merged = tuple(value for own in latencies for value in own)
    return OperationResult(name, len(merged), sum(errors), elapsed, merged)


def _radar(path: str, method: str) -> Request:
    body = json.dumps({"apiVersion": "1.0", "method": method}).encode()
    headers = {"Content-Type": "application/json"}
    return lambda client, _: client.post(path, content=body, headers=headers)


def _operations(
    camera: CameraPairingClient, pairing_id: str, radar_path: str, set_method: str
) -> list[tuple[str, Request]]:
    item = camera.item_path(pairing_id)
    description = f"{item}/description"
    return [
        ("camera pairing GET", lambda client, _: client.get(item)),
        (
            "camera pairing PATCH",
            lambda client, n: client.request(set_method, description, json={"data": f"paircert bench {n % 10}"}),
        ),
        ("radar getRadarConnection", _radar(radar_path, "getRadarConnection")),
        ("radar getActive", _radar(radar_path, "getActive")),
        ("radar getSupportedVersions", _radar(radar_path, "getSupportedVersions")),
    ]


def run_api(rig: Rig, budget_s: float, progress: Progress, *, concurrency: int = DEFAULT_CONCURRENCY) -> ApiResult:
    camera = rig.camera_client()
    radar = rig.radar_client()
    radar_path = radar.probe()
    if radar_path is None:
        raise BenchBlocked("the device answers the radar pairing API on none of its paths")
    progress.phase("pairing and configuring a radar (documentation addresses)")
    pairing_id = add_pairing(camera, BENCH_ADDRESS, "paircert", "paircert-Bench-1", "paircert bench api")
    try:
        link_radar(radar, "192.0.2.81", "paircert", "paircert-Bench-1", activate=False)
        try:
            operations = _operations(camera, pairing_id, radar_path, rig.run.set_method)
            window = budget_s / (len(operations) + 1)
            results = []
            with BareApp() as bare:
                bare_clients = [httpx.Client(base_url=bare.url, trust_env=False) for _ in range(concurrency)]
                try:
                    progress.phase(BARE)
                    results.append(_load(BARE, bare_clients, lambda client, _: client.get("/"), window, progress))
                finally:
                    for client in bare_clients:
                        client.close()
            clients = [rig.http() for _ in range(concurrency)]
            for name, request in operations:
                progress.phase(name)
                results.append(_load(name, clients, request, window, progress))
            return ApiResult(concurrency, results)
        finally:
            unlink_radar(radar)
    finally:
        camera.remove(pairing_id)

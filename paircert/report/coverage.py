"""What a run exercised, from what went over the wire: per API, operations, HTTP statuses, error codes.

Every recorded exchange (the session transcript sees them all, schemathesis traffic included) is
classified here by path and body, so the numbers cover every suite, not just the generated ones.
``documented`` maps an API to its documented error codes (from the error catalogues), so the report
can list the codes the run never provoked. Generated tests add their example counts and durations
(``examples``), from which the report prints examples per second.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

from paircert.vapix.paths import CAMERA_API_ROOT as _CAMERA_ROOT
from paircert.vapix.paths import RADAR_PATHS as _RADAR_PATHS

__all__ = ["CAMERA_API", "RADAR_API", "Coverage", "classify_exchange"]

CAMERA_API = "camera-pairing"
RADAR_API = "radar-pairing"


class _Exchange(Protocol):
    method: str
    url: str
    status_code: int
    request_body: str
    response_body: str


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path


def _camera_operation(method: str, rest: str) -> str:
    parts = [p for p in rest.strip("/").split("/") if p] if rest.strip("/") else []
    if not parts:
        shape = "root"
    elif parts[0] != "camerapairings" or len(parts) > 3:
        shape = "other path"
    elif len(parts) == 1:
        shape = "camerapairings"
    elif len(parts) == 2:
        shape = "camerapairings/{id}"
    else:
        shape = f"camerapairings/{{id}}/{parts[2]}"
    return f"{method} {shape}"


def classify_exchange(exchange: _Exchange) -> tuple[str, str, int | None] | None:
    """``(api, operation, error code)`` of one exchange, or None when it is neither API."""
    path = _path(exchange.url)
    body = _json(exchange.response_body)
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    code = code if isinstance(code, int) and not isinstance(code, bool) else None
    if path == _CAMERA_ROOT or path.startswith(_CAMERA_ROOT + "/"):
        return CAMERA_API, _camera_operation(exchange.method, path[len(_CAMERA_ROOT) :]), code
    if path in _RADAR_PATHS:
        request = _json(exchange.request_body)
        if exchange.method != "POST":
            operation = f"{exchange.method} (not POST)"
        elif not isinstance(request, dict):
            operation = "(body not a JSON object)"
        else:
            method = request.get("method")
            operation = method if isinstance(method, str) else "(no method)"
        return RADAR_API, operation, code
    return None


@dataclass
class _ApiCoverage:
    operations: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    codes: Counter[int] = field(default_factory=Counter)


@dataclass
class Coverage:
    documented: dict[str, tuple[int, ...]] = field(default_factory=dict)
    apis: dict[str, _ApiCoverage] = field(default_factory=dict)
    examples: dict[str, tuple[int, float]] = field(default_factory=dict)

    def record(self, exchange: _Exchange) -> None:
        found = classify_exchange(exchange)
        if found is None:
            return
        api, operation, code = found
        entry = self.apis.setdefault(api, _ApiCoverage())
        entry.operations[operation] += 1
        entry.statuses[exchange.status_code] += 1
        if code is not None:
            entry.codes[code] += 1

    def add_examples(self, nodeid: str, count: int, seconds: float) -> None:
        """A generated test ran ``count`` examples (or state machine steps) in ``seconds``."""
        previous = self.examples.get(nodeid, (0, 0.0))
        self.examples[nodeid] = (previous[0] + count, previous[1] + seconds)

    def to_dict(self) -> dict[str, Any]:
        apis = {}
        for api in sorted(set(self.apis) | set(self.documented)):
            entry = self.apis.get(api, _ApiCoverage())
            documented = self.documented.get(api, ())
            apis[api] = {
                "operations": dict(sorted(entry.operations.items())),
                "http_statuses": {str(k): v for k, v in sorted(entry.statuses.items())},
                "error_codes": {str(k): v for k, v in sorted(entry.codes.items())},
                "documented_codes_never_provoked": [c for c in documented if c not in entry.codes],
            }
        generated = {
            nodeid: {"examples": n, "seconds": round(s, 3), "examples_per_second": round(n / s, 1) if s > 0 else None}
            for nodeid, (n, s) in sorted(self.examples.items())
        }
        return {"apis": apis, "generated": generated}

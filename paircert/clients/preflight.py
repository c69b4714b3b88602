"""Before a run: does the target answer, and does it accept the admin credentials?

The plugin calls it once per run, when its target comes up (``paircert.plugin.target.Target``);
``paircert run`` reports the same one line about a dead target or rejected credentials.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable

import httpx

from paircert.clients.camera_pairing import API_ROOT
from paircert.clients.discovery import DeviceInfoClient
from paircert.clients.http import Credentials, open_client
from paircert.clients.response import ApiResponse, perform
from paircert.clients.transcript import Transcript

__all__ = ["PreflightError", "preflight"]


class PreflightError(Exception):
    """The run cannot start; ``str()`` is one line for a human, with no secret in it."""


def _is_tls_failure(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _send(url: str, call: Callable[[], ApiResponse]) -> ApiResponse:
    try:
        return call()
    except httpx.TimeoutException:
        raise PreflightError(f"the target at {url} did not answer in time") from None
    except httpx.TransportError as exc:
        if _is_tls_failure(exc):
            raise PreflightError(
                f"TLS with the target at {url} failed ({exc}); pass --ca-file PATH to trust its CA, or --insecure"
            ) from None
        reason = str(exc) or type(exc).__name__
        raise PreflightError(f"cannot reach the target at {url}: {reason}") from None


def preflight(
    base_url: str,
    admin: Credentials,
    *,
    verify: bool | str = True,
    timeout: float = 10.0,
    transport: httpx.BaseTransport | None = None,
) -> dict[str, str]:
    """Check the target answers and accepts the admin; return its identity when it tells it.

    Identity comes from basic device information (``ProdNbr``, ``ProdFullName``, ``Version``,
    ``SerialNumber`` ...). A device without that API is asked for the camera pairing root
    instead, just to see whether the credentials are accepted.
    """
    transcript = Transcript()
    rejected = PreflightError(
        f"the target at {base_url} rejected the admin credentials for user {admin.username!r} (HTTP 401)"
    )
    with open_client(
        base_url, admin, verify=verify, timeout=timeout, transcript=transcript, transport=transport
    ) as http:
        info = _send(base_url, DeviceInfoClient(http, transcript).get_all_properties)
        if info.status_code == 401:
            raise rejected
        properties = info.data.get("propertyList") if info.ok and isinstance(info.data, dict) else None
        if isinstance(properties, dict):
            return {str(k): str(v) for k, v in properties.items()}
        root = _send(base_url, lambda: perform(http, transcript, "dca", "GET", API_ROOT))
        if root.status_code == 401:
            raise rejected
    return {}

"""Step 2 of the reference link sequence: who the peer is, from its ``basicdeviceinfo.cgi``.

``POST /axis-cgi/basicdeviceinfo.cgi`` ``getAllProperties`` with the link's credentials, over
HTTPS when the link uses TLS (certificate checked as the link says) and HTTP otherwise; ``ProdNbr``
becomes the product model and ``ProdFullName`` the product name (PROTOCOL-NOTES §3).

The request goes only to addresses the dialer already resolved and allowed: the URL holds the IP
literal (so no name lookup can happen), the ``Host`` header and the TLS server name carry the
address the user gave, and httpx is told to ignore proxy settings from the environment, so no
packet leaves for anywhere the dialer did not approve.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from ..auth import HttpAuth
from ..vapix.paths import DEVICEINFO_PATH
from .dialer import IPAddress
from .links import LinkFailure, LinkTarget, PeerIdentity

__all__ = ["DEVICEINFO_PATH", "HTTP_TIMEOUT", "identify", "tls_context"]

REQUEST = {"apiVersion": "1.0", "method": "getAllProperties"}
HTTP_TIMEOUT = 5.0
_FIELD_LIMIT = 64  # productmodel/productname are strings of at most 64 characters


def tls_context(verify: bool, ca_file: Path | None) -> ssl.SSLContext:
    """A client context: chain and name checked against ``ca_file`` (or the system store), or nothing."""
    context = ssl.create_default_context(cafile=str(ca_file) if ca_file is not None else None)
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _literal(ip: IPAddress) -> str:
    return f"[{ip}]" if ip.version == 6 else str(ip)


def _host_header(target: LinkTarget, port: int) -> str:
    host = target.address.rstrip(".")
    host = f"[{host}]" if ":" in host else host
    return host if port == (443 if target.tls else 80) else f"{host}:{port}"


async def identify(target: LinkTarget, ips: Sequence[IPAddress], ca_file: Path | None) -> PeerIdentity:
    """The peer's model and name; LinkFailure ``auth`` on 401/403, ``connect`` on anything else."""
    if not (_sendable(target.username) and _sendable(target.password)):
        raise LinkFailure("auth", "the credentials hold a lone UTF-16 surrogate, which no request can carry")
    scheme = "https" if target.tls else "http"
    failures: list[str] = []
    for ip in ips:
        url = f"{scheme}://{_literal(ip)}:{target.http_port}{DEVICEINFO_PATH}"
        extensions: dict[str, Any] = {"sni_hostname": target.server_name} if target.tls else {}
        try:
            async with httpx.AsyncClient(
                auth=HttpAuth(target.username, target.password),
                verify=tls_context(target.verify, ca_file) if target.tls else False,
                timeout=HTTP_TIMEOUT,
                trust_env=False,
            ) as client:
                response = await asyncio.wait_for(
                    client.post(
                        url,
                        json=REQUEST,
                        headers={"Host": _host_header(target, target.http_port)},
                        extensions=extensions,
                    ),
                    3 * HTTP_TIMEOUT,  # a 401, the Digest retry and the answer, each bounded by httpx
                )
        except (httpx.TransportError, TimeoutError) as exc:
            failures.append(f"{url}: {type(exc).__name__}")
            continue
        return _identity(response)
    raise LinkFailure("connect", "basicdeviceinfo.cgi: " + "; ".join(failures))


def _sendable(credential: str) -> bool:
    """Whether a credential has UTF-8 bytes: one stored with a lone surrogate (the alternate
    choices accept it) has none, so the peer can only ever see a failed login."""
    try:
        credential.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _identity(response: httpx.Response) -> PeerIdentity:
    if response.status_code in (401, 403):
        raise LinkFailure("auth", f"basicdeviceinfo.cgi answered {response.status_code} after the auth retry")
    if not response.is_success:
        raise LinkFailure("connect", f"basicdeviceinfo.cgi answered {response.status_code}")
    try:
        body = response.json()
    except ValueError:
        raise LinkFailure("connect", "basicdeviceinfo.cgi answered something that is not JSON") from None
    data = body.get("data") if isinstance(body, dict) else None
    properties = data.get("propertyList") if isinstance(data, dict) else None
    if not isinstance(properties, dict):
        raise LinkFailure("connect", "basicdeviceinfo.cgi answered without data.propertyList")
    model, name = properties.get("ProdNbr", ""), properties.get("ProdFullName", "")
    return PeerIdentity(
        model=model[:_FIELD_LIMIT] if isinstance(model, str) else "",
        name=name[:_FIELD_LIMIT] if isinstance(name, str) else "",
    )

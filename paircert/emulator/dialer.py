"""The only way the emulator opens outgoing connections: loopback (or what the config allows) only.

Names are resolved through the configured name table, never through DNS, and an address outside
``dial_allow`` is refused before a socket exists, so a misconfigured pairing can never send a
packet or a query off the machine. The socket is connected by IP literal with the event loop's
``sock_connect``, which does no name lookup either.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable, Mapping

__all__ = ["DialRefused", "Dialer", "Unreachable"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class DialRefused(Exception):
    """The address is not ours to dial: an unknown name or an address outside the allow list.

    ``unresolved`` tells the two apart, because a device reports them differently: a name that
    does not resolve is an address failure, while an address it may not reach is a failed connect.
    """

    def __init__(self, reason: str, *, unresolved: bool) -> None:
        super().__init__(reason)
        self.unresolved = unresolved


class Unreachable(Exception):
    """Every resolved address refused, timed out or failed."""


class Dialer:
    def __init__(
        self,
        allow: Iterable[str],
        name_table: Mapping[str, Iterable[str]],
        *,
        timeout: float = 2.0,
    ) -> None:
        self.allow: tuple[IPNetwork, ...] = tuple(ipaddress.ip_network(cidr, strict=False) for cidr in allow)
        self.names = {
            name.lower().rstrip("."): [ipaddress.ip_address(a) for a in addrs] for name, addrs in name_table.items()
        }
        self.timeout = timeout

    def resolve(self, host: str) -> list[IPAddress]:
        """Addresses for ``host`` that may be dialled; raise DialRefused when there are none."""
        try:
            candidates = [ipaddress.ip_address(host)]
        except ValueError:
            known = self.names.get(host.lower().rstrip("."))
            if known is None:
                raise DialRefused("name not in the name table", unresolved=True) from None
            candidates = known
        allowed = [ip for ip in candidates if any(ip in net for net in self.allow)]
        if not allowed:
            raise DialRefused("address outside dial_allow", unresolved=False)
        return allowed

    async def connect(self, host: str, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """Open a TCP connection to the first resolved address that answers within the timeout."""
        failures: list[str] = []
        for ip in self.resolve(host):
            try:
                return await asyncio.wait_for(self._connect_ip(ip, port), self.timeout)
            except (TimeoutError, OSError) as exc:
                failures.append(f"{ip}:{port}: {type(exc).__name__}")
        raise Unreachable("; ".join(failures))

    async def _connect_ip(self, ip: IPAddress, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        family = socket.AF_INET if ip.version == 4 else socket.AF_INET6
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setblocking(False)
            await asyncio.get_running_loop().sock_connect(sock, (str(ip), port))
            return await asyncio.open_connection(sock=sock)
        except BaseException:
            sock.close()
            raise

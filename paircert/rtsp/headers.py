"""Structured RTSP header values: ``Transport`` (RFC 2326 §12.39) and ``Session`` (§12.37).

Both sides read and write them, so the syntax lives in one place. Only what paircert speaks is
modelled: RTP over the RTSP connection (interleaved channels) and unicast; anything else is kept as
text so the server can say 461 instead of misreading it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from paircert.rtsp.errors import MalformedPacket

__all__ = ["SessionHeader", "TransportSpec", "parse_transports"]


@dataclass(frozen=True)
class TransportSpec:
    """One transport alternative, e.g. ``RTP/AVP/TCP;unicast;interleaved=0-1``."""

    protocol: str = "RTP/AVP/TCP"
    unicast: bool = True
    interleaved: tuple[int, int] | None = (0, 1)
    params: tuple[tuple[str, str | None], ...] = field(default=())

    @property
    def is_tcp(self) -> bool:
        return self.protocol.upper() == "RTP/AVP/TCP"

    def __str__(self) -> str:
        parts = [self.protocol, "unicast" if self.unicast else "multicast"]
        if self.interleaved is not None:
            parts.append(f"interleaved={self.interleaved[0]}-{self.interleaved[1]}")
        parts += [name if value is None else f"{name}={value}" for name, value in self.params]
        return ";".join(parts)


def _parse_one(text: str) -> TransportSpec:
    protocol, *rest = [part.strip() for part in text.split(";")]
    if not protocol:
        raise MalformedPacket(f"transport without protocol: {text!r}")
    unicast = True
    interleaved: tuple[int, int] | None = None
    params: list[tuple[str, str | None]] = []
    for part in rest:
        name, eq, value = part.partition("=")
        lower = name.strip().lower()
        if lower in ("unicast", "multicast"):
            unicast = lower == "unicast"
        elif lower == "interleaved":
            low, _, high = value.partition("-")
            try:
                first = int(low)
                second = int(high) if high else first + 1
            except ValueError as exc:
                raise MalformedPacket(f"bad interleaved channels {value!r}") from exc
            if not (0 <= first <= 255 and 0 <= second <= 255):
                raise MalformedPacket(f"interleaved channel out of range {value!r}")
            interleaved = (first, second)
        elif part:
            params.append((name.strip(), value.strip() if eq else None))
    return TransportSpec(protocol, unicast, interleaved, tuple(params))


def parse_transports(value: str) -> list[TransportSpec]:
    """Every comma-separated alternative of a ``Transport`` header, in the client's order."""
    return [_parse_one(part) for part in value.split(",") if part.strip()]


@dataclass(frozen=True)
class SessionHeader:
    """``Session: <id>[;timeout=<seconds>]``."""

    session_id: str
    timeout: int | None = None

    @classmethod
    def parse(cls, value: str) -> SessionHeader:
        session_id, *params = [part.strip() for part in value.split(";")]
        if not session_id:
            raise MalformedPacket("empty session id")
        timeout = None
        for param in params:
            name, _, text = param.partition("=")
            if name.strip().lower() == "timeout":
                if not text.strip().isdigit():
                    raise MalformedPacket(f"bad session timeout {text!r}")
                timeout = int(text)
        return cls(session_id, timeout)

    def __str__(self) -> str:
        return self.session_id if self.timeout is None else f"{self.session_id};timeout={self.timeout}"

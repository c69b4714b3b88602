"""Session descriptions (RFC 4566) as DESCRIBE answers carry them.

Lines are kept in order and unknown ones survive a round trip, so a device's SDP can be recorded
exactly; typed accessors cover what paircert reads (control URLs, rtpmap, fmtp, H.264 parameter
sets), and two builders make the tracks paircert serves: H.264 video and ONVIF metadata.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from paircert.rtsp.errors import MalformedPacket

__all__ = ["MediaDescription", "SessionDescription", "h264_media", "metadata_media"]

Attribute = tuple[str, "str | None"]


def _attribute(value: str) -> Attribute:
    name, colon, rest = value.partition(":")
    return (name, rest if colon else None)


def _format_attribute(attribute: Attribute) -> str:
    name, value = attribute
    return f"a={name}" if value is None else f"a={name}:{value}"


@dataclass
class MediaDescription:
    """One ``m=`` section: media line, other lines (i/c/b/k) in order, then attributes."""

    media: str
    port: int
    protocol: str
    formats: list[str]
    lines: list[tuple[str, str]] = field(default_factory=list)
    attributes: list[Attribute] = field(default_factory=list)

    def attribute(self, name: str) -> str | None:
        return next((v for n, v in self.attributes if n == name), None)

    def attribute_values(self, name: str) -> list[str]:
        return [v for n, v in self.attributes if n == name and v is not None]

    @property
    def control(self) -> str | None:
        return self.attribute("control")

    def rtpmap(self, payload_type: int) -> tuple[str, int] | None:
        """Encoding name and clock rate for a payload type, e.g. ``("H264", 90000)``."""
        for value in self.attribute_values("rtpmap"):
            number, _, rest = value.partition(" ")
            if number == str(payload_type):
                name, _, clock = rest.partition("/")
                clock = clock.partition("/")[0]
                if not clock.isdigit():
                    raise MalformedPacket(f"rtpmap without a clock rate: {value!r}")
                return name, int(clock)
        return None

    def fmtp(self, payload_type: int) -> dict[str, str]:
        """Format parameters of a payload type (``a=fmtp:96 k=v; k=v``)."""
        for value in self.attribute_values("fmtp"):
            number, _, rest = value.partition(" ")
            if number == str(payload_type):
                params = {}
                for item in rest.split(";"):
                    key, _, val = item.strip().partition("=")
                    if key:
                        params[key.strip().lower()] = val.strip()
                return params
        return {}

    @property
    def payload_type(self) -> int:
        try:
            return int(self.formats[0])
        except (IndexError, ValueError) as exc:
            raise MalformedPacket(f"media line has no RTP payload type: {self.formats!r}") from exc

    def sprop_parameter_sets(self) -> list[bytes]:
        """SPS and PPS from ``sprop-parameter-sets`` (base64, comma-separated)."""
        text = self.fmtp(self.payload_type).get("sprop-parameter-sets", "")
        try:
            return [base64.b64decode(part, validate=True) for part in text.split(",") if part]
        except ValueError as exc:
            raise MalformedPacket("sprop-parameter-sets is not base64") from exc

    def serialize_lines(self) -> list[str]:
        head = f"m={self.media} {self.port} {self.protocol} {' '.join(self.formats)}".rstrip()
        return [head, *(f"{k}={v}" for k, v in self.lines), *map(_format_attribute, self.attributes)]


@dataclass
class SessionDescription:
    """A whole SDP: v/o/s, other session lines in order, session attributes, media sections."""

    origin: str = "- 0 0 IN IP4 127.0.0.1"
    name: str = "paircert"
    lines: list[tuple[str, str]] = field(default_factory=lambda: [("t", "0 0")])
    attributes: list[Attribute] = field(default_factory=list)
    media: list[MediaDescription] = field(default_factory=list)

    @classmethod
    def parse(cls, text: str) -> SessionDescription:
        session = cls(lines=[])
        current: MediaDescription | None = None
        seen_version = False
        for raw in text.replace("\r\n", "\n").split("\n"):
            if not raw.strip():
                continue
            kind, eq, value = raw.partition("=")
            if not eq or len(kind) != 1:
                raise MalformedPacket(f"SDP line is not <type>=<value>: {raw[:80]!r}")
            if kind == "v":
                if value.strip() != "0":
                    raise MalformedPacket(f"SDP version {value!r}")
                seen_version = True
            elif kind == "m":
                parts = value.split()
                if len(parts) < 3 or not parts[1].partition("/")[0].isdigit():
                    raise MalformedPacket(f"malformed media line {raw[:80]!r}")
                current = MediaDescription(parts[0], int(parts[1].partition("/")[0]), parts[2], parts[3:])
                session.media.append(current)
            elif kind == "a":
                (current.attributes if current else session.attributes).append(_attribute(value))
            elif current is not None:
                current.lines.append((kind, value))
            elif kind == "o":
                session.origin = value
            elif kind == "s":
                session.name = value
            else:
                session.lines.append((kind, value))
        if not seen_version:
            raise MalformedPacket("SDP without v=0")
        return session

    def serialize(self) -> str:
        lines = ["v=0", f"o={self.origin}", f"s={self.name}"]
        lines += [f"{k}={v}" for k, v in self.lines]
        lines += map(_format_attribute, self.attributes)
        for media in self.media:
            lines += media.serialize_lines()
        return "\r\n".join(lines) + "\r\n"

    def media_by_control(self, control: str) -> MediaDescription | None:
        return next((m for m in self.media if m.control == control), None)


def h264_media(control: str, sps: bytes, pps: bytes, *, payload_type: int = 96) -> MediaDescription:
    """An H.264 video track in packetization-mode=1 with its parameter sets in the SDP."""
    if len(sps) < 4:
        raise MalformedPacket("SPS shorter than its profile/level bytes")
    sprop = ",".join(base64.b64encode(p).decode("ascii") for p in (sps, pps))
    profile = sps[1:4].hex().upper()
    fmtp = f"{payload_type} packetization-mode=1; profile-level-id={profile}; sprop-parameter-sets={sprop}"
    return MediaDescription(
        "video",
        0,
        "RTP/AVP",
        [str(payload_type)],
        attributes=[("rtpmap", f"{payload_type} H264/90000"), ("fmtp", fmtp), ("control", control)],
    )


def metadata_media(control: str, *, payload_type: int = 107) -> MediaDescription:
    """An ONVIF metadata track (``application/vnd.onvif.metadata``, 90 kHz clock)."""
    return MediaDescription(
        "application",
        0,
        "RTP/AVP",
        [str(payload_type)],
        attributes=[("rtpmap", f"{payload_type} vnd.onvif.metadata/90000"), ("control", control)],
    )

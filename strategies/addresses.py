"""Addresses a device under test may be given: valid ones that can never reach a real host, and
invalid ones labelled by what is wrong with them.

The documented Address type is only ``string, maxLength 64``; error 102 says more ("not a valid
IPv4/IPv6 address, or a DNS name"), which ``camera-pairing/strict/address`` writes down. A schema
cannot say "and never a real host", so these strategies are hand-made:

* IPv4 only from the documentation ranges (RFC 5737): 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24
  (hosts .1 to .254, so no value looks like a network or broadcast address);
* IPv6 only from 2001:db8::/32 (RFC 3849) in every textual form (compressed, full, full without
  leading zeros, mixed case, an embedded dotted quad), and IPv4-mapped ``::ffff:<documentation IPv4>``;
* DNS names only under the reserved top-level names ``example`` and ``invalid`` (RFC 2606, RFC
  6761), labels 1..63 characters of letters, digits and inner hyphens, at most 64 characters in
  all (the Address type's maxLength, well under DNS's 253), optionally with a trailing dot.

Every invalid address is built so that a lenient parser still lands on a documentation address or
a reserved name (``192.0.513`` is too few octets, and the classic ``inet_aton`` reading of it is
192.0.2.1).
"""

from __future__ import annotations

import ipaddress
from functools import cache
from typing import Final

from hypothesis import strategies as st

__all__ = [
    "ADDRESS_MAX_LENGTH",
    "DOCUMENTATION_IPV4",
    "DOCUMENTATION_IPV6",
    "INVALID_ADDRESS_KINDS",
    "IPV6_FORMS",
    "RESERVED_TLDS",
    "dns_names",
    "invalid_addresses",
    "ipv4_addresses",
    "ipv6_addresses",
    "valid_addresses",
]

ADDRESS_MAX_LENGTH: Final = 64
"""The documented Address type's maxLength (characters)."""

DOCUMENTATION_IPV4: Final = (
    ipaddress.IPv4Network("192.0.2.0/24"),
    ipaddress.IPv4Network("198.51.100.0/24"),
    ipaddress.IPv4Network("203.0.113.0/24"),
)
DOCUMENTATION_IPV6: Final = ipaddress.IPv6Network("2001:db8::/32")
RESERVED_TLDS: Final = ("example", "invalid")

IPV6_FORMS: Final = (
    "compressed",
    "full",
    "full-short-groups",
    "mixed-case",
    "embedded-ipv4",
    "embedded-ipv4-six-groups",
    "ipv4-mapped",
)
"""Textual forms :func:`ipv6_addresses` draws from.

``full-short-groups`` is eight groups without leading zeros (``2001:db8:0:0:1:0:0:1``);
``embedded-ipv4`` writes the last 32 bits as a dotted quad after ``::`` (``2001:db8::192.0.2.1``);
``embedded-ipv4-six-groups`` is the mixed notation of RFC 4291 §2.2 with six explicit groups
(``2001:db8:0:0:0:0:192.0.2.1``); ``ipv4-mapped`` is ``::ffff:`` plus a documentation IPv4 address.
"""

INVALID_ADDRESS_KINDS: Final = (
    "empty",
    "ipv4-octet-out-of-range",
    "ipv4-too-few-octets",
    "ipv4-too-many-octets",
    "host-port",
    "url",
    "whitespace-around",
    "whitespace-inside",
    "control-character",
    "overlong",
    "non-ascii",
    "label-hyphen-start",
    "label-hyphen-end",
    "label-too-long",
    "label-empty",
    "ipv6-zone",
    "ipv6-bad-groups",
    "ipv6-brackets",
)

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ALNUM = _LETTERS + "0123456789"
_LDH = _ALNUM + "-"


# --------------------------------------------------------------------------- IPv4


@cache
def _ipv4_objects() -> st.SearchStrategy[ipaddress.IPv4Address]:
    return st.builds(
        lambda net, host: net.network_address + host, st.sampled_from(DOCUMENTATION_IPV4), st.integers(1, 254)
    )


@cache
def ipv4_addresses() -> st.SearchStrategy[str]:
    """Dotted-quad IPv4 addresses from the three documentation ranges (hosts .1 to .254)."""
    return _ipv4_objects().map(str)


# --------------------------------------------------------------------------- IPv6


@cache
def _group_values() -> st.SearchStrategy[int]:
    # Zero groups often, so that "::" compression happens at every position.
    return st.one_of(st.just(0), st.just(0), st.integers(0, 0xFFFF), st.sampled_from((1, 0xFFFF, 0xDB8)))


_BOOLEANS = st.booleans()


@st.composite
def _ipv6_objects(draw: st.DrawFn) -> ipaddress.IPv6Address:
    groups = [draw(_group_values()) for _ in range(6)]
    value = int(DOCUMENTATION_IPV6.network_address)
    for index, group in enumerate(groups):
        value |= group << (16 * (5 - index))
    return ipaddress.IPv6Address(value)


def _mixed_case(draw: st.DrawFn, text: str) -> str:
    result = "".join(ch.upper() if draw(_BOOLEANS) else ch for ch in text)
    if result == text.lower() and any(ch in "abcdef" for ch in text):
        # Mixed case must show some upper case: raise the first hex letter.
        index = next(i for i, ch in enumerate(text) if ch in "abcdef")
        result = result[:index] + result[index].upper() + result[index + 1 :]
    return result


@cache
def ipv6_addresses(forms: tuple[str, ...] = IPV6_FORMS) -> st.SearchStrategy[str]:
    """IPv6 addresses in 2001:db8::/32 (or IPv4-mapped documentation IPv4) in the given textual forms
    (some of :data:`IPV6_FORMS`)."""
    unknown = set(forms) - set(IPV6_FORMS)
    if unknown or not forms:
        raise ValueError(f"unknown IPv6 forms {sorted(unknown)}; choose from {IPV6_FORMS}")
    return st.sampled_from(forms).flatmap(_ipv6_text)


@cache
@st.composite
def _ipv6_text(draw: st.DrawFn, form: str) -> str:
    if form == "ipv4-mapped":
        prefix = draw(st.sampled_from(("::ffff:", "::FFFF:", "::Ffff:")))
        return prefix + str(draw(_ipv4_objects()))
    address = draw(_ipv6_objects())
    if form == "compressed":
        return address.compressed
    if form == "full":
        return address.exploded
    if form == "full-short-groups":
        return ":".join(f"{int(group, 16):x}" for group in address.exploded.split(":"))
    if form == "mixed-case":
        return _mixed_case(draw, draw(st.sampled_from((address.compressed, address.exploded))))
    quad = str(draw(_ipv4_objects()))
    if form == "embedded-ipv4-six-groups":
        groups = [f"{g:x}" for g in draw(st.lists(_group_values(), min_size=4, max_size=4))]
        return ":".join(["2001", "db8", *groups, quad])
    # embedded-ipv4: up to four groups, "::", then the last 32 bits as a documentation dotted quad.
    explicit = [f"{g:x}" for g in draw(st.lists(_group_values(), min_size=0, max_size=2))]
    return ":".join(["2001", "db8", *explicit]) + "::" + quad


# --------------------------------------------------------------------------- DNS names


_ALNUM_CHARS = st.sampled_from(_ALNUM)


@cache
def _ldh_text(size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=_LDH, min_size=size, max_size=size)


def _draw_label(draw: st.DrawFn, length: int) -> str:
    if length == 1:
        return draw(_ALNUM_CHARS)
    label = draw(_ALNUM_CHARS) + draw(_ldh_text(length - 2)) + draw(_ALNUM_CHARS)
    if length >= 4 and label[2:4] == "--":
        # "ab--" is reserved for IDNA A-labels (RFC 5891 4.2.3.1); keep generated names plain.
        label = label[:3] + "x" + label[4:]
    return label


@cache
def _label(length: int) -> st.SearchStrategy[str]:
    return st.composite(lambda draw: _draw_label(draw, length))()


@cache
def _sizes(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


def _draw_labels_filling(draw: st.DrawFn, budget: int) -> list[str]:
    """Labels joined by dots that use exactly ``budget`` characters, each 1..63 long."""
    labels = []
    while budget > 63 or (budget > 2 and draw(_BOOLEANS)):
        # Leave at least a dot and one character for what follows.
        size = draw(_sizes(1, min(63, budget - 2)))
        labels.append(_draw_label(draw, size))
        budget -= size + 1
    labels.append(_draw_label(draw, budget))
    return labels


def dns_names(
    *,
    min_length: int = 9,
    max_length: int = ADDRESS_MAX_LENGTH,
    tlds: tuple[str, ...] = RESERVED_TLDS,
    trailing_dot: bool | None = None,
) -> st.SearchStrategy[str]:
    """DNS names under a reserved top-level name, ``min_length..max_length`` characters in all.

    Labels are 1..63 letters, digits and inner hyphens (RFC 1123), in mixed case; there is always at
    least one label before the top-level name. ``trailing_dot`` None draws with and without the
    root dot. A ``max_length`` above 64 (the Address type) is allowed so that callers can build
    names that break only the length rule; DNS's own limit of 253 is kept.
    """
    bad = set(tlds) - set(RESERVED_TLDS)
    if bad or not tlds:
        raise ValueError(f"only reserved top-level names may be generated ({RESERVED_TLDS}), not {sorted(bad)}")
    max_length = min(max_length, 253)
    shortest = 2 + min(len(tld) for tld in tlds) + (1 if trailing_dot else 0)
    if max(min_length, shortest) > max_length:
        raise ValueError(f"no name under {tlds} fits in {min_length}..{max_length} characters")
    return _dns_names(min_length, max_length, tlds, trailing_dot)


@cache
@st.composite
def _dns_names(
    draw: st.DrawFn, min_length: int, max_length: int, tlds: tuple[str, ...], trailing_dot: bool | None
) -> str:
    tld = draw(st.sampled_from(tlds).filter(lambda t: max(min_length, len(t) + 2 + bool(trailing_dot)) <= max_length))
    if trailing_dot is None:
        dot = draw(_BOOLEANS) if max(min_length, len(tld) + 3) <= max_length else False
    else:
        dot = trailing_dot
    tld = _mixed_case(draw, tld) if draw(_BOOLEANS) else tld
    suffix = "." + tld + ("." if dot else "")
    length = draw(st.integers(max(min_length, 1 + len(suffix)), max_length))
    return ".".join(_draw_labels_filling(draw, length - len(suffix))) + suffix


# --------------------------------------------------------------------------- valid, all forms


@cache
def valid_addresses(*, max_length: int = ADDRESS_MAX_LENGTH) -> st.SearchStrategy[str]:
    """Any valid address that cannot reach a real host: IPv4, IPv6 (every form) or a reserved DNS name."""
    return st.one_of(
        ipv4_addresses(),
        ipv6_addresses(),
        dns_names(max_length=max_length),
    )


# --------------------------------------------------------------------------- invalid, by kind

_HEX = "0123456789abcdef"
_WHITESPACE = (" ", "\t", "\n", "\r", "\u00a0", "\u2003", "\u3000")
_CONTROL = ("\x00", "\x01", "\x1b", "\x7f", "\u200b")


@cache
def _hosts() -> st.SearchStrategy[str]:
    """Short hosts to wrap in URLs and host:port forms (the result must stay within 64 characters)."""
    short_ipv6 = st.integers(1, 0xFFFF).map(lambda group: f"[2001:db8::{group:x}]")
    return st.one_of(ipv4_addresses(), dns_names(max_length=24), short_ipv6)


@st.composite
def _octet_out_of_range(draw: st.DrawFn) -> str:
    octets = str(draw(_ipv4_objects())).split(".")
    index = draw(st.integers(0, 3))
    octets[index] = str(draw(st.one_of(st.integers(256, 999), st.just(256), st.integers(1000, 99999))))
    return ".".join(octets)


@st.composite
def _too_few_octets(draw: st.DrawFn) -> str:
    address = draw(_ipv4_objects())
    a, b, c, d = (int(part) for part in str(address).split("."))
    # Each form is what inet_aton reads as this very documentation address.
    forms = (f"{a}.{b}.{c * 256 + d}", f"{a}.{b * 65536 + c * 256 + d}", str(int(address)))
    return draw(st.sampled_from(forms))


@st.composite
def _too_many_octets(draw: st.DrawFn) -> str:
    extra = draw(st.lists(st.integers(0, 255).map(str), min_size=1, max_size=3))
    return ".".join([str(draw(_ipv4_objects())), *extra])


@st.composite
def _host_port(draw: st.DrawFn) -> str:
    port = draw(st.sampled_from((80, 443, 554, 322, 8554, 65535)))
    return f"{draw(_hosts())}:{port}"


@st.composite
def _url(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(("rtsp", "rtsps", "http", "https")))
    host = draw(_hosts())
    port = draw(st.sampled_from(("", ":554", ":322")))
    path = draw(st.sampled_from(("", "/", "/media.amp")))
    return f"{scheme}://{host}{port}{path}"


@st.composite
def _whitespace_around(draw: st.DrawFn) -> str:
    before = draw(st.text(alphabet=_WHITESPACE, max_size=2))
    after = draw(st.text(alphabet=_WHITESPACE, min_size=0 if before else 1, max_size=2))
    return before + draw(valid_addresses(max_length=60)) + after


def _dotted_quad(text: str) -> bool:
    return text.count(".") == 3 and text.replace(".", "").isdigit()


@cache
def _insertion_bases() -> st.SearchStrategy[str]:
    # IPv4 bases get a last octet of two digits or more: see _inserted.
    return valid_addresses(max_length=60).filter(lambda a: not _dotted_quad(a) or len(a.rsplit(".", 1)[1]) >= 2)


@cache
@st.composite
def _inserted(draw: st.DrawFn, alphabet: tuple[str, ...]) -> str:
    address = draw(_insertion_bases())
    # In a dotted quad the character goes inside the last octet: inet_aton stops at whitespace and
    # C strings at NUL, and "198.51 .100.7" read up to the space is 198.0.0.51, a real host.
    low = address.rindex(".") + 2 if _dotted_quad(address) else 1
    index = draw(st.integers(low, len(address) - 1))
    return address[:index] + draw(st.sampled_from(alphabet)) + address[index:]


def _overlong() -> st.SearchStrategy[str]:
    # A proper DNS name (labels <= 63) under a reserved name that only the 64-character limit rejects.
    return dns_names(min_length=ADDRESS_MAX_LENGTH + 1, max_length=ADDRESS_MAX_LENGTH + 40)


@st.composite
def _non_ascii(draw: st.DrawFn) -> str:
    tld = draw(st.sampled_from(RESERVED_TLDS))
    name = draw(st.sampled_from(("bücher", "kamera-ö", "カメラ", "камера", "漢字", "😀cam", "ｃａｍ", "straße")))
    return draw(
        st.sampled_from(
            (
                f"{name}.{tld}",
                f"cam.{name}.{tld}",
                "１９２.０.２.１",  # fullwidth digits: NFKC would make it 192.0.2.1
                "192。0。2。1",  # ideographic full stop: IDNA maps it to "."
                f"cam.{tld}\u3002",
            )
        )
    )


@st.composite
def _hyphen(draw: st.DrawFn, at_start: bool) -> str:
    label = draw(_label(draw(st.integers(1, 20))))
    label = "-" + label if at_start else label + "-"
    tld = draw(st.sampled_from(RESERVED_TLDS))
    return draw(st.sampled_from((f"{label}.{tld}", f"cam.{label}.{tld}")))


@st.composite
def _label_too_long(draw: st.DrawFn) -> str:
    # One label of 64 characters, starting with a letter: exactly the Address type's 64-character
    # limit, so only the label rule (1..63) breaks. A longer name that held it would be overlong too.
    # No resolver sends it: a label over 63 octets cannot be encoded in a DNS query.
    label = draw(_label(64))
    return label if label[0] in _LETTERS else "a" + label[1:]


@st.composite
def _label_empty(draw: st.DrawFn) -> str:
    tld = draw(st.sampled_from(RESERVED_TLDS))
    label = draw(_label(draw(st.integers(1, 10))))
    return draw(st.sampled_from((f"{label}..{tld}", f".{label}.{tld}", f"{label}.{tld}..", ".", "..")))


@st.composite
def _ipv6_zone(draw: st.DrawFn) -> str:
    zone = draw(st.sampled_from(("eth0", "1", "25eth0", "en0", "lo")))
    return draw(ipv6_addresses(("compressed", "full"))) + "%" + zone


@st.composite
def _ipv6_bad_groups(draw: st.DrawFn) -> str:
    groups = draw(st.lists(st.text(alphabet=_HEX, min_size=1, max_size=4), min_size=6, max_size=6))
    full = ["2001", "db8", *groups]
    forms = (
        ":".join(full[:7]),  # seven groups, no "::"
        ":".join([*full, "1"]),  # nine groups
        f"2001:db8::{groups[0]}::1",  # two "::"
        f"2001:db8:::{groups[0]}",  # ":::"
        f"2001:db8::{groups[0]}g",  # a letter beyond f
        f"2001:db8:{groups[0]}0000::1",  # a group of five or more digits
        f":2001:db8::{groups[0]}",  # a lone leading colon
        f"2001:db8::{groups[0]}:",  # a lone trailing colon
        "2001:db8::192.0.2.256",  # an embedded dotted quad out of range
        "::ffff:192.0.2",  # an IPv4-mapped tail with three octets
    )
    return draw(st.sampled_from(forms))


def _ipv6_brackets() -> st.SearchStrategy[str]:
    return ipv6_addresses(("compressed", "full")).map(lambda a: f"[{a}]")


@cache
def _by_kind() -> dict[str, st.SearchStrategy[str]]:
    return {
        "empty": st.just(""),
        "ipv4-octet-out-of-range": _octet_out_of_range(),
        "ipv4-too-few-octets": _too_few_octets(),
        "ipv4-too-many-octets": _too_many_octets(),
        "host-port": _host_port(),
        "url": _url(),
        "whitespace-around": _whitespace_around(),
        "whitespace-inside": _inserted(_WHITESPACE),
        "control-character": _inserted(_CONTROL),
        "overlong": _overlong(),
        "non-ascii": _non_ascii(),
        "label-hyphen-start": _hyphen(at_start=True),
        "label-hyphen-end": _hyphen(at_start=False),
        "label-too-long": _label_too_long(),
        "label-empty": _label_empty(),
        "ipv6-zone": _ipv6_zone(),
        "ipv6-bad-groups": _ipv6_bad_groups(),
        "ipv6-brackets": _ipv6_brackets(),
    }


@cache
def invalid_addresses(kinds: tuple[str, ...] = INVALID_ADDRESS_KINDS) -> st.SearchStrategy[tuple[str, str]]:
    """``(kind, value)`` pairs: addresses that are not a valid IPv4/IPv6 address or DNS name (error 102),
    or (kind ``overlong``) longer than the Address type's 64 characters. ``kinds`` narrows the draw to
    some of :data:`INVALID_ADDRESS_KINDS`.

    Every kind but ``overlong`` is at most 64 characters (so the documented Address type accepts it
    and only the strict layer, i.e. error 102, rejects it); ``overlong`` is a proper DNS name under a
    reserved name that only the length breaks."""
    unknown = set(kinds) - set(INVALID_ADDRESS_KINDS)
    if unknown or not kinds:
        raise ValueError(f"unknown invalid-address kinds {sorted(unknown)}; choose from {INVALID_ADDRESS_KINDS}")
    return st.sampled_from(kinds).flatmap(_labelled_kind)


@cache
def _labelled_kind(kind: str) -> st.SearchStrategy[tuple[str, str]]:
    values = _by_kind()[kind]
    if kind != "overlong":
        # Only "overlong" breaks the 64-character limit, so every other kind breaks one rule alone.
        values = values.filter(lambda value: len(value) <= ADDRESS_MAX_LENGTH)
    return values.map(lambda value: (kind, value))

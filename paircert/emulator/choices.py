"""The emulator's choices where the documents are silent, as one typed record.

Every field is a behaviour the vendor documents leave open (PROTOCOL-NOTES §1-§3 name the gaps),
declared once with both its values: ``choice(reference, alternate)``. :data:`REFERENCE` is what the
emulator does by default; :data:`ALTERNATE` makes a different choice for every field, each equally
allowed, so that a suite run against both proves it fails a device only on what the documents say
(DESIGN.md, "Where the documents are silent"). A new choice cannot be declared without its
alternate, and needs a row in the README table "Reference choices and their alternates".
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Literal, TypeVar, cast

from ..vapix.paths import RADAR_PATHS as _BOTH_RADAR_PATHS

if TYPE_CHECKING:  # config carries a Choices, so the import goes one way at run time
    from .config import Role

__all__ = ["ALTERNATE", "CHOICE_NAMES", "REFERENCE", "ChoiceName", "Choices", "choices_named"]

ChoiceName = Literal["reference", "alternate"]
CHOICE_NAMES: tuple[ChoiceName, ...] = ("reference", "alternate")

_T = TypeVar("_T")


def choice(reference: _T, alternate: _T) -> _T:
    """One row of the table: a required field whose two values the records below are made from.

    Typed as the value so that mypy checks both against the field's annotation."""
    return cast(_T, field(metadata={"reference": reference, "alternate": alternate}))


@dataclass(frozen=True)
class Choices:
    """One field per undocumented behaviour; the API modules read only this record."""

    name: ChoiceName
    # camera pairing (Device Configuration framework)
    invalid_value_status: int = choice(400, 422)
    """HTTP status of a refused value: type, enum, length, missing field, 101 and 102."""
    max_pairings_status: int = choice(409, 400)
    """HTTP status of error 104 (a second ADD)."""
    unsupported_media_status: int = choice(415, 400)
    """HTTP status of an ADD or SET whose body is not ``application/json``."""
    framework_error_code: Literal["http-status", "zero"] = choice("http-status", "zero")
    """``error.code`` of a failure that is no API code (404, 405, ...)."""
    add_answers_entity: bool = choice(True, False)
    """ADD answers 201 with the created entity (camera pairing page) or 201 without data (framework page)."""
    item_in_error: Literal["error-envelope", "success-with-code"] = choice("error-envelope", "success-with-code")
    """GET of a pairing in Error: HTTP 200 with the 106/107/108 error envelope, or the success
    envelope with the entity and an ``error`` member that carries the code."""
    collection_reads_any_role: bool = choice(False, True)
    """Root and collection GET list no permission: admin only, or any authenticated role."""
    pairing_id: Literal["timestamp", "uuid"] = choice("timestamp", "uuid")
    """``CameraPairing-<unix>-<6 digits>`` (like the examples) or a UUID (the ID type is any string)."""
    normalises_addresses: bool = choice(False, True)
    """An address is stored as sent, or in its canonical text (RFC 5952 IPv6, lower-case names)."""
    description_relinks: bool = choice(False, True)
    """A SET of description starts a new session to the peer (Connecting again) or leaves the link alone."""
    # radar pairing (JSON CGI)
    radar_paths: tuple[str, ...] = choice(_BOTH_RADAR_PATHS, ("/networkradarpairing.cgi",))
    """Where the radar CGI answers: the Axis convention and the document's bare path, or the bare path only."""
    radar_read_roles: tuple[Role, ...] = choice(("admin", "operator"), ("admin", "operator", "viewer"))
    """Who may call getRadarConnection and getActive (getSupportedVersions is open to every role)."""
    radar_write_roles: tuple[Role, ...] = choice(("admin",), ("admin", "operator"))
    """Who may call setRadarConnection, setActive and clearConfiguration (never a viewer)."""
    activate_waits_for_outcome: bool = choice(False, True)
    """setActive(true) answers at once (state ``failed``, the catch-all, until the first outcome) or
    after the link's first outcome (bounded), so no state before it is ever visible."""
    clear_without_configuration: Literal["success", "2201"] = choice("success", "2201")
    set_inactive_without_configuration: Literal["success", "2201"] = choice("2201", "success")
    """setActive(false) with no configuration: the table says 2201, the idempotence rule says success."""
    version_in_errors: Literal["requested", "supported"] = choice("requested", "supported")
    """apiVersion of the answer to an unsupported or malformed apiVersion: echoed, or the device's own."""
    versions_ignore_api_version: bool = choice(False, True)
    """getSupportedVersions answers its list whatever apiVersion the request carries (else 2100/2104)."""
    unauthenticated_radar_body: Literal["json", "html"] = choice("json", "html")
    """The 401 on the radar CGI: the 2106 envelope, or the web server's own HTML page (the CGI never runs)."""
    # request bodies (camera pairing and radar CGI)
    body_limit: int = choice(64 * 1024, 2 * 1024 * 1024)
    """Largest JSON body accepted, in bytes (413 above it)."""
    length_required: bool = choice(True, False)
    """A body without Content-Length (chunked) is refused with 411, or read to its end."""
    max_json_depth: int = choice(64, 512)
    """Deepest JSON nesting accepted (400, and 2101 on the CGI, above it). Both stay below the
    depth where Python's parser and encoder recurse out, so an accepted body can be echoed."""
    accepts_lone_surrogates: bool = choice(False, True)
    """A string with an unpaired ``\\ud800``-style escape: refused with 400 (2101 on the CGI), as
    I-JSON (RFC 7493 §2.1) asks, or stored as sent (RFC 8259 §8.2 allows it). Answers escape it
    again (``json.dumps`` with ``ensure_ascii``), so they stay valid JSON and valid UTF-8."""
    # discovery and authentication
    api_doc_links: bool = choice(True, False)
    """apidiscovery.cgi entries carry a docLink URL, or ``"docLink": ""`` as some firmware does."""
    discovery_in_envelope: bool = choice(True, False)
    """``/config/discover`` documents in the DCA success envelope, or bare as the public page shows them."""
    digest_algorithms: tuple[str, ...] = choice(("MD5",), ("SHA-256", "MD5"))
    """What a Digest challenge offers, in offer order."""
    challenge_empty_posts: bool = choice(True, False)
    """An anonymous POST with an empty body to a CGI open to anonymous callers (basicdeviceinfo.cgi,
    apidiscovery.cgi) gets the web server's 401 and challenge (so ``curl --digest`` logs in), or the
    CGI's own answer to a body that is no JSON (400, 2101), as where the CGI runs before any check."""
    accepts_zone_index: bool = choice(False, True)
    """An IPv6 address with a zone index (``fe80::1%eth0``, RFC 4007) is refused with 102, or stored as sent."""


def _made(name: ChoiceName) -> Choices:
    """The record of one column of the table."""
    values = {row.name: row.metadata[name] for row in fields(Choices) if row.name != "name"}
    return Choices(name=name, **values)


REFERENCE = _made("reference")
ALTERNATE = _made("alternate")


def choices_named(name: str) -> Choices:
    """The record for ``--choices NAME``."""
    for choices in (REFERENCE, ALTERNATE):
        if choices.name == name:
            return choices
    raise ValueError(f"unknown choices {name!r}; choose from {', '.join(CHOICE_NAMES)}")

"""The emulator's choices where the documents are silent, as one typed record.

Every field is a behaviour the vendor documents leave open (PROTOCOL-NOTES §1-§3 name the gaps).
:data:`REFERENCE` is what the emulator does by default; :data:`ALTERNATE` makes a different
choice for every field, each equally allowed, so that a suite run against both proves it fails a
device only on what the documents say (DESIGN.md, "Where the documents are silent"). A new choice
needs its alternate in the same change, and a row in the README table "Reference choices and their
alternates".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ..vapix.paths import RADAR_PATHS as _BOTH_RADAR_PATHS

if TYPE_CHECKING:  # config carries a Choices, so the import goes one way at run time
    from .config import Role

__all__ = ["ALTERNATE", "CHOICE_NAMES", "REFERENCE", "ChoiceName", "Choices", "choices_named"]

ChoiceName = Literal["reference", "alternate"]
CHOICE_NAMES: tuple[ChoiceName, ...] = ("reference", "alternate")


@dataclass(frozen=True)
class Choices:
    """One field per undocumented behaviour; the API modules read only this record."""

    name: ChoiceName
    # camera pairing (Device Configuration framework)
    invalid_value_status: int
    """HTTP status of a refused value: type, enum, length, missing field, 101 and 102."""
    max_pairings_status: int
    """HTTP status of error 104 (a second ADD)."""
    unsupported_media_status: int
    """HTTP status of an ADD or SET whose body is not ``application/json``."""
    framework_error_code: Literal["http-status", "zero"]
    """``error.code`` of a failure that is no API code (404, 405, ...)."""
    add_answers_entity: bool
    """ADD answers 201 with the created entity (camera pairing page) or 201 without data (framework page)."""
    item_in_error: Literal["error-envelope", "success-with-code"]
    """GET of a pairing in Error: HTTP 200 with the 106/107/108 error envelope, or the success
    envelope with the entity and an ``error`` member that carries the code."""
    collection_reads_any_role: bool
    """Root and collection GET list no permission: admin only, or any authenticated role."""
    pairing_id: Literal["timestamp", "uuid"]
    """``CameraPairing-<unix>-<6 digits>`` (like the examples) or a UUID (the ID type is any string)."""
    normalises_addresses: bool
    """An address is stored as sent, or in its canonical text (RFC 5952 IPv6, lower-case names)."""
    description_relinks: bool
    """A SET of description starts a new session to the peer (Connecting again) or leaves the link alone."""
    # radar pairing (JSON CGI)
    radar_paths: tuple[str, ...]
    """Where the radar CGI answers: the Axis convention and the document's bare path, or the bare path only."""
    radar_read_roles: tuple[Role, ...]
    """Who may call getRadarConnection and getActive (getSupportedVersions is open to every role)."""
    radar_write_roles: tuple[Role, ...]
    """Who may call setRadarConnection, setActive and clearConfiguration (never a viewer)."""
    activate_waits_for_outcome: bool
    """setActive(true) answers at once (state ``failed``, the catch-all, until the first outcome) or
    after the link's first outcome (bounded), so no state before it is ever visible."""
    clear_without_configuration: Literal["success", "2201"]
    set_inactive_without_configuration: Literal["success", "2201"]
    """setActive(false) with no configuration: the table says 2201, the idempotence rule says success."""
    version_in_errors: Literal["requested", "supported"]
    """apiVersion of the answer to an unsupported or malformed apiVersion: echoed, or the device's own."""
    versions_ignore_api_version: bool
    """getSupportedVersions answers its list whatever apiVersion the request carries (else 2100/2104)."""
    unauthenticated_radar_body: Literal["json", "html"]
    """The 401 on the radar CGI: the 2106 envelope, or the web server's own HTML page (the CGI never runs)."""
    body_limit: int
    """Largest JSON body accepted, in bytes (413 above it)."""
    length_required: bool
    """A body without Content-Length (chunked) is refused with 411, or read to its end."""
    # discovery and authentication
    api_doc_links: bool
    """apidiscovery.cgi entries carry a docLink URL, or ``"docLink": ""`` as some firmware does."""
    discovery_in_envelope: bool
    """``/config/discover`` documents in the DCA success envelope, or bare as the public page shows them."""
    digest_algorithms: tuple[str, ...]
    """What a Digest challenge offers, in offer order."""
    challenge_empty_posts: bool
    """An anonymous POST with an empty body to a CGI open to anonymous callers (basicdeviceinfo.cgi,
    apidiscovery.cgi) gets the web server's 401 and challenge (so ``curl --digest`` logs in), or the
    CGI's own answer to a body that is no JSON (400, 2101), as where the CGI runs before any check."""
    accepts_zone_index: bool
    """An IPv6 address with a zone index (``fe80::1%eth0``, RFC 4007) is refused with 102, or stored as sent."""


REFERENCE = Choices(
    name="reference",
    invalid_value_status=400,
    max_pairings_status=409,
    unsupported_media_status=415,
    framework_error_code="http-status",
    add_answers_entity=True,
    item_in_error="error-envelope",
    collection_reads_any_role=False,
    pairing_id="timestamp",
    normalises_addresses=False,
    description_relinks=False,
    radar_paths=_BOTH_RADAR_PATHS,
    radar_read_roles=("admin", "operator"),
    radar_write_roles=("admin",),
    activate_waits_for_outcome=False,
    clear_without_configuration="success",
    set_inactive_without_configuration="2201",
    version_in_errors="requested",
    versions_ignore_api_version=False,
    unauthenticated_radar_body="json",
    body_limit=64 * 1024,
    length_required=True,
    api_doc_links=True,
    discovery_in_envelope=True,
    digest_algorithms=("MD5",),
    challenge_empty_posts=True,
    accepts_zone_index=False,
)

ALTERNATE = Choices(
    name="alternate",
    invalid_value_status=422,
    max_pairings_status=400,
    unsupported_media_status=400,
    framework_error_code="zero",
    add_answers_entity=False,
    item_in_error="success-with-code",
    collection_reads_any_role=True,
    pairing_id="uuid",
    normalises_addresses=True,
    description_relinks=True,
    radar_paths=("/networkradarpairing.cgi",),
    radar_read_roles=("admin", "operator", "viewer"),
    radar_write_roles=("admin", "operator"),
    activate_waits_for_outcome=True,
    clear_without_configuration="2201",
    set_inactive_without_configuration="success",
    version_in_errors="supported",
    versions_ignore_api_version=True,
    unauthenticated_radar_body="html",
    body_limit=2 * 1024 * 1024,
    length_required=False,
    api_doc_links=False,
    discovery_in_envelope=False,
    digest_algorithms=("SHA-256", "MD5"),
    challenge_empty_posts=False,
    accepts_zone_index=True,
)


def choices_named(name: str) -> Choices:
    """The record for ``--choices NAME``."""
    for choices in (REFERENCE, ALTERNATE):
        if choices.name == name:
            return choices
    raise ValueError(f"unknown choices {name!r}; choose from {', '.join(CHOICE_NAMES)}")

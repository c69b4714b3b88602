"""Strings at and across every length boundary of the camera pairing fields, counted in characters.

The documented limits count characters (64 for username and password, 128 for description), so a
value of N multi-byte characters (2, 3 or 4 UTF-8 bytes each, surrogate pairs in UTF-16) is judged
by N alone: within the limit it is stored and read back unchanged, beyond it is rejected and the
stored value stays. Lengths: 0, 1, limit-1, limit, limit+1, and 64 for the description (a device
that counts UTF-8 bytes against 128 rejects 64 characters of 3-byte text).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from paircert.clients.camera_pairing import CameraPairingClient
from paircert.plugin.expect import failure_message
from strategies.text import ALPHABETS, BoundaryString, boundary_strings, text_of_length

LIMITS = {"username": 64, "password": 64, "description": 128}
REQUIREMENTS = {
    "username": "CP-USERNAME-MAXLEN",
    "password": "CP-PASSWORD-MAXLEN",
    "description": "CP-DESCRIPTION-MAXLEN",
}


def _values(prop: str) -> st.SearchStrategy[BoundaryString]:
    limit = LIMITS[prop]
    extra = (
        st.sampled_from(sorted({64, limit // 2, limit}))
        .flatmap(lambda n: st.sampled_from(tuple(ALPHABETS.values())).flatmap(lambda a: text_of_length(n, alphabet=a)))
        .map(lambda v: BoundaryString(v, len(v) <= limit))
    )
    return st.one_of(boundary_strings(limit), extra)


@pytest.mark.parametrize("prop", sorted(LIMITS))
@pytest.mark.requirement(
    "CP-USERNAME-MAXLEN",
    "CP-PASSWORD-MAXLEN",
    "CP-DESCRIPTION-MAXLEN",
    "CP-SET-USERNAME",
    "CP-SET-DESCRIPTION",
    "CP-SET-PASSWORD",
)
@pytest.mark.changes_state
def test_set_accepts_exactly_the_strings_within_the_documented_character_count(
    prop: str, pairing_pool: Any, empty_camera: CameraPairingClient, generation: Any, examples: Any
) -> None:
    requirement = REQUIREMENTS[prop]

    @generation.seeded
    @generation.settings()
    @given(value=_values(prop))
    def check(value: BoundaryString) -> None:
        examples.count += 1
        pairing_id = pairing_pool.ensure()
        before = empty_camera.get_property(pairing_id, prop) if prop != "password" else None
        resp = empty_camera.set_property(pairing_id, prop, value.value)
        utf8 = len(value.value.encode("utf-8"))
        note(
            f"SET {prop}: {len(value.value)} characters, {utf8} UTF-8 bytes -> HTTP {resp.status_code}\n"
            f"  curl: {resp.exchange.to_curl()}"
        )
        if value.within_bounds and not resp.ok:
            pytest.fail(
                failure_message(
                    f"SET {prop} of {len(value.value)} characters ({utf8} UTF-8 bytes) was rejected",
                    resp=resp,
                    expected=f"[{requirement}] success: at most {LIMITS[prop]} characters",
                )
            )
        if not value.within_bounds and resp.ok:
            pytest.fail(
                failure_message(
                    f"SET {prop} of {len(value.value)} characters was accepted",
                    resp=resp,
                    expected=f"[{requirement}] an error: more than {LIMITS[prop]} characters",
                )
            )
        if prop == "password":
            return
        read = empty_camera.get_property(pairing_id, prop)
        wanted = value.value if value.within_bounds else (before.data if before is not None else None)
        if read.data != wanted:
            pytest.fail(
                failure_message(
                    f"GET {prop} after the SET shows another value", resp=read, expected=f"[{requirement}] {wanted!r}"
                )
            )

    check()


@pytest.mark.requirement("CP-DESCRIPTION-MAXLEN", "CP-USERNAME-MAXLEN", "CP-ADD-REQUIRED")
@pytest.mark.changes_state
def test_add_accepts_multibyte_fields_within_the_character_count(
    empty_camera: CameraPairingClient, unreachable_address: str, generation: Any, examples: Any
) -> None:
    @generation.seeded
    @generation.settings()
    @given(username=boundary_strings(64), description=boundary_strings(128))
    def check(username: BoundaryString, description: BoundaryString) -> None:
        examples.count += 1
        body = {
            "address": unreachable_address,
            "username": username.value,
            "password": "paircert-Gen-2",
            "streamingprotocol": "RTSP",
            "verifycertificate": False,
            "description": description.value,
        }
        resp = empty_camera.add(body)
        note(
            f"ADD username {len(username.value)} chars, description {len(description.value)} chars "
            f"-> HTTP {resp.status_code}\n  curl: {resp.exchange.to_curl()}"
        )
        try:
            valid = username.within_bounds and description.within_bounds
            if valid != resp.ok:
                pytest.fail(
                    failure_message(
                        f"ADD with a {len(username.value)}-character username and a {len(description.value)}-character "
                        f"description was {'accepted' if resp.ok else 'rejected'}",
                        resp=resp,
                        expected="[CP-DESCRIPTION-MAXLEN] accepted exactly when every field is within its character count",
                    )
                )
        finally:
            if resp.ok:  # an ADD may answer without data, so the new id comes from the collection
                listing = empty_camera.list()
                for pairing in listing.data if listing.ok and isinstance(listing.data, list) else []:
                    empty_camera.remove(pairing["id"])

    check()

"""The one redaction rule: it removes whole occurrences of known secrets and nothing else."""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from paircert.vapix.passwords import REDACTED, Redactor, password_values, redact_url


def _redactor(*secrets: str) -> Redactor:
    redactor = Redactor()
    for secret in secrets:
        redactor.add(secret)
    return redactor


def test_a_secret_inside_a_longer_word_is_left_alone() -> None:
    text = "passed password pass_word bypass passes test_pass_x pass2"
    assert _redactor("pass").text(text) == text


def test_every_whole_occurrence_goes_at_string_edges_and_beside_punctuation() -> None:
    text = 'pass "pass" (pass), x-pass-y pass/pass: pass'
    assert (
        _redactor("pass").text(text)
        == f'{REDACTED} "{REDACTED}" ({REDACTED}), x-{REDACTED}-y {REDACTED}/{REDACTED}: {REDACTED}'
    )


def test_a_secret_with_punctuation_at_its_edges_is_found_in_quotes_and_after_an_equals_sign() -> None:
    redactor = _redactor("p@ss!", "!#$%")
    assert redactor.text('{"k": "p@ss!"} user=p@ss!, !#$%') == f'{{"k": "{REDACTED}"}} user={REDACTED}, {REDACTED}'


def test_short_and_blank_secrets_are_not_looked_for_in_text() -> None:
    text = "ok 200 a b    c"
    assert _redactor("ok", "200", "a", "    ", "").text(text) == text


def test_a_secret_is_found_as_it_is_written_inside_json_and_in_a_url() -> None:
    secret = 'pa"ss w\\ö'
    redactor = _redactor(secret)
    for carrier in (
        json.dumps({"v": secret}),
        json.dumps({"v": secret}, ensure_ascii=False),
        "u=pa%22ss%20w%5C%C3%B6&x",
    ):
        assert REDACTED in redactor.text(carrier) and "pa" not in redactor.text(carrier).replace(REDACTED, "")


def test_the_longest_secret_wins_where_two_overlap() -> None:
    assert _redactor("pass", "pass word").text("a pass word") == f"a {REDACTED}"


def test_public_names_keep_the_secret_as_their_own_word_and_nowhere_else() -> None:
    nodeid = "suites/x.py::test_login[admin]"
    text = f"admin failed\npytest node: {nodeid}"
    assert _redactor("admin").text(text, keep=[nodeid]) == f"{REDACTED} failed\npytest node: {nodeid}"


def test_json_loses_values_never_keys_and_keeps_its_shape() -> None:
    document: Any = {
        "pass": "pass",
        "outcome": "passed",
        "verdict": "pass",
        "note": "sent pass twice: pass",
        "password": "whatever",
        "list": ["pass", 1, None, {"pass": ["x pass"]}],
    }
    assert _redactor("pass").json(document) == {
        "pass": REDACTED,
        "outcome": "passed",
        "verdict": REDACTED,
        "note": f"sent {REDACTED} twice: {REDACTED}",
        "password": REDACTED,
        "list": [REDACTED, 1, None, {"pass": [f"x {REDACTED}"]}],
    }
    assert document["pass"] == "pass", "the original is not changed"


def test_json_of_a_hostile_depth_is_redacted_without_recursion() -> None:
    node: Any = {"password": "deep-secret", "echo": "deep-secret"}
    for _ in range(100_000):
        node = [node]
    redacted = _redactor("deep-secret").json(node)
    for _ in range(100_000):
        redacted = redacted[0]
    assert redacted == {"password": REDACTED, "echo": REDACTED}
    assert password_values(node) == ["deep-secret"]


def test_a_url_loses_the_password_of_its_userinfo_and_its_password_parameters() -> None:
    assert redact_url("http://root:s3cret@192.0.2.5:80/x?password=p&q=1") == (
        f"http://root:{REDACTED}@192.0.2.5:80/x?password=%3Credacted%3E&q=1"
    )
    assert redact_url("http://192.0.2.5/x?q=1") == "http://192.0.2.5/x?q=1"


@given(
    secret=st.text(alphabet="abcXYZ019_", min_size=4, max_size=8),
    text=st.text(alphabet="abcXYZ019_ .,:;\"'-/[]{}\n", max_size=200),
)
def test_putting_the_secret_back_gives_the_original_text(secret: str, text: str) -> None:
    """Redaction only ever replaces a secret, and leaves no whole occurrence behind."""
    redacted = _redactor(secret).text(text)
    assert redacted.replace(REDACTED, secret) == text
    assert re.search(rf"(?<!\w){re.escape(secret)}(?!\w)", redacted) is None

"""Assertions for suites whose failure messages explain themselves.

Every message names the running test's requirement IDs, shows what was sent and what came back
(from the redacted exchange), says what was expected, and ends with a curl reproduction and the
pytest node id with its seed.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any, NoReturn

import pytest

from paircert.clients.response import ApiResponse
from paircert.clients.transcript import redact_json
from paircert.plugin.context import current_test

__all__ = [
    "expect_error",
    "expect_schema",
    "expect_success",
    "failure_message",
    "success_expected",
    "success_problems",
]

_BODY_LINES = 40


def _indent(text: str) -> str:
    lines = text.splitlines() or [""]
    if len(lines) > _BODY_LINES:
        lines = lines[:_BODY_LINES] + [f"... ({len(lines) - _BODY_LINES} more lines)"]
    return "\n".join(f"    {line}" for line in lines)


def failure_message(
    summary: str,
    *,
    expected: str,
    resp: ApiResponse | None = None,
    problems: Collection[str] = (),
    requirements: Collection[str] | None = None,
) -> str:
    """``requirements`` names the broken statements when they are not the running test's markers
    (a setup step that found the device breaking a requirement of its own)."""
    test = current_test()
    named = requirements if requirements is not None else (test.requirements if test else ())
    lines = [f"[{', '.join(named) if named else 'no requirement marker'}] {summary}"]
    if resp is not None:
        ex = resp.exchange
        lines.append(f"sent: {ex.method} {ex.url}")
        if ex.request_body:
            lines.append(_indent(ex.request_body))
        content_type = ex.response_headers.get("content-type", "no Content-Type")
        lines.append(f"received: HTTP {ex.status_code} ({content_type})")
        if ex.response_body:
            lines.append(_indent(ex.response_body))
    lines.append(f"expected: {expected}")
    lines += [f"  - {problem}" for problem in problems]
    if resp is not None:
        lines.append(f"reproduce: {resp.exchange.to_curl()}")
    if test is not None:
        lines.append(f"pytest node: {test.nodeid} (--seed {test.seed})")
    return "\n".join(lines)


def _fail(summary: str, **kwargs: Any) -> NoReturn:
    __tracebackhide__ = True
    pytest.fail(failure_message(summary, **kwargs))


def _schema_problems(name: str, instance: Any) -> list[str]:
    from paircert import schemas

    return [f"schema {name}: {error}" for error in schemas.validate(name, instance)]


def success_problems(resp: ApiResponse, *, schema: str | None, statuses: Collection[int]) -> list[str]:
    """What keeps ``resp`` from being a success envelope with one of ``statuses`` valid against ``schema``."""
    problems = []
    if resp.status_code not in statuses:
        problems.append(f"HTTP status {resp.status_code} is not one of {sorted(statuses)}")
    if not resp.ok:
        problems.append("the body is not a success envelope" if resp.json is not None else "the body is not JSON")
    if schema is not None and resp.json is not None:
        problems += _schema_problems(schema, resp.json)
    return problems


def success_expected(*, schema: str | None, statuses: Collection[int]) -> str:
    return f"success, HTTP {' or '.join(map(str, sorted(statuses)))}" + (
        f", body valid against {schema}" if schema else ""
    )


def expect_success(resp: ApiResponse, *, schema: str | None = None, statuses: Collection[int] = (200,)) -> Any:
    """The answer is a success envelope with one of ``statuses`` (valid against ``schema``); returns ``data``."""
    __tracebackhide__ = True
    problems = success_problems(resp, schema=schema, statuses=statuses)
    if problems:
        _fail(
            f"expected success, got HTTP {resp.status_code}",
            resp=resp,
            expected=success_expected(schema=schema, statuses=statuses),
            problems=problems,
        )
    return resp.data


def expect_error(
    resp: ApiResponse,
    *,
    code: int | Collection[int] | None = None,
    statuses: Collection[int] | None = None,
    schema: str | None = "dca/error",
) -> ApiResponse:
    """The answer is an error envelope with an allowed code and status.

    The default schema fits the answer's style: ``dca/error`` for DCA answers and
    ``radar-pairing/error`` for JSON CGI answers; pass ``schema=None`` to skip the check.
    """
    __tracebackhide__ = True
    if schema == "dca/error" and resp.style == "cgi":
        schema = "radar-pairing/error"
    codes = None if code is None else ({code} if isinstance(code, int) else set(code))
    problems = []
    if resp.ok:
        problems.append("the device answered with success")
    if statuses is not None and resp.status_code not in statuses:
        problems.append(f"HTTP status {resp.status_code} is not one of {sorted(statuses)}")
    if codes is not None and resp.error_code not in codes:
        problems.append(f"error code {resp.error_code} is not one of {sorted(codes)}")
    if schema is not None:
        problems += _schema_problems(schema, resp.json) if resp.json is not None else ["the body is not JSON"]
    if problems:
        wanted = ["an error envelope"]
        if codes is not None:
            wanted.append(f"code {' or '.join(map(str, sorted(codes)))}")
        if statuses is not None:
            wanted.append(f"HTTP {' or '.join(map(str, sorted(statuses)))}")
        if schema is not None:
            wanted.append(f"valid against {schema}")
        _fail(
            f"expected an error, got HTTP {resp.status_code}", resp=resp, expected=", ".join(wanted), problems=problems
        )
    return resp


def expect_schema(instance: Any, schema: str, *, resp: ApiResponse | None = None) -> None:
    """``instance`` is valid against the named schema."""
    __tracebackhide__ = True
    problems = _schema_problems(schema, instance)
    if problems:
        shown = json.dumps(redact_json(instance), indent=2, ensure_ascii=False, default=str)
        _fail(
            f"a value does not match {schema}",
            resp=resp,
            expected=f"valid against {schema}:\n{_indent(shown)}",
            problems=problems,
        )

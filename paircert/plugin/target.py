"""The target a run talks to, as the suites see it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from paircert.clients.http import Credentials
from paircert.clients.preflight import PreflightError, preflight

__all__ = ["PreflightError", "Role", "TargetConfig", "preflight"]

Role = Literal["admin", "operator", "viewer"]


@dataclass(frozen=True)
class TargetConfig:
    """What the suites know about the target; the repr shows no password (Credentials redact)."""

    base_url: str
    host: str
    admin: Credentials
    operator: Credentials | None
    viewer: Credentials | None
    verify: bool | str
    profile: str
    embedded: bool
    set_method: str = "PATCH"
    seed: int = 0
    timeout: float = 10.0

    def credentials(self, role: Role) -> Credentials | None:
        return {"admin": self.admin, "operator": self.operator, "viewer": self.viewer}[role]

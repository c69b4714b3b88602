"""The RTSP session state machine of RFC 2326 Appendix A (Init, Ready, Playing).

Client and server walk the same table: the client moves when it *receives* a 2xx answer to a
state-changing request, the server when it *sends* one, so both sides agree on the state at every
message boundary. RECORD is not offered by paircert, so there is no Recording state.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from paircert.rtsp.errors import MalformedPacket
from paircert.rtsp.headers import SessionHeader

__all__ = ["SessionMachine", "SessionState"]


class SessionState(enum.Enum):
    INIT = "Init"
    READY = "Ready"
    PLAYING = "Playing"


_S = SessionState
# (state, method) -> next state after a 2xx answer (RFC 2326 §A.1 and §A.2 without RECORD).
TRANSITIONS: dict[tuple[SessionState, str], SessionState] = {
    (_S.INIT, "SETUP"): _S.READY,
    (_S.INIT, "TEARDOWN"): _S.INIT,
    (_S.READY, "SETUP"): _S.READY,
    (_S.READY, "PLAY"): _S.PLAYING,
    (_S.READY, "TEARDOWN"): _S.INIT,
    (_S.PLAYING, "SETUP"): _S.PLAYING,
    (_S.PLAYING, "PLAY"): _S.PLAYING,
    (_S.PLAYING, "PAUSE"): _S.READY,
    (_S.PLAYING, "TEARDOWN"): _S.INIT,
}
STATE_CHANGING = frozenset(method for _, method in TRANSITIONS)


@dataclass
class SessionMachine:
    """One session per connection: its id, the timeout the server announced, and its state."""

    state: SessionState = SessionState.INIT
    session_id: str | None = None
    timeout: int | None = None

    def allows(self, method: str) -> bool:
        """Whether ``method`` is valid now (RFC 2326 §A); only state-changing methods depend on it.

        Other methods (sessionless ones, extensions, RECORD which paircert does not offer) are
        for the server to accept or answer 501.
        """
        return method not in STATE_CHANGING or (self.state, method) in TRANSITIONS

    def refusal(self, method: str, session: str | None) -> int | None:
        """The status a server must answer instead of serving the request, or None to serve it.

        400 for an unreadable Session header; 454 when the request names another session, or
        none where one is needed; 455 when the method is not valid in the current state.
        """
        try:
            named = SessionHeader.parse(session).session_id if session else None
        except MalformedPacket:
            return 400
        if named is not None and named != self.session_id:
            return 454
        if method in STATE_CHANGING and self.session_id is not None and named is None:
            return 454
        if method in STATE_CHANGING and method != "SETUP" and self.session_id is None:
            return 454
        if not self.allows(method):
            return 455
        return None

    def succeeded(self, method: str, session: SessionHeader | None) -> None:
        """Apply a 2xx answer to ``method``; a SETUP answer fixes the session id and timeout."""
        if method == "SETUP" and session is not None and self.session_id is None:
            self.session_id, self.timeout = session.session_id, session.timeout
        next_state = TRANSITIONS.get((self.state, method))
        if next_state is not None:
            self.state = next_state
        if method == "TEARDOWN":
            self.session_id = None
            self.timeout = None

"""What a subcommand says to a user who asked for something it cannot do: one line and an exit code.

Every subcommand's package raises :class:`CliError`; only the console script (``paircert.cli``)
catches it and prints it, so the packages never import the CLI.
"""

from __future__ import annotations

__all__ = ["EXIT_USAGE", "CliError"]

EXIT_USAGE = 2


class CliError(Exception):
    """A problem to tell the user in one line, with the exit code to leave with."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code

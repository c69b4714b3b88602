"""``paircert verify DECLARATION``: one line per difference; exit 0 untouched, 1 edited or unreadable."""

from __future__ import annotations

import argparse
from pathlib import Path

from paircert.declaration.verify import verify

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("declaration", metavar="DECLARATION", help="a declaration.json a certification run wrote")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="also list what was compared and what could not be"
    )


def run(args: argparse.Namespace) -> int:
    path = Path(args.declaration)
    result = verify(path)
    for line in result.differences:
        print(line)
    if args.verbose:
        for item in result.compared:
            print(f"compared: {item}")
        for item in result.not_compared:
            print(f"not compared: {item}")
    if result.untouched:
        print(f"{path}: untouched ({len(result.compared)} checks; {len(result.not_compared)} not possible here)")
        return 0
    print(f"{path}: {len(result.differences)} difference(s)")
    return 1

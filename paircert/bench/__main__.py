"""``python -m paircert.bench``: print the throughput comparison (see paircert.bench.throughput)."""

from __future__ import annotations

import sys

from paircert.bench.throughput import compare


def main() -> int:
    suite, cli = compare()
    for result in (suite, cli):
        print(f"{result.name}: {result.cases} cases in {result.seconds:.1f} s = {result.per_second:.1f} cases/s")
    ratio = suite.per_second / cli.per_second if cli.per_second else float("nan")
    print(f"ratio suite/bare schemathesis: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

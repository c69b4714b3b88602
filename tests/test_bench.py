"""The throughput benchmark still measures both sides (it reports figures; no figure is judged)."""

from __future__ import annotations

from paircert.bench.throughput import compare


def test_benchmark_counts_cases_on_both_sides_of_the_comparison() -> None:
    suite, bare = compare()
    assert suite.cases > 0 and suite.seconds > 0, suite
    assert bare.cases > 0 and bare.seconds > 0, bare

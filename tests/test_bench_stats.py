"""The benchmarks' arithmetic on synthetic inputs: percentiles, jitter, RTP loss, calibration,
frame matching, radar steps, targets, and the result document against its schema."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from paircert import schemas
from paircert.bench.calibration import Calibration, CalibrationCheck
from paircert.bench.generated import GeneratedResult, Side, best, parse_cli_summary, warm_caches
from paircert.bench.latency import LatencyResult, added_latencies
from paircert.bench.radar import RadarResult, Step, StepRate, judge_step
from paircert.bench.report import SCHEMA, Target, document
from paircert.bench.stats import LossCounter, percentile, rfc3550_jitter, summarize
from paircert.bench.streams import FrameArrival
from paircert.rtsp.rtp import unix_to_ntp

# --- percentiles and jitter --------------------------------------------------------------------


def test_percentiles_interpolate_between_closest_ranks() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 99) == pytest.approx(99.01)
    assert percentile(values, 0) == 1 and percentile(values, 100) == 100
    assert percentile([7.0], 99) == 7.0


def test_percentiles_do_not_depend_on_input_order() -> None:
    values = [5.0, 1.0, 9.0, 3.0, 7.0]
    assert percentile(values, 95) == percentile(sorted(values), 95) == pytest.approx(8.6)


@pytest.mark.parametrize(("values", "q"), [([], 50), ([1.0], -1), ([1.0], 100.5)])
def test_percentile_refuses_no_values_and_out_of_range_ranks(values: list[float], q: float) -> None:
    with pytest.raises(ValueError):
        percentile(values, q)


def test_jitter_is_zero_for_a_constant_transit_and_ignores_the_offset() -> None:
    assert rfc3550_jitter([12.0] * 50) == 0.0
    wobble = [0.0, 4.0] * 40
    assert rfc3550_jitter(wobble) == pytest.approx(rfc3550_jitter([v + 1000 for v in wobble]))


def test_jitter_follows_rfc3550_one_sixteenth_gain() -> None:
    # |D| = 16 every step: J goes 1, 1 + 15/16, ... toward 16.
    assert rfc3550_jitter([0.0, 16.0]) == pytest.approx(1.0)
    assert rfc3550_jitter([0.0, 16.0, 0.0]) == pytest.approx(1.0 + 15 / 16)
    assert rfc3550_jitter([0.0, 16.0] * 200) == pytest.approx(16.0, rel=1e-3)


def test_summary_reports_percentiles_max_mean_and_count() -> None:
    summary = summarize([1.0, 2.0, 3.0, 4.0])
    assert (summary.count, summary.max, summary.mean) == (4, 4.0, 2.5)
    assert summary.p50 == pytest.approx(2.5)
    with pytest.raises(ValueError):
        summarize([])


# --- loss from RTP sequence numbers ------------------------------------------------------------


def counted(*numbers: int) -> LossCounter:
    counter = LossCounter()
    for number in numbers:
        counter.add(number)
    return counter


def test_a_contiguous_run_loses_nothing() -> None:
    counter = counted(*range(100, 200))
    assert (counter.expected, counter.lost, counter.loss_ratio) == (100, 0, 0.0)


def test_a_gap_counts_every_missing_number() -> None:
    counter = counted(1, 2, 3, 7, 8)
    assert (counter.expected, counter.lost) == (8, 3)


def test_the_16_bit_wrap_is_not_a_gap() -> None:
    counter = counted(65534, 65535, 0, 1)
    assert (counter.expected, counter.lost) == (4, 0)
    assert counted(65535, 1).lost == 1


def test_a_packet_late_across_the_wrap_fills_its_gap() -> None:
    counter = counted(65533, 65535, 0, 65534, 1)
    assert (counter.expected, counter.lost) == (5, 0)


def test_reordering_alone_is_not_loss_and_duplicates_count_once() -> None:
    counter = counted(10, 12, 11, 11, 13, 12)
    assert (counter.expected, counter.lost, counter.duplicates, counter.received) == (4, 0, 2, 6)


def test_a_long_run_over_several_wraps_keeps_its_count() -> None:
    counter = counted(*((n & 0xFFFF) for n in range(60_000, 200_000) if n % 1000))
    assert counter.expected == 140_000 - 1 and counter.lost == 139


def test_a_number_outside_16_bits_is_refused() -> None:
    with pytest.raises(ValueError):
        LossCounter().add(65536)


# --- calibration ---------------------------------------------------------------------------------


def test_calibration_passes_when_every_path_rises_by_the_delay_within_the_tolerance() -> None:
    checks = (CalibrationCheck("direct", 2.0, 22.9), CalibrationCheck("device", 3.0, 22.1))
    calibration = Calibration(20.0, 1.0, checks)
    assert calibration.passed
    assert [p["error_ms"] for p in calibration.to_json()["paths"]] == [pytest.approx(0.9), pytest.approx(-0.9)]


@pytest.mark.parametrize(
    "checks",
    [
        (CalibrationCheck("direct", 2.0, 22.0), CalibrationCheck("device", 3.0, 24.5)),
        (CalibrationCheck("direct", 2.0, 20.5),),
        (CalibrationCheck("direct", 2.0, 22.0), CalibrationCheck("device", None, 23.0)),
        (),
    ],
    ids=["one path off by 1.5 ms", "rise short by 1.5 ms", "a path without frames", "no path"],
)
def test_calibration_fails_when_any_path_misses_or_is_unmeasured(checks: tuple[CalibrationCheck, ...]) -> None:
    assert not Calibration(20.0, 1.0, checks).passed


# --- frames, radar steps, targets ----------------------------------------------------------------


def frame(capture: float, latency_ms: float, number: int | None = None, size: int = 100) -> FrameArrival:
    ntp = unix_to_ntp(capture)
    return FrameArrival(ntp, capture, capture + latency_ms / 1000, size, number)


def test_added_latency_pairs_frames_by_capture_time_and_skips_frames_one_path_missed() -> None:
    direct = [frame(100.0, 2.0), frame(100.04, 3.0)]
    device = [frame(100.0, 2.5), frame(100.04, 4.0), frame(100.08, 9.0)]
    assert added_latencies(direct, device) == [pytest.approx(0.5), pytest.approx(1.0)]


def test_a_radar_step_holds_without_missing_numbers_under_the_limit_at_pace() -> None:
    frames = [frame(100 + i / 10, 5.0, number=i + 1, size=1000) for i in range(10)]
    step = judge_step(frames, StepRate(10, 50), 50.0)
    assert step.held and step.lost == 0
    assert (step.frames_per_s, step.objects_per_s, step.bytes_per_s) == pytest.approx((10.0, 500.0, 10_000.0))


def test_a_radar_step_fails_on_a_missing_frame_number_even_with_gapless_rtp() -> None:
    frames = [frame(100 + i / 10, 5.0, number=n) for i, n in enumerate((1, 2, 4, 5))]
    step = judge_step(frames, StepRate(10, 5), 50.0)
    assert not step.held and step.lost == 1 and step.reason == "1 frames lost"


def test_a_radar_step_fails_over_the_latency_limit_or_under_the_offered_pace() -> None:
    slow = [frame(100 + i / 10, 80.0, number=i) for i in range(10)]
    assert "over the 50 ms limit" in str(judge_step(slow, StepRate(10, 5), 50.0).reason)
    sparse = [frame(100 + i / 5, 5.0, number=i) for i in range(5)]
    assert "offered" in str(judge_step(sparse, StepRate(10, 5), 50.0).reason)


def test_the_radar_zero_loss_rate_is_the_highest_step_that_held_and_the_ratio_compares_paths() -> None:
    result = RadarResult(50.0)
    low, high = StepRate(10, 10), StepRate(10, 100)
    good = [frame(100 + i / 10, 5.0, number=i) for i in range(10)]
    bad = [frame(100 + i / 10, 5.0, number=2 * i) for i in range(10)]
    result.steps = [
        Step(low, 1.0, judge_step(good, low, 50.0), judge_step(good, low, 50.0)),
        Step(high, 1.0, judge_step(bad, high, 50.0), judge_step(good, high, 50.0)),
    ]
    assert result.headline() == {"zero_loss_objects_per_s": pytest.approx(100.0), "ratio_to_direct": 0.1}


@pytest.mark.parametrize(
    ("target", "met"),
    [
        (Target("p50", "<=", 2.0, 1.5), True),
        (Target("p50", "<=", 2.0, 2.5), False),
        (Target("ratio", ">=", 0.8, 0.8), True),
        (Target("ratio", ">=", 0.8, None), None),
    ],
)
def test_a_target_is_met_by_its_comparison_and_unmeasured_without_a_figure(target: Target, met: bool | None) -> None:
    assert target.met is met


def test_the_cli_summary_gives_cases_and_the_cli_s_own_seconds() -> None:
    text = "Test cases:\n  132 generated, 1 found 1 unique failure\n\n===== 1 failure, 1 warning in 4.01s =====\n"
    assert parse_cli_summary(text) == (132, 4.01)
    assert parse_cli_summary("nothing here") is None


def test_both_sides_hypothesis_homes_hold_the_unicode_tables_before_any_timed_run(tmp_path: Path) -> None:
    homes = [tmp_path / "suite" / "hypothesis", tmp_path / "bare" / ".hypothesis"]
    warm_caches(homes)
    for home in homes:
        assert {p.name for p in home.glob("unicode_data/*/*")} >= {"charmap.json.gz", "codec-v2-utf-8.json.gz"}


# --- the result document -------------------------------------------------------------------------


def latency_result(delayed_direct: float) -> LatencyResult:
    direct = [frame(100 + i / 25, 2.0 + (i % 3) / 10) for i in range(50)]
    device = [frame(100 + i / 25, 2.6 + (i % 3) / 10) for i in range(50)]
    loss = counted(*range(50)).to_json()
    return LatencyResult(
        add_to_paired_ms=80.0,
        add_to_first_frame_ms=120.0,
        direct=direct,
        device=device,
        direct_loss=loss,
        device_loss=loss,
        calibration=Calibration(20.0, 1.0, (CalibrationCheck("direct", 2.1, delayed_direct),)),
        reconnection={
            "applicable": True,
            "reason": None,
            "down_to_error_ms": 30.0,
            "up_to_paired_ms": 500.0,
            "up_to_frames_ms": 510.0,
        },
        window_s=2.0,
    )


def doc(kind: str, result: object, blocked: str | None = None) -> dict[str, object]:
    return document(
        kind,  # type: ignore[arg-type]
        target_url="http://root:secret@127.0.0.1:8080",
        embedded=True,
        run_id="run-1",
        started=datetime(2026, 12, 1, tzinfo=UTC),
        seconds=3.2,
        budget_s=3.0,
        result=result,  # type: ignore[arg-type]
        plots=[Path("latency-cdf.svg")],
        blocked=blocked,
    )


def test_a_calibrated_latency_document_validates_with_its_headline_figures() -> None:
    document_ = doc("latency", latency_result(22.0))
    assert schemas.validate(SCHEMA, document_) == []
    assert document_["calibration"]["passed"] is True  # type: ignore[index]
    added = document_["headline"]["added_latency_ms"]  # type: ignore[index]
    assert set(added) == {"p50", "p95", "p99"} and added["p50"] == pytest.approx(0.6)
    assert document_["target"] == {"url": "http://127.0.0.1:8080", "embedded": True}


def test_a_failed_calibration_withholds_every_latency_figure() -> None:
    document_ = doc("latency", latency_result(25.0))
    assert schemas.validate(SCHEMA, document_) == []
    frames = document_["result"]["frames"]  # type: ignore[index]
    assert document_["calibration"]["passed"] is False  # type: ignore[index]
    assert document_["headline"] == {"added_latency_ms": None, "ratio_to_direct": None}
    assert frames["direct"]["latency_ms"] is None and frames["added_latency_ms"] is None
    assert frames["withheld"]


def test_documents_of_the_other_benchmarks_validate_and_carry_a_null_calibration() -> None:
    generated = GeneratedResult(Side("suite", 146, 3.8), Side("bare", 132, 3.1), 8)
    radar = RadarResult(50.0)
    for kind, result in (("generated", generated), ("radar", radar)):
        document_ = doc(kind, result)
        assert schemas.validate(SCHEMA, document_) == [], kind
        assert document_["calibration"] is None
    assert doc("generated", generated)["headline"] == {"ratio_to_bare": pytest.approx(0.902, abs=1e-3)}


def test_the_schema_refuses_a_latency_document_without_calibration_and_a_blocked_one_with_a_result() -> None:
    document_ = doc("latency", latency_result(22.0))
    document_["calibration"] = None
    assert schemas.validate(SCHEMA, document_)
    blocked = doc("api", None, blocked="the device already has a camera pairing")
    assert schemas.validate(SCHEMA, blocked) == []
    blocked["result"] = {"concurrency": 1, "ratio_to_bare": None, "operations": []}
    assert schemas.validate(SCHEMA, blocked)


def test_each_generated_side_counts_its_fastest_run_and_keeps_every_rate() -> None:
    runs = [Side("suite", 140, 4.0), Side("suite", 0, 0.0, "the suite gave no count"), Side("suite", 146, 3.0)]
    fastest = best(runs)
    assert (fastest.cases, fastest.seconds, fastest.runs_per_s) == (146, 3.0, (35.0, 48.67))
    assert best([Side("bare", 0, 0.0, "timeout")]).reason == "timeout"


def test_a_side_without_a_count_leaves_the_generated_ratio_unmeasured() -> None:
    result = GeneratedResult(
        Side("suite", 0, 0.0, "the suite gave no count: TimeoutExpired"), Side("bare", 132, 3.1), 8
    )
    assert result.headline() == {"ratio_to_bare": None}
    assert result.targets()[0].met is None

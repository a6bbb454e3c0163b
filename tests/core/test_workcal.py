"""Tests for mudan.core.workcal with real 2024/2025 official schedules."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mudan.core.workcal import (
    CHINA_TZ,
    MAX_WORKDAYS,
    DayOverride,
    Deadline,
    WorkCalendar,
)

CAL = WorkCalendar()
CLOSE = time(17, 30)


def d(s: str) -> date:
    return date.fromisoformat(s)


def dt(s: str) -> datetime:
    return datetime.fromisoformat(s)


def eod(s: str) -> datetime:
    return datetime.combine(d(s), CLOSE)


# --- day classification -------------------------------------------------------------


def test_matches_chinese_calendar_for_2024_and_2025() -> None:
    day = d("2024-01-01")
    while day <= d("2025-12-31"):
        assert CAL.is_workday(day) == chinese_calendar.is_workday(day), day
        assert not CAL.is_provisional(day)
        day += timedelta(days=1)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2024-09-29", True),  # Sunday, 调休 make-up workday
        ("2024-10-01", False),  # National Day
        ("2024-10-07", False),
        ("2024-10-12", True),  # Saturday, 调休 make-up workday
        ("2025-01-26", True),  # Sunday before Spring Festival, make-up workday
        ("2025-01-28", False),  # 除夕
        ("2025-02-04", False),
        ("2025-02-08", True),  # Saturday, make-up workday
        ("2024-06-10", False),  # Dragon Boat Festival (Monday)
    ],
)
def test_official_holidays_and_makeup_days(day: str, expected: bool) -> None:
    assert CAL.is_workday(d(day)) is expected


def test_is_workday_reduces_aware_datetime_to_shanghai_date() -> None:
    # 2024-09-30 20:00 UTC is 2024-10-01 04:00 in Shanghai: National Day.
    assert not CAL.is_workday(datetime(2024, 9, 30, 20, 0, tzinfo=UTC))
    assert CAL.is_workday(datetime(2024, 9, 30, 20, 0))


# --- add_workdays ---------------------------------------------------------------


def test_national_day_2024_five_working_days() -> None:
    # 09-27 (Fri, arrival, not counted), 09-29 Sun 调休 (1), 09-30 (2),
    # 10-01..10-07 holiday, 10-08 (3), 10-09 (4), 10-10 (5).
    assert CAL.add_workdays(d("2024-09-27"), 5) == Deadline(eod("2024-10-10"), False)


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, "2024-09-29"), (2, "2024-09-30"), (3, "2024-10-08"), (6, "2024-10-11"), (7, "2024-10-12")],
)
def test_national_day_2024_makeup_days_count(n: int, expected: str) -> None:
    assert CAL.add_workdays(d("2024-09-27"), n).at == eod(expected)


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, "2025-01-26"), (2, "2025-01-27"), (3, "2025-02-05"), (5, "2025-02-07"), (6, "2025-02-08")],
)
def test_spring_festival_2025(n: int, expected: str) -> None:
    deadline = CAL.add_workdays(d("2025-01-24"), n)
    assert deadline == Deadline(eod(expected), False)


def test_arrival_time_of_day_does_not_matter_and_naive_stays_naive() -> None:
    for hour in (0, 8, 16, 23):
        deadline = CAL.add_workdays(datetime(2024, 9, 27, hour, 45), 5)
        assert deadline.at == eod("2024-10-10")
        assert deadline.at.tzinfo is None


def test_arrival_on_rest_day_counts_from_next_day() -> None:
    assert CAL.add_workdays(d("2024-10-03"), 1).at == eod("2024-10-08")
    assert CAL.add_workdays(d("2024-06-01"), 1).at == eod("2024-06-03")


def test_aware_start_is_converted_to_shanghai() -> None:
    # 2024-09-29 17:00 UTC == 2024-09-30 01:00 Shanghai, so the arrival day is 09-30.
    deadline = CAL.add_workdays(datetime(2024, 9, 29, 17, 0, tzinfo=UTC), 1)
    assert deadline.at == datetime(2024, 10, 8, 17, 30, tzinfo=CHINA_TZ)
    assert deadline.at.utcoffset() == timedelta(hours=8)
    # The same wall-clock value, naive, is taken as Shanghai time: arrival 09-29.
    assert CAL.add_workdays(datetime(2024, 9, 29, 17, 0), 1).at == eod("2024-09-30")


def test_zero_workdays_is_same_or_next_working_day_close() -> None:
    assert CAL.add_workdays(d("2024-09-27"), 0).at == eod("2024-09-27")
    assert CAL.add_workdays(d("2024-09-28"), 0).at == eod("2024-09-29")
    assert CAL.add_workdays(d("2024-10-03"), 0).at == eod("2024-10-08")


def test_custom_work_periods_change_close_of_business() -> None:
    cal = WorkCalendar(work_periods=((time(8, 0), time(12, 0)), (time(14, 0), time(18, 0))))
    assert cal.add_workdays(d("2024-09-27"), 5).at == datetime(2024, 10, 10, 18, 0)


@pytest.mark.parametrize("n", [-1, MAX_WORKDAYS + 1, 10**9])
def test_workday_count_bounds(n: int) -> None:
    with pytest.raises(ValueError, match="between 0 and 3650"):
        CAL.add_workdays(d("2024-09-27"), n)


def test_workday_count_type() -> None:
    with pytest.raises(TypeError):
        CAL.add_workdays(d("2024-09-27"), True)
    with pytest.raises(TypeError):
        CAL.add_workdays(d("2024-09-27"), 1.5)  # type: ignore[arg-type]


def test_max_workdays_is_accepted_and_provisional() -> None:
    deadline = CAL.add_workdays(d("2024-01-01"), MAX_WORKDAYS)
    assert deadline.provisional
    assert CAL.workdays_between(d("2024-01-01"), deadline.at.date()) == MAX_WORKDAYS


# --- overrides -----------------------------------------------------------------


def test_override_extra_holiday_pushes_deadline() -> None:
    cal = WorkCalendar([DayOverride(d("2024-10-08"), False, "typhoon closure")])
    assert not cal.is_workday(d("2024-10-08"))
    assert cal.add_workdays(d("2024-09-27"), 5).at == eod("2024-10-11")


def test_override_weekend_workday_pulls_deadline() -> None:
    cal = WorkCalendar([DayOverride(d("2024-09-28"), True, "special working Saturday")])
    assert cal.add_workdays(d("2024-09-27"), 5).at == eod("2024-10-09")


def test_override_beats_official_calendar() -> None:
    cal = WorkCalendar(
        [DayOverride(d("2024-10-01"), True, "duty day"), DayOverride(d("2024-09-29"), False, "")]
    )
    assert cal.is_workday(d("2024-10-01"))
    assert not cal.is_workday(d("2024-09-29"))
    assert cal.add_workdays(d("2024-09-27"), 2).at == eod("2024-10-01")


def test_conflicting_overrides_rejected_duplicates_allowed() -> None:
    same = DayOverride(d("2024-10-08"), False, "a")
    WorkCalendar([same, DayOverride(d("2024-10-08"), False, "b")])
    with pytest.raises(ValueError, match="conflicting overrides for 2024-10-08"):
        WorkCalendar([same, DayOverride(d("2024-10-08"), True, "c")])


# --- uncovered years -----------------------------------------------------------


def test_2027_falls_back_to_weekdays_and_is_provisional() -> None:
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(d("2027-01-04"))
    assert CAL.is_provisional(d("2027-01-01"))
    assert CAL.is_provisional(d("2003-12-31"))
    assert not CAL.is_provisional(d("2026-12-31"))
    assert CAL.is_workday(d("2027-01-01"))  # Friday: Mon–Fri guess
    assert not CAL.is_workday(d("2027-01-02"))  # Saturday
    assert CAL.add_workdays(d("2026-12-30"), 1) == Deadline(eod("2026-12-31"), False)
    assert CAL.add_workdays(d("2026-12-31"), 1) == Deadline(eod("2027-01-01"), True)


def test_overrides_settle_uncovered_days() -> None:
    overrides = [
        DayOverride(d("2027-01-01"), False, "元旦"),
        DayOverride(d("2027-01-02"), False, ""),
        DayOverride(d("2027-01-03"), False, ""),
        DayOverride(d("2027-01-04"), True, ""),
    ]
    cal = WorkCalendar(overrides)
    assert not cal.is_provisional(d("2027-01-01"))
    assert cal.is_provisional(d("2027-01-05"))
    assert cal.add_workdays(d("2026-12-31"), 1) == Deadline(eod("2027-01-04"), False)
    assert cal.add_workdays(d("2026-12-31"), 2) == Deadline(eod("2027-01-05"), True)
    # Partial override: the walked weekend is still a guess.
    partial = WorkCalendar(overrides[:1])
    assert partial.add_workdays(d("2026-12-31"), 1) == Deadline(eod("2027-01-04"), True)


def test_work_hours_into_uncovered_year_is_provisional() -> None:
    deadline = CAL.add_work_hours(dt("2026-12-31T17:00"), 1)
    assert deadline == Deadline(dt("2027-01-01T09:30"), True)
    assert not CAL.add_work_hours(dt("2026-12-31T09:00"), 1).provisional


# --- add_work_hours ------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        ("2024-06-03T11:00", 2, "2024-06-03T14:30"),  # across lunch
        ("2024-06-03T12:30", 1, "2024-06-03T14:30"),  # starts during lunch
        ("2024-06-03T09:00", 3, "2024-06-03T12:00"),  # lands on period end, stays there
        ("2024-06-03T09:00", 7, "2024-06-03T17:30"),  # one full day
        ("2024-06-03T16:30", 2, "2024-06-04T10:00"),  # across the night
        ("2024-06-03T20:00", 1, "2024-06-04T10:00"),  # starts at night
        ("2024-06-03T06:00", 0.5, "2024-06-03T09:30"),  # starts before office hours
        ("2024-05-31T16:00", 3, "2024-06-03T10:30"),  # across a weekend
        ("2024-06-07T16:00", 3, "2024-06-11T10:30"),  # weekend + Dragon Boat Monday
        ("2024-09-27T17:00", 1, "2024-09-29T09:30"),  # into a 调休 Sunday
        ("2024-06-03T09:00", 7.25, "2024-06-04T09:15"),
    ],
)
def test_add_work_hours(start: str, hours: float, expected: str) -> None:
    assert CAL.add_work_hours(dt(start), hours) == Deadline(dt(expected), False)


def test_add_work_hours_zero_returns_start() -> None:
    assert CAL.add_work_hours(dt("2024-06-01T20:00"), 0).at == dt("2024-06-01T20:00")


def test_add_work_hours_aware() -> None:
    start = datetime(2024, 6, 3, 3, 0, tzinfo=UTC)  # 11:00 Shanghai
    result = CAL.add_work_hours(start, 2).at
    assert result == datetime(2024, 6, 3, 14, 30, tzinfo=CHINA_TZ)
    assert result == datetime(2024, 6, 3, 6, 30, tzinfo=UTC)
    assert result.utcoffset() == timedelta(hours=8)
    other = timezone(timedelta(hours=-5))
    assert CAL.add_work_hours(datetime(2024, 6, 2, 22, 0, tzinfo=other), 2).at == result


@pytest.mark.parametrize("hours", [-0.5, float("nan"), float("inf"), 7 * MAX_WORKDAYS + 1])
def test_add_work_hours_bounds(hours: float) -> None:
    with pytest.raises(ValueError, match="hours must be"):
        CAL.add_work_hours(dt("2024-06-03T09:00"), hours)


# --- working_time_between / workdays_between ----------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("2024-06-03T09:00", "2024-06-03T17:30", timedelta(hours=7)),
        ("2024-06-03T11:00", "2024-06-03T14:00", timedelta(hours=1.5)),
        ("2024-05-31T17:00", "2024-06-03T09:30", timedelta(hours=1)),
        ("2024-06-01T00:00", "2024-06-02T23:59", timedelta(0)),
        ("2024-09-30T09:00", "2024-10-08T09:00", timedelta(hours=7)),
        ("2024-06-03T12:10", "2024-06-03T12:20", timedelta(0)),
    ],
)
def test_working_time_between(a: str, b: str, expected: timedelta) -> None:
    assert CAL.working_time_between(dt(a), dt(b)) == expected
    assert CAL.working_time_between(dt(b), dt(a)) == -expected


def test_working_time_between_mixes_naive_and_aware() -> None:
    a = datetime(2024, 6, 3, 1, 0, tzinfo=UTC)  # 09:00 Shanghai
    assert CAL.working_time_between(a, dt("2024-06-03T10:00")) == timedelta(hours=1)


def test_workdays_between() -> None:
    assert CAL.workdays_between(d("2024-09-27"), d("2024-10-10")) == 5
    assert CAL.workdays_between(d("2024-10-10"), d("2024-09-27")) == -5
    assert CAL.workdays_between(d("2024-09-27"), d("2024-09-27")) == 0
    assert CAL.workdays_between(d("2025-01-24"), d("2025-02-08")) == 6


def test_invalid_work_periods() -> None:
    with pytest.raises(ValueError, match="empty"):
        WorkCalendar(work_periods=())
    with pytest.raises(ValueError, match="non-overlapping"):
        WorkCalendar(work_periods=((time(12, 0), time(9, 0)),))
    with pytest.raises(ValueError, match="non-overlapping"):
        WorkCalendar(work_periods=((time(9, 0), time(12, 0)), (time(11, 0), time(14, 0))))
    with pytest.raises(ValueError, match="naive"):
        WorkCalendar(work_periods=((time(9, 0, tzinfo=UTC), time(12, 0)),))


# --- properties ------------------------------------------------------------------

_days = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 11, 30))
_minutes = st.integers(min_value=0, max_value=24 * 60 - 1)
_aligned_slots = st.sampled_from([time(9, 0), time(10, 15), time(12, 0), time(13, 30), time(16, 0)])


@settings(max_examples=200, deadline=None)
@given(day=_days, slot=_aligned_slots, minutes=st.integers(min_value=0, max_value=60 * 7 * 30))
def test_work_hours_roundtrip_aligned(day: date, slot: time, minutes: int) -> None:
    start = datetime.combine(day, slot)
    if not CAL.is_workday(day):
        start = CAL.add_work_hours(start, 1 / 60).at - timedelta(minutes=1)
    result = CAL.add_work_hours(start, minutes / 60).at
    assert CAL.working_time_between(start, result) == timedelta(hours=minutes / 60)


@settings(max_examples=200, deadline=None)
@given(day=_days, start_min=_minutes, hours=st.floats(min_value=0, max_value=200))
def test_work_hours_roundtrip_any_start(day: date, start_min: int, hours: float) -> None:
    start = datetime.combine(day, time()) + timedelta(minutes=start_min)
    result = CAL.add_work_hours(start, hours)
    assert result.at >= start
    assert CAL.working_time_between(start, result.at) == timedelta(hours=hours)


@settings(max_examples=100, deadline=None)
@given(day=_days, n=st.integers(min_value=1, max_value=40))
def test_workdays_roundtrip(day: date, n: int) -> None:
    deadline = CAL.add_workdays(day, n)
    assert CAL.is_workday(deadline.at.date())
    assert CAL.workdays_between(day, deadline.at.date()) == n
    assert CAL.add_workdays(day, n + 1).at > deadline.at

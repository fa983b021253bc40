"""What a player's focus history adds up to: the week's minutes, the streak
and the achievements of a completed session. Pure: the caller gives the
sessions and the time, and the player's UTC offset, since a day (and so a
streak) is the player's own day, not UTC's."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from functions.models import Achievement, FocusTotals, Goal

STREAK_FOR_BADGE = 3
SESSIONS_IN_A_DAY = 4
DEEP_FOCUS_MINUTES = 50


def local_day(t: datetime, utc_offset_min: int) -> date:
    return (t + timedelta(minutes=utc_offset_min)).date()


def minutes(started: datetime, ended: datetime) -> int:
    return max(0, int((ended - started).total_seconds() // 60))


def week_start(now: datetime, utc_offset_min: int) -> datetime:
    """The instant the player's week began: Monday 00:00 their time."""
    today = local_day(now, utc_offset_min)
    monday = datetime.combine(today - timedelta(days=today.weekday()), datetime.min.time(), tzinfo=now.tzinfo)
    return monday - timedelta(minutes=utc_offset_min)


def streak_days(completed_at: Iterable[datetime], now: datetime, utc_offset_min: int) -> int:
    """Consecutive days with a completed session, ending today, or yesterday
    (a streak is not lost before the day is over)."""
    days = {local_day(t, utc_offset_min) for t in completed_at}
    day = local_day(now, utc_offset_min)
    if day not in days:
        day -= timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


def totals(completed: Sequence[tuple[datetime, datetime]], now: datetime, utc_offset_min: int) -> FocusTotals:
    """``completed``: (started, ended) of every completed session."""
    since = week_start(now, utc_offset_min)
    return FocusTotals(
        focusedMinutesThisWeek=sum(minutes(s, e) for s, e in completed if e >= since),
        sessionsCompleted=len(completed),
        streakDays=streak_days((e for _, e in completed), now, utc_offset_min),
    )


def achievements(
    goals: Sequence[Goal], started: datetime, now: datetime, earlier: Sequence[datetime], utc_offset_min: int
) -> list[Achievement]:
    """What completing a session (at ``now``) earns; ``earlier``: when the
    player's previously completed sessions ended."""
    today = local_day(now, utc_offset_min)
    found: list[Achievement] = []
    if not earlier:
        found.append("first_session")
    if goals and all(g.done for g in goals):
        found.append("all_goals_done")
    if streak_days([*earlier, now], now, utc_offset_min) >= STREAK_FOR_BADGE:
        found.append("streak_3")
    if 1 + sum(local_day(t, utc_offset_min) == today for t in earlier) >= SESSIONS_IN_A_DAY:
        found.append("four_today")
    if minutes(started, now) >= DEEP_FOCUS_MINUTES:
        found.append("deep_focus")
    return found

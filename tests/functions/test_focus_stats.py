"""The week, the streak and the achievements, as pure logic with fixed dates."""

from datetime import UTC, datetime, timedelta

from functions.focusstats import achievements, streak_days, totals, week_start
from functions.models import Goal

WED = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)  # a Wednesday


def test_the_week_starts_on_the_players_own_monday():
    assert week_start(WED, 0) == datetime(2026, 11, 30, tzinfo=UTC)
    # UTC+2: Monday 00:00 there is Sunday 22:00 UTC
    assert week_start(WED, 120) == datetime(2026, 11, 29, 22, tzinfo=UTC)
    # Sunday 23:30 UTC is already Monday in UTC+1: a new week
    sunday_late = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)
    assert week_start(sunday_late, 60) == datetime(2026, 12, 6, 23, tzinfo=UTC)


def test_the_streak_counts_days_up_to_today_or_yesterday_and_a_gap_ends_it():
    days = [WED, WED - timedelta(days=1), WED - timedelta(days=2), WED - timedelta(days=4)]
    assert streak_days(days, WED, 0) == 3
    assert streak_days(days[1:], WED, 0) == 2  # not yet today: yesterday's streak still stands
    assert streak_days(days[2:], WED, 0) == 0  # nothing yesterday either
    assert streak_days([], WED, 0) == 0
    # 23:00 UTC on Tuesday is Wednesday in UTC+2: two sessions on one local day
    late = datetime(2026, 12, 1, 23, tzinfo=UTC)
    assert streak_days([late, WED], WED, 0) == 2
    assert streak_days([late, WED], WED, 120) == 1


def test_totals_add_only_this_weeks_minutes():
    done = [(WED - timedelta(minutes=50), WED), (WED - timedelta(days=3, minutes=25), WED - timedelta(days=3))]
    t = totals(done, WED, 0)
    assert (t.focusedMinutesThisWeek, t.sessionsCompleted, t.streakDays) == (50, 2, 1)


def test_achievements_of_a_completed_session():
    goals = [Goal(text="a", done=True), Goal(text="b", done=True)]
    assert achievements(goals, WED - timedelta(minutes=25), WED, [], 0) == ["first_session", "all_goals_done"]
    half = [Goal(text="a", done=True), Goal(text="b")]
    earlier = [WED - timedelta(days=1), WED - timedelta(days=2), *(WED - timedelta(hours=h) for h in (1, 2, 3))]
    assert achievements(half, WED - timedelta(minutes=55), WED, earlier, 0) == ["streak_3", "four_today", "deep_focus"]
    assert achievements([], WED - timedelta(minutes=5), WED, [WED - timedelta(days=3)], 0) == []

"""When moves go out (``realtime_edge/pacing.py``): at once on an idle node,
spaced out as flushes get dearer or the process busier, never later than
the tick."""

from __future__ import annotations

import pytest

from realtime_edge.pacing import Pacer

TICK = 0.05


def test_an_idle_node_sends_a_move_within_the_least_gap():
    pacer = Pacer(TICK)
    pacer.flushed(planned=1.0, end=1.0001, cpu=0.0)  # a cheap flush
    assert pacer.wait(now=1.5, tick_at=1.55) == 0.0  # long after it: at once
    assert pacer.wait(now=1.0002, tick_at=1.05) == pytest.approx(0.0019)  # right after it: the least gap


def test_a_dear_flush_spaces_the_next_one_so_flushing_keeps_to_its_share():
    pacer = Pacer(TICK, share=0.25)
    pacer.flushed(planned=1.0, end=1.004, cpu=0.0)  # 4 ms of work
    assert pacer.gap() == pytest.approx(0.012)  # 4 ms in every 16 ms
    assert pacer.wait(now=1.004, tick_at=1.05) == pytest.approx(0.012)


def test_a_late_start_counts_as_cost():
    pacer = Pacer(TICK, share=0.25)
    pacer.flushed(planned=1.0, end=1.010, cpu=0.0)  # started 9 ms late, worked 1 ms
    assert pacer.gap() == pytest.approx(0.030)


def test_the_tick_is_the_upper_bound():
    pacer = Pacer(TICK, share=0.25)
    pacer.flushed(planned=1.0, end=1.040, cpu=0.0)  # a node far behind
    assert pacer.gap() == TICK
    assert pacer.wait(now=1.041, tick_at=1.06) == pytest.approx(0.019)  # the tick comes first


def test_share_zero_flushes_only_at_the_tick():
    pacer = Pacer(TICK, share=0.0)
    assert pacer.wait(now=1.0, tick_at=1.05) == pytest.approx(0.05)  # even before any flush
    pacer.flushed(planned=1.0, end=1.0001, cpu=0.0)
    assert pacer.wait(now=1.01, tick_at=1.05) == pytest.approx(0.04)


def test_a_busy_process_spaces_flushes_out_to_the_tick():
    pacer = Pacer(TICK, share=0.25)
    now, cpu = 1.0, 0.0
    for _ in range(300):  # 3 s of cheap flushes every 10 ms while the process uses 0.9 of a core
        now, cpu = now + 0.01, cpu + 0.009
        pacer.flushed(planned=now - 0.0001, end=now, cpu=cpu)
    assert pacer.cpu_use == pytest.approx(0.9, abs=0.01)
    assert pacer.gap() == TICK


def test_a_half_busy_process_waits_part_of_a_tick():
    pacer = Pacer(TICK, share=0.25)
    now, cpu = 1.0, 0.0
    for _ in range(300):  # 0.55 of a core: halfway from idle (0.3) to busy (0.8)
        now, cpu = now + 0.01, cpu + 0.0055
        pacer.flushed(planned=now - 0.0001, end=now, cpu=cpu)
    assert pacer.gap() == pytest.approx(TICK / 2, rel=0.02)


async def test_an_idle_node_relays_a_move_without_waiting_for_the_tick(tmp_path):
    """With the tick all but off, a move still reaches the others: the flush
    comes from the move, not the clock (with ``flush_share=0`` it would wait
    a thousand seconds)."""
    from realtime_edge.config import EdgeConfig
    from tests.edge.test_fanout_resilience import in_room, message, until

    node, (ada, bo) = await in_room(tmp_path, EdgeConfig(tick_hz=0.001))
    try:
        for seq in (1, 2, 3):
            await node.handle(ada, message("avatar_transform", seq=seq, x=10.5 + seq / 10, y=0.0, z=7.5, rotY=0.0))
            await until(lambda seq=seq: bo.got("avatar_transform_broadcast", seq=seq))
    finally:
        await node.stop()
    assert [m["seq"] for m in bo.got("avatar_transform_broadcast", userId=ada.user_id)] == [1, 2, 3]

"""The embedded mode's room streams across a restart: the same data folder
opened again keeps chat history, its epoch and its offsets; movement does
not outlive the process."""

from __future__ import annotations

import time

from virtubar import bus as bus_module
from virtubar.bus import LocalBus, LocalStreams, parse_offset


async def reopen(streams: LocalStreams, folder) -> LocalBus:
    await streams.close()
    return LocalBus(LocalStreams.in_folder(folder))


async def test_history_survives_closing_and_reopening(tmp_path):
    streams = LocalStreams.in_folder(tmp_path)
    before = LocalBus(streams)
    first = await before.publish("bar", b"hello")
    second = await before.publish("bar", b"anyone here?")
    await before.publish("bar", b"move", durable=False)
    third = await before.publish("bar", b"see you")
    after = await reopen(streams, tmp_path)
    rec = await after.history("bar", first)
    assert rec.whole and rec.entries == [(second, b"anyone here?"), (third, b"see you")]
    assert (await after.history("bar", third)).whole
    assert not (await after.history("bar", "1-0")).whole  # still refuses what the stream never gave
    await after.streams.close()


async def test_new_offsets_sort_after_the_old_even_if_the_clock_stepped_back(tmp_path, monkeypatch):
    streams = LocalStreams.in_folder(tmp_path)
    last = await LocalBus(streams).publish("bar", b"before the restart")
    stepped_back = time.time_ns() - 3600 * 10**9
    monkeypatch.setattr(bus_module.time, "time_ns", lambda: stepped_back)
    after = await reopen(streams, tmp_path)
    moved = await after.publish("bar", b"a move", durable=False)
    chat = await after.publish("bar", b"after the restart")
    assert parse_offset(last) < parse_offset(moved) < parse_offset(chat)
    rec = await after.history("bar", last)
    assert rec.whole and rec.entries == [(chat, b"after the restart")]
    await after.streams.close()


async def test_a_trimmed_stream_still_refuses_a_partial_replay_after_a_restart(tmp_path):
    streams = LocalStreams.in_folder(tmp_path)
    streams.maxlen = 3
    before = LocalBus(streams)
    first = await before.publish("bar", b"0")
    kept = [await before.publish("bar", str(i).encode()) for i in range(1, 6)]
    after = await reopen(streams, tmp_path)
    assert not (await after.history("bar", first)).whole
    rec = await after.history("bar", kept[-3])
    assert rec.whole and [o for o, _ in rec.entries] == kept[-2:]
    await after.streams.close()

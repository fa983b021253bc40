"""Slides on a screen: a presenter in the screen's zone flips them, everyone
sees the same one, a late joiner finds it, nobody elsewhere can flip them."""

from __future__ import annotations

import msgspec

from tests.edge.test_timer import focus, joined  # noqa: F401 (a fixture)
from virtubar import keys
from virtubar.world import default_world, to_json


async def office_on_stage(state, room: str) -> None:
    """The office, everyone arriving on its stage (by the stage screen; screen-b is in meeting-b)."""
    world = to_json(default_world("office"))
    world["spawns"] = [{"x": 24.0, "z": 20.0}]
    await state.put(keys.room_setup(room), "world", msgspec.json.encode(world), 3600)


async def test_the_presenter_flips_slides_everyone_sees_them_and_a_late_joiner_finds_the_slide(focus, issuer, room):  # noqa: F811
    url = await focus()
    await office_on_stage(focus.state, room)
    ann, bob = await joined(url, issuer, room, "ann"), await joined(url, issuer, room, "bob")
    await ann.send("show_slide", roomId=room, objectId="stage-screen", index=3)
    shown = await bob.wait("slide_shown")
    assert (shown["objectId"], shown["index"], shown["userId"]) == ("stage-screen", 3, "ann")
    await ann.send("show_slide", roomId=room, objectId="stage-screen", index=4)
    await bob.wait("slide_shown", index=4)

    await ann.send("show_slide", roomId=room, objectId="screen-b", index=1)  # in meeting-b, not here
    refused = await ann.wait("error", code="not_at_screen")
    assert "screen's zone" in refused["message"]
    await ann.send("show_slide", roomId=room, objectId="wb-a", index=1)
    await ann.wait("error", code="unknown_screen")
    await ann.send("show_slide", roomId=room, objectId="stage-screen", index=99)
    await ann.wait("error")

    cat = await joined(url, issuer, room, "cat")
    assert cat.events("room_state")[0]["slides"] == {"stage-screen": 4}
    assert bob.events("slide_shown", objectId="screen-b") == []
    for c in (ann, bob, cat):
        await c.close()

"""Chat rules: what a member may say and who hears it."""

from __future__ import annotations

from typing import Protocol

from realtime_edge.zones import near
from virtubar.wire import CHAT_MAX_CHARS
from virtubar.world import World


class Place(Protocol):
    """Where someone is: a member, or where a line was said."""

    @property
    def x(self) -> float: ...
    @property
    def z(self) -> float: ...
    @property
    def zoneId(self) -> str | None: ...


def text_problem(text: str) -> tuple[str, str] | None:
    """An error (code, message) for text that must not be relayed."""
    if not text.strip():
        return "chat_empty", "chat text is empty"
    if len(text) > CHAT_MAX_CHARS:
        return "chat_too_long", f"chat text is longer than {CHAT_MAX_CHARS} characters"
    return None


def hears(world: World, mode: str, sender: Place, listener: Place) -> bool:
    """room: everyone; zone: the sender's zone; local: the zone, within the
    hearing radius."""
    if mode == "room":
        return True
    if listener.zoneId != sender.zoneId:
        return False
    return mode == "zone" or near(world, sender.x, sender.z, listener.x, listener.z)

"""Fill rooms first: a quick-join lands in the fullest public room of the
template that still has space, so no bar is empty while another overflows.
A room where a friend is comes first, then one that suits the player (a
focus room with their work style), then any other."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    room_id: str
    occupancy: int
    capacity: int
    preferred: bool = False
    friend_here: bool = False

    @property
    def has_space(self) -> bool:
        return self.occupancy < self.capacity


def fill_order(candidates: list[Candidate]) -> list[Candidate]:
    """Rooms with space, a friend's first, then preferred ones, then fullest
    first (ties: the older listing order wins)."""
    open_rooms = [c for c in candidates if c.has_space]
    return sorted(open_rooms, key=lambda c: (not c.friend_here, not c.preferred, -c.occupancy))

"""Fill rooms first: a quick-join lands in the fullest public room of the
template that still has space, so no bar is empty while another overflows.
A room that suits the player (a focus room with their work style) comes
before any that does not."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    room_id: str
    occupancy: int
    capacity: int
    preferred: bool = False

    @property
    def has_space(self) -> bool:
        return self.occupancy < self.capacity


def fill_order(candidates: list[Candidate]) -> list[Candidate]:
    """Rooms with space, preferred ones first, then fullest first (ties: the
    older listing order wins)."""
    open_rooms = [c for c in candidates if c.has_space]
    return sorted(open_rooms, key=lambda c: (not c.preferred, -c.occupancy))

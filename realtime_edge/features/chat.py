"""Chat: ``local_chat`` in, ``chat_broadcast`` out to those who hear it,
kept in the room's history and replayed to a member who reconnects.

Shared state: the room owner's word filter (``chatFilter`` in
``keys.room_setup``). Who hears a line is one rule (``hears_line``) for
live delivery and replay: it was said where the sender stood then (the
entry's ``at``), and the listener is where it stands now (after a
reconnect: where it was last seen).
"""

from __future__ import annotations

import msgspec

from realtime_edge.chat import hears, text_problem
from realtime_edge.connection import Conn
from realtime_edge.entries import Spot
from realtime_edge.feature import Edge, Feature, Route, Rule
from realtime_edge.logs import log
from realtime_edge.ratelimit import Budget
from realtime_edge.room import Room
from virtubar import keys, wire
from virtubar.moderation import mask_words
from virtubar.state import SharedState

NAME = "chat"
BUDGET = Budget(2.0, burst=5.0, code="chat_rate_limited")
"""Two lines a second, five in a burst: enough to talk, too few to flood."""
_WORDS = msgspec.json.Decoder(list[str])


async def say(edge: Edge, conn: Conn, p: wire.LocalChat) -> None:
    room, member = conn.joined()
    if problem := text_problem(p.text):
        edge.refuse(conn, *problem, p.name)
    elif conn.muted:
        edge.refuse(conn, "muted", "a moderator muted you", p.name)
    else:
        words = room.data.get(NAME)  # what ``load`` read
        text = mask_words(p.text, words if isinstance(words, list) else [])
        await edge.emit(conn, wire.ChatBroadcast(userId=member.userId, text=text,
                                                 messageId="", mode=p.mode, zoneId=member.zoneId))


def hears_line(room: Room, line: wire.ChatBroadcast, at: Spot | None, listener: wire.Member) -> bool:
    """Neither blocked the other, and: the sender, or within the line's reach
    (``chat.hears``) of where it was said. A line whose position is not known
    is heard by the zone it names."""
    if room.hidden(line.userId, listener.userId):
        return False
    if line.userId == listener.userId:
        return True
    said = at or Spot(listener.x, listener.z, line.zoneId)
    return hears(room.world, line.mode, said, listener)


def stamp(line: wire.ChatBroadcast, offset: str) -> None:
    """``messageId`` is the line's offset in the room's history: it orders the room's chat."""
    line.messageId = offset


async def load(state: SharedState, room_id: str) -> list[str]:
    """The words masked in the room's chat (``moderation.mask_words``)."""
    data = (await state.members(keys.room_setup(room_id))).get("chatFilter")
    if not data:
        return []
    try:
        return _WORDS.decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError) as e:
        log("bad_chat_filter", room=room_id, error=str(e))
        return []


FEATURE = Feature(
    NAME,
    routes={wire.LocalChat.name: Route(say, BUDGET)},
    rules=(Rule(wire.ChatBroadcast, hears_line, durable=True, replay=True, stamp=stamp),),
    load=load,
)

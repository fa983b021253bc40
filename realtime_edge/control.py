"""Moderation control: what the functions announce on the control stream,
acted on for the members here.

kicked/banned: the member is told, then closed (4003). A mute carries
channels (chat, voice, all): the mirrored sanctions say whether it silences
chat, and the member is told once it holds; a lifted mute is re-read the
same way. Blocks (either direction hides chat and emotes) are re-read when
they change. An account closed (erased, or a guest merged into an account):
its sockets are told ``token_revoked`` and closed (4004).
"""

from __future__ import annotations

from realtime_edge import shared
from realtime_edge.connection import Conn
from realtime_edge.logs import log
from realtime_edge.room import Room
from realtime_edge.tasks import spawn
from virtubar import wire
from virtubar.moderation import AccountClosed, BlocksChanged, ModerationLifted

CLOSE_KICKED = 4003
CLOSE_REVOKED = 4004


class Control:
    def __init__(self, node) -> None:
        self.node = node

    def on(self, event: wire.Event) -> None:
        """One control entry."""
        node = self.node
        if isinstance(event, BlocksChanged):
            for room in node.rooms.values():
                if event.userId in room.blocks:
                    self.load_blocks(room, event.userId)
            return
        if isinstance(event, AccountClosed):
            for room in list(node.rooms.values()):
                if (conn := room.local.get(event.userId)) is not None:
                    log("account_closed", node=node.id, room=room.id, user=event.userId)
                    node.send(conn, wire.AuthError(code="token_revoked", message="this sign-in was revoked"))
                    conn.close(CLOSE_REVOKED, "token revoked")
            return
        if not isinstance(event, wire.ModerationAction | ModerationLifted) or not event.userId:
            return
        for room in list(node.rooms.values()):
            if event.roomId and event.roomId != room.id:
                continue
            conn = room.local.get(event.userId)
            if conn is None:
                continue
            if isinstance(event, ModerationLifted):
                if event.type == "mute":
                    spawn(self._reload_mute(conn), "reload_mute", room=room.id, user=conn.user_id)
                continue
            log("moderation", node=node.id, room=room.id, user=event.userId, action=event.type)
            if event.type == "mutedByMod":
                spawn(self._reload_mute(conn, event), "reload_mute", room=room.id, user=conn.user_id)
            else:
                node.send(conn, wire.ModerationAction(type=event.type, reason=event.reason))
                conn.close(CLOSE_KICKED, event.type)

    def load_blocks(self, room: Room, user: str) -> None:
        """Read whom ``user`` blocked, in the background."""
        spawn(self._load_blocks(room, user), "load_blocks", room=room.id, user=user)

    async def _load_blocks(self, room: Room, user: str) -> None:
        blocked = await shared.blocked_by(self.node.state, user)
        if user in room.members:  # not gone meanwhile
            before, room.blocks[user] = room.blocks.get(user, frozenset()), blocked
            self.node.session.part(room, user, blocked - before)

    async def _reload_mute(self, conn: Conn, told: wire.ModerationAction | None = None) -> None:
        if conn.room is not None:
            conn.muted = shared.chat_muted(await shared.sanctions(self.node.state, conn.user_id, conn.room.id))
        if told is not None:
            self.node.send(conn, wire.ModerationAction(type=told.type, reason=told.reason))

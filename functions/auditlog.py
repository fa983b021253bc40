"""The audit log's writer, apart from the moderation routes so that room
settings (who may build) can write it without importing them."""

from __future__ import annotations

import json

from functions.security import new_id
from functions.tables import AuditEntry


async def audit(
    actor: str, action: str, reason: str, target: str | None = None, room: str | None = None, **details
) -> None:
    await AuditEntry.insert(
        AuditEntry(
            id=new_id(),
            actor=actor,
            action=action,
            target=target,
            room=room,
            reason=reason,
            details=json.dumps(details),
        )
    )

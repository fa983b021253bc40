"""Names people see: display names and the names of rooms and spaces, and
the avatar id shown with a member. One rule, applied where a name enters
(the API) and usable wherever a name is shown (the edge), so that what one
player typed cannot pose as something else to another: no control
characters, no direction overrides, nothing invisible. Such a name is refused
with the reason, never silently cleaned, so its owner sees what happened.
"""

from __future__ import annotations

import re
import unicodedata

DISPLAY_NAME_MAX = 40
ROOM_NAME_MAX = 80
AVATAR_ID = re.compile(r"[a-z0-9_-]{1,32}")  # whole string (fullmatch)

# Unicode categories refused anywhere in a name: controls (C0, C1), format
# characters (bidi overrides and isolates, zero-width joiners and spaces,
# the byte-order mark...), surrogates, line and paragraph separators.
_REFUSED = {
    "Cc": "a control character",
    "Cf": "an invisible or direction-changing character",
    "Cs": "a lone surrogate",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
}


class BadName(ValueError):
    """A name that cannot be used; the message says why, for the player."""


def normalise_name(value: str, max_length: int) -> str:
    """The name as it will be stored and shown (NFKC, trimmed), or
    ``BadName`` if it is empty, too long or holds a refused character."""
    name = unicodedata.normalize("NFKC", value).strip()
    for ch in value + name:
        kind = _REFUSED.get(unicodedata.category(ch))
        if kind is not None:
            raise BadName(f"contains U+{ord(ch):04X} ({kind}), which names may not hold")
    if not name:
        raise BadName("must not be empty or only spaces")
    if len(name) > max_length:
        raise BadName(f"must be at most {max_length} characters (this one is {len(name)})")
    return name


def avatar_id(model: str, body: str, accent: str) -> str:
    """The look a member is drawn with, ``model-rrggbb-rrggbb`` as the client
    reads it (``client/src/avatar.ts``), from a stored avatar."""
    value = f"{model}-{body.removeprefix('#')}-{accent.removeprefix('#')}".lower()
    if not AVATAR_ID.fullmatch(value):
        raise BadName(f"avatar id {value[:40]!r} is not of the form model-rrggbb-rrggbb")
    return value

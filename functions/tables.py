"""Persistent tables. Ids are 32-char hex UUIDs, the same on both engines.

Designed to grow: bans, reports, blocks, focus sessions and playlists get
their own tables (and migrations) with the issues that need them.
"""

from piccolo.columns import JSON, Boolean, ForeignKey, Integer, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class User(Table, tablename="users"):
    id = Varchar(length=32, primary_key=True)
    display_name = Varchar(length=40)
    username = Varchar(length=32, null=True, default=None, unique=True)
    email = Varchar(length=254, null=True, default=None, unique=True)
    anonymous = Boolean(default=True)
    role = Varchar(length=16, default="player")
    avatar = JSON(default="{}")
    created_at = Timestamptz(default=TimestamptzNow())


class Credential(Table, tablename="credentials"):
    """A password login, apart from the user so anonymous users have none."""

    user = ForeignKey(User, unique=True, on_delete=OnDelete.cascade)
    password_hash = Varchar(length=255)
    updated_at = Timestamptz(default=TimestamptzNow())


class RefreshToken(Table, tablename="refresh_tokens"):
    """One link of a rotation chain. Only a hash of the secret is stored."""

    id = Varchar(length=32, primary_key=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    family = Varchar(length=32, index=True)
    secret_hash = Varchar(length=64)
    expires_at = Timestamptz()
    rotated_at = Timestamptz(null=True, default=None)
    revoked = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())


class World(Table, tablename="worlds"):
    id = Varchar(length=32, primary_key=True)
    template = Varchar(length=16)
    name = Varchar(length=80)
    document = JSON()
    created_at = Timestamptz(default=TimestamptzNow())


class Room(Table, tablename="rooms"):
    id = Varchar(length=32, primary_key=True)
    name = Varchar(length=80)
    template = Varchar(length=16, index=True)
    capacity = Integer(default=30)
    public = Boolean(default=True, index=True)
    owner = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    world = ForeignKey(World, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())


TABLES: tuple[type[Table], ...] = (User, Credential, RefreshToken, World, Room)

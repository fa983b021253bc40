"""The privacy catalog covers every table: a table with a column naming a
player must say what the export, the erasure and a guest's merge do with it
(``privacy.HOLDINGS``), or be listed as holding nothing personal."""

from __future__ import annotations

from piccolo.columns import ForeignKey

from functions.privacy import HOLDINGS, NOT_PERSONAL
from functions.tables import TABLES, User

# Columns that name a player without a foreign key (ids written as text).
PLAYER_NAMES = {"user", "owner", "host", "uploader", "author", "actor", "target", "reporter", "blocker",
                "blocked", "created_by", "resolved_by", "friend", "sender", "recipient", "owner_id", "user_id"}


def player_columns(table) -> set[str]:
    found = set()
    for column in table._meta.columns:
        name = column._meta.name
        if isinstance(column, ForeignKey) and column._foreign_key_meta.resolved_references is User:
            found.add(name)
        elif name in PLAYER_NAMES:
            found.add(name)
    return found


def test_every_column_naming_a_player_is_covered_or_its_table_excluded():
    covered = {(h.table, h.column) for h in HOLDINGS}
    missing = []
    for table in TABLES:
        if table is User:
            continue
        columns = player_columns(table)
        if table in NOT_PERSONAL:
            assert not columns, f"{table._meta.tablename} is listed as not personal but has {columns}"
            continue
        missing += [f"{table._meta.tablename}.{c}" for c in sorted(columns) if (table, c) not in covered]
        if not columns:
            missing.append(f"{table._meta.tablename} (no player column: list it in NOT_PERSONAL)")
    assert not missing, f"say in functions/privacy.py what export/erase/merge do with: {missing}"


def test_the_catalog_names_real_columns():
    for h in HOLDINGS:
        assert h.column in {c._meta.name for c in h.table._meta.columns}, (h.table, h.column)
        assert set(h.hidden) <= {c._meta.name for c in h.table._meta.columns}

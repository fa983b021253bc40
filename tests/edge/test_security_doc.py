"""``docs/security.md`` (and the Budgets of ``docs/protocol.md``) say what
the code does: every client event's budget, and every token's lifetime, are
rendered from the code and must appear in the documents as written. A new
room feature's message without its row, or a budget changed without the
documents, fails here."""

from __future__ import annotations

from pathlib import Path

import pytest

from realtime_edge.config import EdgeConfig
from realtime_edge.node import EdgeNode
from realtime_edge.ratelimit import Budget
from virtubar.bus import LocalBus
from virtubar.settings import Settings
from virtubar.state import LocalState
from virtubar.tokens import TokenIssuer

DOCS = Path(__file__).resolve().parents[2] / "docs"


def number(x: float) -> str:
    return f"{x:g}"


def budget_row(event: str, budget: Budget) -> str:
    if isinstance(budget.rate, float | int):
        rate = number(budget.rate)
    else:
        rate = ", ".join(f"{number(r)} {platform}" for platform, r in sorted(budget.rate.items()))
    burst = "a quarter of the rate" if budget.burst is None else number(budget.burst)
    over = "dropped silently" if budget.quiet else f"`error` `{budget.code}`"
    return f"| `{event}` | {rate} | {burst} | {over} |"


@pytest.fixture
def node(tmp_path) -> EdgeNode:
    return EdgeNode(Settings(data=tmp_path, token_secret="x" * 32), LocalState(), LocalBus(), EdgeConfig())


@pytest.mark.parametrize("doc", ["security.md", "protocol.md"])
def test_every_client_events_budget_is_documented_as_it_is(node, doc):
    text = (DOCS / doc).read_text()
    rows = [budget_row(event, route.budget) for event, route in sorted(node.routes.items())]
    missing = [row for row in rows if row not in text]
    assert not missing, f"docs/{doc} lacks (or states otherwise) these budget rows:\n" + "\n".join(missing)


def test_the_flood_limit_and_frame_limit_are_documented_as_configured():
    config, text = EdgeConfig(), (DOCS / "security.md").read_text()
    assert f"{config.flood_refusals} refusals in {number(config.flood_window_s)} s" in text
    assert f"at most {config.max_message_bytes // 1024} KB" in text


def test_every_tokens_lifetime_is_documented_as_issued():
    issuer, text = TokenIssuer("x" * 32), (DOCS / "security.md").read_text()
    for kind in ("api", "voice", "node"):
        assert f"| `{kind}` | {issuer.ttl[kind]} s |" in text, kind
    settings = Settings()
    assert f"`VIRTUBAR_RESERVATION_S`, {number(settings.reservation_s)} s), at most {issuer.ttl['realtime']} s" in text
    assert f"`VIRTUBAR_KICK_COOLDOWN_S`, {number(settings.kick_cooldown_s)} s" in text

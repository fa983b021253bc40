"""Block, as the player notices it, in real headless Chromium against the
embedded server and its SFU (client/e2e/block.test.mjs): the blocked
player's avatar, name tag and voice leave the blocker's room, and the
blocker's leave theirs, live and after the blocker reloads the page."""

from tests.embedded.chromium import run_client_e2e


def test_a_block_hides_the_avatar_and_the_voice_in_chromium(embedded):
    run_client_e2e(embedded[0], ["node", "--test", "--test-concurrency=1", "e2e/block.test.mjs"])

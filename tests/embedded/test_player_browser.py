"""The player's experience in real headless Chromium against the embedded
server (client/e2e/player.test.mjs): private meeting rooms seen from both
sides, block, room links."""

from tests.embedded.chromium import run_client_e2e


def test_the_players_experience_in_chromium(embedded):
    run_client_e2e(embedded[0], ["node", "--test", "--test-concurrency=1", "e2e/player.test.mjs"])

"""Focus sessions in real headless Chromium against the embedded server
(client/e2e/focus.test.mjs): goals panel, counts seen by the room, summary
with achievements, the history page, and preferences applied."""

from tests.embedded.chromium import run_client_e2e


def test_focus_session_in_chromium(embedded):
    run_client_e2e(embedded[0], ["node", "--test", "--test-concurrency=1", "e2e/focus.test.mjs"])

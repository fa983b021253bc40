"""The metrics rule itself: which peers count as this machine's, and how
the bearer token is read (the nodes' tests cover it over real sockets)."""

from virtubar.metricsauth import metrics_refusal


def no_headers(name: str) -> None:
    return None


def test_loopback_peers_of_both_families_read_metrics_without_a_token():
    for host in ("127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"):
        assert metrics_refusal("", no_headers, host) is None, host


def test_other_peers_are_refused_with_403_without_a_token():
    for host in ("192.0.2.5", "::ffff:192.0.2.5", "fd00::2", None, "", "/run/virtubar.sock"):
        assert metrics_refusal("", no_headers, host)[0] == 403, host


def test_with_a_token_even_loopback_needs_it():
    def bearer(value):
        return lambda name: value if name == "authorization" else None

    assert metrics_refusal("s3cret", no_headers, "127.0.0.1")[0] == 401
    assert metrics_refusal("s3cret", bearer("Bearer s3cre"), "127.0.0.1")[0] == 401
    assert metrics_refusal("s3cret", bearer("Basic s3cret"), "192.0.2.5")[0] == 401
    assert metrics_refusal("s3cret", bearer("bearer s3cret"), "192.0.2.5") is None

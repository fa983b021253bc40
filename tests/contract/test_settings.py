"""The one settings loader: every service's settings come from the
environment through ``read_env``, typed, checked, with the field defaults."""

from pathlib import Path

import pytest

from realtime_edge.config import EdgeConfig
from sfu_node.config import SfuConfig
from virtubar.settings import SettingError, Settings, read_env


def test_an_empty_environment_gives_every_default():
    assert read_env(Settings, {}) == Settings()
    assert read_env(EdgeConfig, {}) == EdgeConfig()
    assert read_env(SfuConfig, {}) == SfuConfig()


def test_an_empty_variable_counts_as_unset():
    assert read_env(Settings, {"VIRTUBAR_PORT": "", "VIRTUBAR_REGION": "  "}) == Settings()


def test_values_arrive_in_their_fields_types():
    s = read_env(Settings, {
        "VIRTUBAR_PORT": "9000",
        "VIRTUBAR_DATA": "/srv/vb",
        "VIRTUBAR_RESERVATION_S": "2.5",
        "VIRTUBAR_REDIS_CLUSTER": "yes",
        "VIRTUBAR_STUN_URLS": "stun:a:3478, stun:b:3478,,",
        "VIRTUBAR_REGION": "eu-west-1",
    })
    assert (s.port, s.data, s.reservation_s, s.redis_cluster) == (9000, Path("/srv/vb"), 2.5, True)
    assert s.stun_urls == ["stun:a:3478", "stun:b:3478"] and s.region == "eu-west-1"
    edge = read_env(EdgeConfig, {"VIRTUBAR_EDGE_TICK_HZ": "40", "VIRTUBAR_EDGE_ALLOW_NO_ORIGIN": "0",
                                 "VIRTUBAR_EDGE_SEND_QUEUE": "64"})
    assert (edge.tick_hz, edge.allow_no_origin, edge.send_queue) == (40.0, False, 64)
    assert read_env(SfuConfig, {"VIRTUBAR_SFU_ICE_ADDRESSES": "10.0.0.5,10.0.0.6"}).ice_addresses == [
        "10.0.0.5", "10.0.0.6"]


@pytest.mark.parametrize(("cls", "name", "value", "why"), [
    (Settings, "VIRTUBAR_PORT", "eighty", "Expected `int`"),
    (Settings, "VIRTUBAR_PORT", "70000", "<= 65535"),
    (Settings, "VIRTUBAR_NODE_CAPACITY", "-1", ">= 0"),
    (Settings, "VIRTUBAR_RESERVATION_S", "soon", "Expected `float`"),
    (Settings, "VIRTUBAR_FORWARDED_HOPS", "-1", ">= 0"),
    (EdgeConfig, "VIRTUBAR_EDGE_TICK_HZ", "0", "> 0"),
    (EdgeConfig, "VIRTUBAR_EDGE_ALLOW_NO_ORIGIN", "maybe", "must be true or false"),
])
def test_a_bad_value_is_an_error_naming_the_variable(cls, name, value, why):
    with pytest.raises(SettingError, match=name) as raised:
        read_env(cls, {name: value})
    assert why in str(raised.value) and repr(value) in str(raised.value)


def test_a_setting_set_by_code_is_not_read_from_the_environment():
    assert read_env(EdgeConfig, {"VIRTUBAR_EDGE_DRAIN_ON_SIGNAL": "true"}).drain_on_signal is False


def test_each_service_reads_the_environment_through_the_loader(monkeypatch, tmp_path):
    monkeypatch.setenv("VIRTUBAR_DATA", str(tmp_path))
    monkeypatch.setenv("VIRTUBAR_PORT", "9001")
    monkeypatch.setenv("VIRTUBAR_ADMIN_EMAILS", "Ada@Example.org")
    monkeypatch.setenv("VIRTUBAR_EDGE_AOI_EVERY", "7")
    monkeypatch.setenv("VIRTUBAR_SFU_ICE_ADDRESSES", "192.0.2.7")
    settings = Settings.from_env()
    assert settings.port == 9001 and settings.public_url == "http://127.0.0.1:9001"
    assert settings.admin_emails == ["ada@example.org"] and settings.data == tmp_path.resolve()
    assert EdgeConfig.from_env().aoi_every == 7
    assert SfuConfig.from_env().ice_addresses == ["192.0.2.7"]
    monkeypatch.setenv("VIRTUBAR_EDGE_AOI_EVERY", "often")
    with pytest.raises(SettingError, match="VIRTUBAR_EDGE_AOI_EVERY"):
        EdgeConfig.from_env()

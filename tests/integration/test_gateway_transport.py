"""The gateway's transport: host rewrite, default timeout, proxies, dead servers."""

from __future__ import annotations

import pytest

from activecare.twitter.gateway import API_HOST, _Transport, make_gateway
from activecare.twitter.port import TwitterUnavailable
from infra.fake_twitter import FakeTwitterServer, FakeTwitterState
from tests.integration.conftest_twitter import APP_TOKEN, NOW, running_fake


def test_production_gateway_keeps_the_real_host_with_a_timeout() -> None:
    gw = make_gateway("token", timeout=4.0)
    adapter = gw.client.session.get_adapter(API_HOST + "/2/tweets/search/recent")
    assert isinstance(adapter, _Transport)
    assert adapter._base is None and adapter._timeout == 4.0
    assert gw.client.wait_on_rate_limit is False


def test_loopback_target_ignores_proxy_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    with running_fake() as fx:
        fx.tweet("圏外")
        assert fx.gateway(APP_TOKEN).search_recent("圏外").result_count == 1


def test_dead_server_is_unavailable() -> None:
    server = FakeTwitterServer(FakeTwitterState(lambda: NOW))
    url = server.start()
    server.stop()
    gw = make_gateway("token", base_url=url, timeout=1.0)
    with pytest.raises(TwitterUnavailable):
        gw.search_recent("圏外")
    assert gw.usage["search"] == 1

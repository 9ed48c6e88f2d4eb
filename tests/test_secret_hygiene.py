"""Secrets only from the environment, only over TLS, and TLS failures said as such
(hostile-API probe, issue 14 item 11)."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tests.test_serve import ROOT
from tui.config import ConfigError, validate_config
from tui.sources import SourceError, fetch_records, make_client
from tui.sources.json_api import JsonSource

SAN = ["-addext", "subjectAltName=IP:127.0.0.1"]
METRICS = {
    "metrics": [
        {"id": "a", "label": "A", "side": "employee", "source": "s", "kind": "count"},
        {"id": "b", "label": "B", "side": "customer", "source": "s", "kind": "count"},
    ],
    "pairs": [{"employee": "a", "customer": "b"}],
}


def problems_of(source: dict) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        validate_config({"sources": [{"id": "s", "kind": "json", **source}], **METRICS})
    return [str(p) for p in caught.value.problems]


def test_credentials_over_plain_http_only_to_loopback():
    bearer = {"kind": "bearer", "token_env": "TOKEN"}
    [message] = problems_of({"base_url": "http://api.example.com", "auth": bearer})
    assert "http://api.example.com would carry the credential unencrypted: use https" in message
    # A name that merely starts like a loopback address is a host on the network.
    [message] = problems_of({"base_url": "http://127.example.com", "auth": bearer})
    assert "would carry the credential unencrypted" in message
    for url in ("http://127.0.0.1:8080", "http://localhost", "https://api.example.com"):
        validate_config(
            {"sources": [{"id": "s", "kind": "json", "base_url": url, "auth": bearer}], **METRICS}
        )


def test_a_secret_in_params_or_a_header_prefix_is_refused():
    [message] = problems_of({"base_url": "https://x.example.com", "params": {"api_key": "sk1"}})
    assert message.startswith("sources[0].params: api_key: secrets are never read from config")
    assert "sk1" not in message
    header = {"kind": "header", "header": "X-Key", "token_env": "T", "prefix": "sk_live_abc123"}
    [message] = problems_of({"base_url": "https://x.example.com", "auth": header})
    assert "sk_live_abc123" not in message and "secrets are never read" in message
    ok = {**header, "prefix": "Token "}
    validate_config(
        {"sources": [{"id": "s", "kind": "json", "base_url": "https://x", "auth": ok}], **METRICS}
    )


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
async def test_a_certificate_failure_says_so_and_ca_bundle_mends_it(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    request = [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
    ]
    subprocess.run(
        ["openssl", *request, "-keyout", str(key), "-out", str(cert), *SAN],
        check=True,
        capture_output=True,
    )

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            body = b'[{"date": "2026-03-01"}]'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = HTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        url = f"https://127.0.0.1:{server.server_address[1]}"
        source = JsonSource(id="s", kind="json", base_url=url, retries=0)
        async with make_client() as client:
            with pytest.raises(SourceError, match="certificate or TLS failure"):
                await fetch_records(source, client, {})
        async with make_client(str(cert)) as client:
            assert len((await fetch_records(source, client, {})).records) == 1
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_a_secret_pasted_into_token_env_is_refused_and_never_repeated():
    for pasted in ("sk_live_abc123", "ghp_16C7e42F292c6912E7710c838347Ae178B4a", "a" * 80):
        [message] = problems_of(
            {
                "base_url": "https://x.example.com",
                "auth": {"kind": "bearer", "token_env": pasted},
            }
        )
        assert pasted not in message
        assert "not the secret itself" in message and "the value given is not shown" in message


async def test_a_secret_the_api_echoes_back_is_blanked_before_anything_sees_it():
    """Peakon's answerSkipReason is free text, and a record field is whatever the API
    sends: a key echoed into either reaches no record, no skip reason, no screen."""
    from tests.test_vendors import WP_ENV, PeakonReplay, pointed_at
    from tui.config import load_config

    token = WP_ENV["PEAKON_APP_TOKEN"]

    class Echoing(PeakonReplay):
        def answers(self, request):
            reply = super().answers(request)
            for item in reply.body["data"]:
                attributes = item["attributes"]
                attributes["roundType"] = f"automatic {token}"
                if attributes["answerScore"] is None:
                    attributes["answerSkipReason"] = f"bad token {token}"
            return reply

    config = load_config(ROOT / "config" / "examples" / "workday-peakon.toml")
    replay = Echoing()
    with replay.server:
        source = pointed_at(config, "voice", subdomain=None, base_url=f"{replay.server.url}/api/v1")
        async with make_client() as client:
            result = await fetch_records(source, client, WP_ENV)
    assert result.records and result.skipped
    shown = repr(result.records) + repr(dict(result.skipped))
    assert token not in shown
    assert "skipped: bad token •••" in result.skipped
    assert all(r["round_type"] == "automatic •••" for r in result.records)

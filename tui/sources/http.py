"""HTTP for every source: the one shared client, and one GET with retries and a size cap.

Transient failures — connect errors, timeouts, dropped connections, 408, 425,
429 and 5xx — are retried with exponential backoff and full jitter; a 429 or
503 with `Retry-After` waits what the server asked (within the cap). Anything
else fails at once with a one-line `SourceError` that holds no secret.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.request import getproxies

import httpx

from tui import __version__
from tui.clock import within
from tui.sources.auth import credential_names
from tui.sources.base import SourceError, display_url
from tui.sources.decode import decode_json

if TYPE_CHECKING:
    from tui.config import Config
    from tui.config.sources import HttpSourceBase


TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})

Sleep = Callable[[float], Awaitable[None]]


def user_agent() -> str:
    return f"Tandem/{__version__} httpx/{httpx.__version__}"


def client_for(config: Config) -> httpx.AsyncClient:
    """The one client a config's sources share: its CA bundle, a connection each."""
    return make_client(config.dashboard.ca_bundle, len(config.sources))


def make_client(ca_bundle: str | None = None, sources: int = 0) -> httpx.AsyncClient:
    """A client with a pool of connections for each source, and a default timeout;
    sources set their own per request.

    TLS verification is always on: `ca_bundle` adds a private CA, it cannot turn it off.
    A proxy named in the environment (HTTP_PROXY, HTTPS_PROXY, NO_PROXY) is used as
    httpx uses it; requests through it share httpx's one pool (see SourcePools).
    """
    connections = max(32, sources)
    # Built once, for every source's pool: loading a CA store takes 20-50 ms.
    verify: Any
    if ca_bundle is not None:
        import ssl

        verify = ssl.create_default_context(cafile=ca_bundle)
    else:
        verify = httpx.create_ssl_context()
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    # Requests that no proxy of the environment takes go to the per-source pools: the
    # least specific pattern, so the environment's proxies and NO_PROXY hosts still
    # win. ALL_PROXY would be replaced by the same key: then there is one pool.
    mounts = None if getproxies().get("all") else {"all://": SourcePools(verify, limits)}
    return httpx.AsyncClient(
        headers={"User-Agent": user_agent(), "Accept": "application/json"},
        timeout=httpx.Timeout(10.0),
        limits=limits,
        follow_redirects=True,
        verify=verify,
        mounts=mounts,
    )


# The request extension naming the source a request is for (set in _get_once).
SOURCE_EXTENSION = "tandem.source"


class SourcePools(httpx.AsyncBaseTransport):
    """A pool of connections for each source, behind the one shared client.

    httpcore's pool walks all its connections for each request it starts and ends,
    and with a connection's state checked inside that walk (encode/httpcore#1035):
    with a hundred sources in one pool, a refresh spent more time there than waiting
    for the vendors, and a refresh within keep-alive of the last took 16 times one
    source's time (measured in tests/bench/fanout.py). A source asks for its pages one
    after another, so its own pool holds a connection or two: the walks stay short,
    and sources never wait on one another's connections. Requests that name no
    source share one pool of `limits`.
    """

    # A source reads one page at a time; a redirect to another host takes a second.
    PER_SOURCE = httpx.Limits(max_connections=4, max_keepalive_connections=4)

    def __init__(self, verify: Any, limits: httpx.Limits) -> None:
        self._verify = verify
        self._limits = limits
        self._pools: dict[str, httpx.AsyncHTTPTransport] = {}

    def pool_for(self, source_id: str) -> httpx.AsyncHTTPTransport:
        pool = self._pools.get(source_id)
        if pool is None:
            limits = self.PER_SOURCE if source_id else self._limits
            pool = httpx.AsyncHTTPTransport(verify=self._verify, limits=limits)
            self._pools[source_id] = pool
        return pool

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        source_id = str(request.extensions.get(SOURCE_EXTENSION, ""))
        return await self.pool_for(source_id).handle_async_request(request)

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            await pool.aclose()


@dataclass(frozen=True)
class RequestPolicy:
    """How one source's requests behave: timeouts, retries, size cap, and hints for errors."""

    source_id: str
    timeout_seconds: float = 10.0
    retries: int = 3
    backoff_seconds: float = 1.0
    max_backoff_seconds: float = 30.0
    max_response_bytes: int = 50_000_000
    # Environment variable names to suggest on a 401/403 (never their values).
    credential_names: tuple[str, ...] = ()
    # Who answered, for messages: "401 from BambooHR — check BAMBOOHR_API_KEY".
    vendor: str = ""
    # Headers a vendor sends instead of Retry-After: seconds until its window resets.
    reset_headers: tuple[str, ...] = ()

    @property
    def speaker(self) -> str:
        return self.vendor or self.source_id

    def backoff(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait before try `attempt + 1` (attempt 0 is the first retry)."""
        if retry_after is not None:
            return max(0.0, min(retry_after, self.max_backoff_seconds))
        ceiling = min(self.max_backoff_seconds, self.backoff_seconds * 2**attempt)
        return rng.uniform(0, ceiling)  # full jitter: sources never retry in step


@dataclass
class JsonPage:
    """One decoded response: its body, and the URL and links it came back with."""

    body: Any
    url: httpx.URL
    links: dict[str, dict[str, str]]
    headers: httpx.Headers


def request_policy(
    source: HttpSourceBase, vendor: str = "", reset_headers: tuple[str, ...] = ()
) -> RequestPolicy:
    """A source's timeouts, retries, backoff and size cap as configured, the names of its
    credentials for hints on a 401/403, and who answers (a vendor's name) for messages."""
    return RequestPolicy(
        source_id=source.id,
        timeout_seconds=source.timeout_seconds,
        retries=source.retries,
        backoff_seconds=source.backoff_seconds,
        max_backoff_seconds=source.max_backoff_seconds,
        max_response_bytes=source.max_response_bytes,
        credential_names=tuple(credential_names(source.auth)),
        vendor=vendor,
        reset_headers=reset_headers,
    )


class _Transient(Exception):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


async def get_json(
    client: httpx.AsyncClient,
    policy: RequestPolicy,
    url: httpx.URL | str,
    *,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    what: str = "response",
    sleep: Sleep = asyncio.sleep,
    rng: random.Random | None = None,
    method: str = "GET",
    json_body: Any = None,
) -> JsonPage:
    """Request `url` (GET unless told) and decode its JSON body, retrying transient failures.

    A POST here only reads (a report query): retrying it is safe.
    """
    raw = await get_bytes(
        client,
        policy,
        url,
        params=params,
        headers=headers,
        what=what,
        sleep=sleep,
        rng=rng,
        method=method,
        json_body=json_body,
    )
    body = decode_json(raw.content, policy.source_id, what)
    return JsonPage(body, raw.url, raw.links, raw.headers)


@dataclass
class RawPage:
    """One response's bytes (at most the policy's cap), with its URL, links and headers."""

    content: bytes
    url: httpx.URL
    links: dict[str, dict[str, str]]
    headers: httpx.Headers


async def get_bytes(
    client: httpx.AsyncClient,
    policy: RequestPolicy,
    url: httpx.URL | str,
    *,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    what: str = "response",
    sleep: Sleep = asyncio.sleep,
    rng: random.Random | None = None,
    method: str = "GET",
    json_body: Any = None,
) -> RawPage:
    """Like `get_json`, for a body that is not JSON (an export file)."""
    rng = rng or random.Random()
    url = httpx.URL(str(url))
    for attempt in range(policy.retries + 1):
        try:
            # httpx's timeout bounds each wait for a byte; a server that drips one byte
            # a second never trips it. timeout_seconds bounds the whole request.
            try:
                return await within(
                    policy.timeout_seconds,
                    _get_once(client, policy, url, params, headers, what, method, json_body),
                )
            except asyncio.TimeoutError:
                # Worded as httpx's own timeout below: both mean no whole answer in time.
                raise _Transient(
                    f"{policy.source_id}: no answer from {display_url(url)} within "
                    f"{policy.timeout_seconds:g} s"
                ) from None
        except _Transient as failure:
            if attempt == policy.retries:
                tries = f" after {attempt + 1} tries" if attempt else ""
                raise SourceError(f"{failure}{tries}") from None
            await sleep(policy.backoff(attempt, failure.retry_after, rng))
    raise AssertionError("unreachable")  # pragma: no cover


async def _get_once(
    client: httpx.AsyncClient,
    policy: RequestPolicy,
    url: httpx.URL,
    params: dict[str, Any] | None,
    headers: dict[str, str] | None,
    what: str,
    method: str = "GET",
    json_body: Any = None,
) -> RawPage:
    shown = display_url(url)
    source_id = policy.source_id
    try:
        for _ in range(MAX_REDIRECTS + 1):
            async with client.stream(
                method,
                url,
                params=params,
                headers=headers,
                json=json_body,
                timeout=policy.timeout_seconds,
                follow_redirects=False,
                extensions={SOURCE_EXTENSION: source_id},
            ) as response:
                status = response.status_code
                if response.is_redirect:
                    target = response.url.join(response.headers["Location"])
                    _check_redirect(response.url, target, bool(headers), source_id)
                    # The next request carries the Location's own query; a 303 (and a
                    # 301 or 302 after a POST) is asked for with GET, as browsers do.
                    url, params, shown = target, None, display_url(target)
                    if status == 303 or (status in (301, 302) and method == "POST"):
                        method, json_body = "GET", None
                    continue
                if status in TRANSIENT_STATUSES:
                    raise _Transient(
                        _status_message(status, policy, shown),
                        _retry_after(response.headers, policy.reset_headers),
                    )
                if not response.is_success:
                    raise SourceError(_status_message(status, policy, shown))
                content = await _read_capped(response, policy, shown)
                links = {str(key): value for key, value in response.links.items()}
                return RawPage(content, response.url, links, response.headers)
    except httpx.TimeoutException:
        raise _Transient(
            f"{source_id}: no answer from {shown} within {policy.timeout_seconds:g} s"
        ) from None
    except httpx.TransportError as error:
        raise _Transient(f"{source_id}: cannot reach {shown} ({_reason(error)})") from None
    raise SourceError(f"{source_id}: more than {MAX_REDIRECTS} redirects from {shown}")


MAX_REDIRECTS = 10


def origin(url: httpx.URL) -> str:
    """scheme://host:port, the port written out even when it is the scheme's default."""
    port = url.port or {"http": 80, "https": 443}.get(url.scheme)
    return f"{url.scheme}://{url.host}:{port}"


def require_same_origin(url: httpx.URL, base_url: str, source_id: str) -> None:
    """Refuse a next page on another origin than the source's: credentials go with every
    page, so a link to another host is never followed."""
    if origin(url) != origin(httpx.URL(base_url)):
        raise SourceError(
            f"{source_id}: next page points at another host ({url.host}); not followed"
        )


def _check_redirect(
    current: httpx.URL, target: httpx.URL, credentials: bool, source_id: str
) -> None:
    """Refuse a redirect that would carry a credential to another origin.

    httpx drops Authorization on such a redirect, but not a vendor's own header
    (X-API-TOKEN) nor a key in the query: so an authenticated source follows a
    redirect only within its origin. An https page redirected to http is refused
    for every source: the data would arrive in the clear.
    """
    if current.scheme == "https" and target.scheme != "https":
        raise SourceError(
            f"{source_id}: {origin(current)} redirected to {origin(target)}, which is not "
            "https; not followed"
        )
    if credentials and origin(target) != origin(current):
        raise SourceError(
            f"{source_id}: {origin(current)} redirected to {origin(target)}; credentials "
            "are never sent to another origin, so it was not followed"
        )


async def _read_capped(response: httpx.Response, policy: RequestPolicy, shown: str) -> bytes:
    cap = policy.max_response_bytes
    too_big = (
        f"{policy.source_id}: response from {shown} is larger than {cap:,} bytes; "
        "raise max_response_bytes if that is expected"
    )
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > cap:
        raise SourceError(too_big)
    chunks: list[bytes] = []
    total = 0
    async for chunk in response.aiter_bytes():
        total += len(chunk)
        if total > cap:
            raise SourceError(too_big)
        chunks.append(chunk)
    return b"".join(chunks)


def _retry_after(headers: httpx.Headers, reset_headers: tuple[str, ...] = ()) -> float | None:
    """Retry-After as seconds, from either of its forms (seconds or an HTTP date); failing
    that, the first of a vendor's reset headers that holds a number of seconds."""
    value = headers.get("Retry-After", "").strip()
    if not value:
        for name in reset_headers:
            try:
                return max(0.0, float(headers.get(name, "").strip()))
            except ValueError:
                continue
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    from datetime import datetime, timezone

    return max(0.0, (moment - datetime.now(timezone.utc)).total_seconds())


def _reason(error: httpx.TransportError) -> str:
    """'connection refused' from '[Errno 111] Connection refused'; the class name otherwise.

    Only the OS's words are kept, so no URL or header can slip into a message.
    """
    text = str(error)
    if "CERTIFICATE" in text.upper() or "SSL" in text.upper() or "TLS" in text.upper():
        return "certificate or TLS failure: check the server's certificate, or ca_bundle"
    match = re.search(r"\[Errno -?\d+\] ([^\]\[]+)$", text)
    if match:
        return match.group(1).strip().lower()
    if isinstance(error, httpx.RemoteProtocolError):
        return "connection dropped"
    if isinstance(error, httpx.ConnectError):
        return "connection failed"
    return type(error).__name__


def _status_message(status: int, policy: RequestPolicy, shown: str) -> str:
    source_id = policy.speaker
    if status in (401, 403):
        names = policy.credential_names
        hint = f"check {' and '.join(names)}" if names else "the API needs credentials: set auth"
        return f"{status} from {source_id} — {hint}"
    if status == 404:
        return f"404 from {source_id} — {shown} not found; check base_url and path"
    if status == 429:
        return f"429 from {source_id} — rate limited"
    return f"{status} from {source_id} ({shown})"

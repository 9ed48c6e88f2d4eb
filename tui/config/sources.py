"""What every [[sources]] table shares: auth, timeouts, retries, circuits, tenants, dates.

Each source kind's own table is a model in its module, tui/sources/<kind>.py, beside
the code that fetches it; tui/sources/kinds.py lists them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from tui.config.base import (
    EnvName,
    Identifier,
    StrictModel,
    check_base_url,
    check_env_name,
    check_identifier,
    is_loopback,
)


class NoAuth(StrictModel):
    kind: Literal["none"] = "none"


class BearerAuth(StrictModel):
    """`Authorization: Bearer <token>`, the token read from `token_env`."""

    kind: Literal["bearer"]
    token_env: EnvName

    _env = field_validator("token_env")(check_env_name)


class BasicAuth(StrictModel):
    """HTTP basic auth; many HR APIs use the API key as user name and any password."""

    kind: Literal["basic"]
    username_env: EnvName
    password_env: EnvName | None = None

    @field_validator("username_env", "password_env")
    @classmethod
    def _env(cls, value: str | None) -> str | None:
        return None if value is None else check_env_name(value)


class HeaderAuth(StrictModel):
    """A custom header, such as `X-API-TOKEN: <token>`."""

    kind: Literal["header"]
    header: str = Field(min_length=1)
    token_env: EnvName
    prefix: str = ""

    _env = field_validator("token_env")(check_env_name)

    @field_validator("prefix")
    @classmethod
    def _scheme_only(cls, value: str) -> str:
        # A scheme word such as "Token " or "ApiKey ": anything longer is a secret
        # pasted into the config, refused like a literal token.
        if value and not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]{0,23} ?", value):
            raise ValueError(
                'expected a scheme word such as "Token ": secrets are never read from '
                "config files; put it in the environment variable that token_env names"
            )
        return value


AnyAuth = NoAuth | BearerAuth | BasicAuth | HeaderAuth
Auth = Annotated[AnyAuth, Field(discriminator="kind")]


class SourceBase(StrictModel):
    """What every source kind has: an id, a schedule and a circuit."""

    id: Identifier
    # Each kind narrows this to its own name (Literal["surveymonkey"]…).
    kind: str
    refresh_seconds: float | None = Field(None, ge=5, le=86_400)
    # After this many failed refreshes in a row the source is left alone for
    # `circuit_open_seconds` (doubling while it keeps failing), then probed.
    circuit_after_failures: int = Field(5, ge=1, le=1000)
    circuit_open_seconds: float = Field(300, ge=1, le=86_400)

    _id = field_validator("id")(check_identifier)

    if TYPE_CHECKING:
        # Every kind says which credential it sends (a field, or a property built from
        # its *_env keys): the variables named there are redacted from messages.
        @property
        def auth(self) -> AnyAuth: ...


class HttpSourceBase(SourceBase):
    """What every source fetched over HTTP shares: timeouts, retries, pages and a size cap."""

    timeout_seconds: float = Field(10, gt=0, le=300)
    max_pages: int = Field(1000, ge=1, le=100_000)
    # Transient failures (connect errors, timeouts, 429, 5xx) are retried with
    # exponential backoff and full jitter: at most `retries` more tries a request.
    retries: int = Field(3, ge=0, le=10)
    backoff_seconds: float = Field(1.0, ge=0, le=60)
    # A 429's Retry-After (or a vendor's reset header) is waited up to this long.
    max_backoff_seconds: float = Field(30.0, ge=0, le=600)
    # A response body larger than this is refused rather than read.
    max_response_bytes: int = Field(50_000_000, ge=1_000, le=2_000_000_000)
    # A whole refresh (every page, retry and wait) that takes longer fails, and the
    # last good values stay, marked stale.
    deadline_seconds: float = Field(900, ge=5, le=86_400)

    @model_validator(mode="after")
    def _credentials_only_over_https(self) -> HttpSourceBase:
        """A credential over plain http crosses the network readable: only to loopback."""
        from urllib.parse import urlsplit

        url = (
            getattr(self, "url", None)
            or getattr(self, "base_url", None)
            or getattr(self, "report_url", None)
            or ""
        )
        parts = urlsplit(url)
        loopback = is_loopback(parts.hostname or "")
        if parts.scheme == "http" and not loopback and credential_names(self.auth):
            raise ValueError(
                f"{parts.scheme}://{parts.hostname} would carry the credential unencrypted: "
                "use https (plain http is for 127.0.0.1 and localhost only)"
            )
        return self


class DateFiltered(StrictModel):
    """A vendor whose API filters by date: after the first full fetch, a refresh fetches
    only from the start of the earliest week, month or quarter holding (the last fetch −
    overlap_days), so late edits within the overlap are caught (see incremental_since)."""

    overlap_days: float = Field(7, ge=0, le=90)


class TenantSourceBase(HttpSourceBase):
    """A vendor whose API lives on the customer's own host (acme.zendesk.com): the config
    gives that tenant name, or a full base_url (a proxy, a test server)."""

    # Set by each kind: the tenant key's name, its pattern and example, and the URL.
    TENANT_KEY: ClassVar[str]
    TENANT_PATTERN: ClassVar[str] = r"[a-z0-9][a-z0-9-]*"
    TENANT_EXAMPLE: ClassVar[str]
    URL_TEMPLATE: ClassVar[str]

    base_url: str | None = None

    @field_validator("subdomain", "company_domain", "datacenter", check_fields=False)
    @classmethod
    def _tenant(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(cls.TENANT_PATTERN, value):
            raise ValueError(f"expected the {cls.TENANT_KEY} alone, such as {cls.TENANT_EXAMPLE}")
        return value

    @field_validator("base_url")
    @classmethod
    def _base(cls, value: str | None) -> str | None:
        return None if value is None else check_base_url(value)

    @model_validator(mode="after")
    def _one_of(self) -> TenantSourceBase:
        if (getattr(self, self.TENANT_KEY) is None) == (self.base_url is None):
            raise ValueError(f"set either {self.TENANT_KEY} ({self.TENANT_EXAMPLE}) or base_url")
        return self

    @property
    def url(self) -> str:
        return self.base_url or self.URL_TEMPLATE.format(getattr(self, self.TENANT_KEY))


def credential_names(auth: AnyAuth) -> list[str]:
    """The environment variables an auth table reads, for "check X" hints and redaction."""
    if isinstance(auth, (BearerAuth, HeaderAuth)):
        return [auth.token_env]
    if isinstance(auth, BasicAuth):
        return [name for name in (auth.username_env, auth.password_env) if name]
    return []

"""The TOML configuration: pydantic models of every table, and the loader.

Nothing else in Tandem parses TOML. `load_config` either returns a valid
`Config` or raises `ConfigError`, whose text names the file, every field that
is wrong (as a path such as `metrics[2].thresholds.warn`) and what was expected.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal
from urllib.parse import urlsplit

import jmespath
import jmespath.exceptions
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on Python 3.10
    import tomli as tomllib

from tui.periods import Granularity

DEMO_PLACEHOLDER = "{demo}"

# Keys that would hold a secret: refused with a pointer to the *_env field.
_SECRET_KEYS = {"token", "password", "api_key", "apikey", "secret", "client_secret", "key"}
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")

Scalar = str | int | float | bool


class StrictModel(BaseModel):
    """A config table: unknown keys are errors, and values are never coerced silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _remember_allowed_keys(cls, data: Any, info: ValidationInfo) -> Any:
        # Lets the error formatter suggest "did you mean" from this table's own keys.
        if isinstance(data, dict) and isinstance(info.context, dict):
            info.context.setdefault("allowed", {})[id(data)] = sorted(cls.model_fields)
        return data


def _check_identifier(value: str) -> str:
    if not _IDENTIFIER.match(value):
        raise ValueError("expected an id of letters, digits, '-' and '_', starting with a letter")
    return value


def _check_env_name(value: str) -> str:
    if not _ENV_NAME.match(value):
        raise ValueError(
            "expected the name of an environment variable that holds the secret, "
            "such as SURVEY_API_TOKEN"
        )
    return value


def _check_jmespath(value: str) -> str:
    try:
        jmespath.compile(value)
    except jmespath.exceptions.JMESPathError as error:
        first_line = str(error).splitlines()[0]
        raise ValueError(f"expected a JMESPath expression: {first_line}") from None
    return value


Identifier = Annotated[str, Field(min_length=1, max_length=64)]
EnvName = Annotated[str, Field(min_length=1)]
JMESPath = Annotated[str, Field(min_length=1)]


# ── [dashboard] ────────────────────────────────────────────────────────────


_HEX_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


class BrandColours(StrictModel):
    """The organisation's colours, as a theme named "brand" (`theme = "brand"` uses it)."""

    primary: str
    secondary: str | None = None
    accent: str | None = None
    background: str | None = None
    surface: str | None = None
    panel: str | None = None
    foreground: str | None = None
    success: str | None = None
    warning: str | None = None
    error: str | None = None
    dark: bool = True

    @field_validator(
        "primary",
        "secondary",
        "accent",
        "background",
        "surface",
        "panel",
        "foreground",
        "success",
        "warning",
        "error",
    )
    @classmethod
    def _hex(cls, value: str | None) -> str | None:
        if value is not None and not _HEX_COLOUR.match(value):
            raise ValueError("expected a colour as #RRGGBB, such as #0B5FFF")
        return value


class Dashboard(StrictModel):
    title: str = "Tandem"
    organisation: str = ""
    period: Granularity = "month"
    refresh_seconds: float = Field(300, ge=5, le=86_400)
    theme: str = "textual-dark"
    history_periods: int = Field(24, ge=2, le=520)
    # Employee-side values of a group with fewer responses (or people) than
    # this are never shown, exported or stored.
    anonymity_threshold: int = Field(5, ge=3, le=1000)
    # A PEM file of extra CA certificates for sources behind a private CA.
    # TLS verification itself cannot be turned off.
    ca_bundle: str | None = None
    # A demo config's sources point at the bundled demo API, started by Tandem.
    demo: bool = False
    # [dashboard.brand]: the organisation's colours as the theme "brand".
    brand: BrandColours | None = None
    # Kiosk: no input needed; pages rotate (overview, each segment, insights).
    kiosk: bool = False
    kiosk_seconds: float = Field(20, ge=3, le=3600)

    @field_validator("ca_bundle")
    @classmethod
    def _ca_bundle_exists(cls, value: str | None) -> str | None:
        if value is not None and not Path(value).expanduser().is_file():
            raise ValueError(f"expected a PEM file of CA certificates; {value} is not a file")
        return value


# ── [linkage] ──────────────────────────────────────────────────────────────


class LinkageSettings(StrictModel):
    """How Tandem decides whether an employee metric leads its customer metric."""

    # Lags tried, in periods (6 months by default).
    max_lag: int = Field(6, ge=0, le=24)
    # Fewer overlapping periods than this: "not enough history yet", no number.
    min_overlap: int = Field(8, ge=4, le=200)
    # difference (default) or detrend, so series that merely trend together are
    # not called linked; none compares the raw values.
    transform: Literal["difference", "detrend", "none"] = "difference"
    # Significance after correcting for the number of lags tried.
    alpha: float = Field(0.05, gt=0, lt=0.5)


# ── [[sources]] ────────────────────────────────────────────────────────────


class NoAuth(StrictModel):
    kind: Literal["none"] = "none"


class BearerAuth(StrictModel):
    """`Authorization: Bearer <token>`, the token read from `token_env`."""

    kind: Literal["bearer"]
    token_env: EnvName

    _env = field_validator("token_env")(_check_env_name)


class BasicAuth(StrictModel):
    """HTTP basic auth; many HR APIs use the API key as user name and any password."""

    kind: Literal["basic"]
    username_env: EnvName
    password_env: EnvName | None = None

    @field_validator("username_env", "password_env")
    @classmethod
    def _env(cls, value: str | None) -> str | None:
        return None if value is None else _check_env_name(value)


class HeaderAuth(StrictModel):
    """A custom header, such as `X-API-TOKEN: <token>`."""

    kind: Literal["header"]
    header: str = Field(min_length=1)
    token_env: EnvName
    prefix: str = ""

    _env = field_validator("token_env")(_check_env_name)


Auth = Annotated[NoAuth | BearerAuth | BasicAuth | HeaderAuth, Field(discriminator="kind")]


class NoPagination(StrictModel):
    style: Literal["none"] = "none"


class PagePagination(StrictModel):
    """?page=1,2,3… until a page comes back short or empty."""

    style: Literal["page"]
    page_param: str = "page"
    size_param: str | None = "per_page"
    size: int = Field(100, ge=1, le=10_000)
    first_page: int = Field(1, ge=0)
    # Optional JMESPath to the number of pages, where the API reports it.
    total_pages_path: JMESPath | None = None

    @field_validator("total_pages_path")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        return None if value is None else _check_jmespath(value)


class OffsetPagination(StrictModel):
    """?offset=0&limit=100, then offset=100… until a page comes back short."""

    style: Literal["offset"]
    offset_param: str = "offset"
    limit_param: str = "limit"
    limit: int = Field(100, ge=1, le=10_000)


class CursorPagination(StrictModel):
    """The body names the next cursor; it goes back as a query parameter."""

    style: Literal["cursor"]
    cursor_param: str = "cursor"
    next_cursor_path: JMESPath

    _path = field_validator("next_cursor_path")(_check_jmespath)


class NextUrlPagination(StrictModel):
    """The body holds the URL of the next page."""

    style: Literal["next_url"]
    next_url_path: JMESPath

    _path = field_validator("next_url_path")(_check_jmespath)


class LinkHeaderPagination(StrictModel):
    """RFC 8288 `Link: <…>; rel="next"` headers."""

    style: Literal["link_header"]


Pagination = Annotated[
    NoPagination
    | PagePagination
    | OffsetPagination
    | CursorPagination
    | NextUrlPagination
    | LinkHeaderPagination,
    Field(discriminator="style"),
]


class RecordSelection(StrictModel):
    """Where the records are in a response, and which fields to keep from each."""

    # JMESPath to the list of records; empty means the body itself is the list.
    path: JMESPath | None = None
    # Record field name -> JMESPath inside one record. Empty keeps records whole.
    fields: dict[str, JMESPath] = Field(default_factory=dict)
    # JMESPath to a record's unique id: a record seen twice counts once.
    id: JMESPath | None = None

    @field_validator("path", "id")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        return None if value is None else _check_jmespath(value)

    @field_validator("fields")
    @classmethod
    def _fields(cls, value: dict[str, str]) -> dict[str, str]:
        for expression in value.values():
            _check_jmespath(expression)
        return value


def _check_base_url(value: str) -> str:
    if value.startswith(DEMO_PLACEHOLDER):
        return value
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("expected an http:// or https:// URL, such as https://api.example.com")
    if parts.query or parts.fragment:
        raise ValueError("expected a URL without a query string: put query parameters in `params`")
    if parts.username or parts.password:
        raise ValueError(
            "credentials do not belong in a URL: set `auth` and keep the secret "
            "in an environment variable"
        )
    return value.rstrip("/")


class HttpSourceBase(StrictModel):
    """What every source fetched over HTTP shares: its id, timeouts, retries and circuit."""

    id: Identifier
    timeout_seconds: float = Field(10, gt=0, le=300)
    refresh_seconds: float | None = Field(None, ge=5, le=86_400)
    max_pages: int = Field(1000, ge=1, le=100_000)
    # Transient failures (connect errors, timeouts, 429, 5xx) are retried with
    # exponential backoff and full jitter: at most `retries` more tries a request.
    retries: int = Field(3, ge=0, le=10)
    backoff_seconds: float = Field(1.0, ge=0, le=60)
    # A 429's Retry-After (or a vendor's reset header) is waited up to this long.
    max_backoff_seconds: float = Field(30.0, ge=0, le=600)
    # After this many failed refreshes in a row the source is left alone for
    # `circuit_open_seconds` (doubling while it keeps failing), then probed.
    circuit_after_failures: int = Field(5, ge=1, le=1000)
    circuit_open_seconds: float = Field(300, ge=1, le=86_400)
    # A response body larger than this is refused rather than read.
    max_response_bytes: int = Field(50_000_000, ge=1_000, le=2_000_000_000)

    _id = field_validator("id")(_check_identifier)


class JsonSource(HttpSourceBase):
    """The generic `json` kind: GET an endpoint, follow its pages, select records."""

    kind: Literal["json"]
    base_url: str
    path: str = ""
    auth: Auth = Field(default_factory=NoAuth)
    params: dict[str, Scalar] = Field(default_factory=dict)
    pagination: Pagination = Field(default_factory=NoPagination)
    records: RecordSelection = Field(default_factory=RecordSelection)

    _base_url = field_validator("base_url")(_check_base_url)

    @field_validator("path")
    @classmethod
    def _path_has_no_query(cls, value: str) -> str:
        if "?" in value or "#" in value:
            raise ValueError(
                "expected a path without a query string: put query parameters in `params`"
            )
        return value

    @property
    def url(self) -> str:
        """The endpoint's full URL (before any demo placeholder is filled in)."""
        if not self.path:
            return self.base_url
        return f"{self.base_url}/{self.path.lstrip('/')}"


# ── Built-in vendor kinds ─────────────────────────────────────────────────
# Each names the tool, the environment variables that hold its credential and
# the survey or report to read; the endpoints, auth scheme, paging and rate
# limits are the vendor's own, in tui/sources/<vendor>.py.

_VENDOR_ID = re.compile(r"^[A-Za-z0-9_.-]+$")


def _check_vendor_id(value: str) -> str:
    if not _VENDOR_ID.match(value):
        raise ValueError("expected an id of letters, digits, '.', '_' or '-'")
    return value


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
        return None if value is None else _check_base_url(value)

    @model_validator(mode="after")
    def _one_of(self) -> TenantSourceBase:
        if (getattr(self, self.TENANT_KEY) is None) == (self.base_url is None):
            raise ValueError(f"set either {self.TENANT_KEY} ({self.TENANT_EXAMPLE}) or base_url")
        return self

    @property
    def url(self) -> str:
        return self.base_url or self.URL_TEMPLATE.format(getattr(self, self.TENANT_KEY))


class QualtricsSource(TenantSourceBase, DateFiltered):
    """Qualtrics: a survey's responses through an export job, one question's answers."""

    TENANT_KEY = "datacenter"
    TENANT_PATTERN = r"[a-z0-9]+"
    TENANT_EXAMPLE = "fra1 for fra1.qualtrics.com"
    URL_TEMPLATE = "https://{}.qualtrics.com/API/v3"

    kind: Literal["qualtrics"]
    datacenter: str | None = None
    survey_id: str
    # The NPS (QIDn, 0–10) or rating question whose answers become `score`.
    question_id: str
    token_env: EnvName
    # Embedded data fields to carry into records, such as team or region.
    embedded_fields: list[str] = Field(default_factory=list, max_length=50)
    # Count only responses the respondent finished.
    finished_only: bool = True
    poll_seconds: float = Field(2.0, ge=0, le=60)
    max_export_seconds: float = Field(300, gt=0, le=3600)
    # The score of each answer by its label, for a question whose recode values do not
    # follow its labels' meaning (tui/sources/scales.py).
    choice_scores: dict[str, int] | None = None

    _ids = field_validator("survey_id", "question_id")(_check_vendor_id)
    _env = field_validator("token_env")(_check_env_name)

    @property
    def auth(self) -> HeaderAuth:
        return HeaderAuth(kind="header", header="X-API-TOKEN", token_env=self.token_env)


class SurveyMonkeySource(HttpSourceBase, DateFiltered):
    """SurveyMonkey API v3: the bulk responses of one survey, one question's answers."""

    kind: Literal["surveymonkey"]
    survey_id: str
    # The NPS or CSAT question whose answers become `score`.
    question_id: str
    token_env: EnvName
    base_url: str = "https://api.surveymonkey.com/v3"
    # completed (default), partial, or any.
    status: Literal["completed", "partial", "any"] = "completed"
    per_page: int = Field(100, ge=1, le=100)
    # The score of each choice by its text, e.g. { "Very satisfied" = 5, ... }, for a
    # question whose scale Tandem cannot read from the survey (tui/sources/scales.py).
    choice_scores: dict[str, int] | None = None

    _ids = field_validator("survey_id", "question_id")(_check_vendor_id)
    _env = field_validator("token_env")(_check_env_name)
    _base_url = field_validator("base_url")(_check_base_url)

    @property
    def auth(self) -> BearerAuth:
        return BearerAuth(kind="bearer", token_env=self.token_env)


class ZendeskSource(TenantSourceBase, DateFiltered):
    """Zendesk Support: satisfaction ratings (good or bad) as a 0/1 `rating`."""

    TENANT_KEY = "subdomain"
    TENANT_EXAMPLE = "acme for acme.zendesk.com"
    URL_TEMPLATE = "https://{}.zendesk.com/api/v2"

    kind: Literal["zendesk"]
    subdomain: str | None = None
    # API token auth: the agent's email and the token, each in a variable.
    email_env: EnvName
    token_env: EnvName
    page_size: int = Field(100, ge=1, le=100)

    _envs = field_validator("email_env", "token_env")(_check_env_name)

    @property
    def auth(self) -> BasicAuth:
        # "{email}/token:{token}": both names, so both are redacted from messages.
        return BasicAuth(kind="basic", username_env=self.email_env, password_env=self.token_env)


class BambooHRSource(TenantSourceBase):
    """BambooHR: a custom report of every employee, current and former."""

    TENANT_KEY = "company_domain"
    TENANT_PATTERN = r"[A-Za-z0-9][A-Za-z0-9-]*"
    TENANT_EXAMPLE = "acme for acme.bamboohr.com"
    URL_TEMPLATE = "https://{}.bamboohr.com/api/v1"

    kind: Literal["bamboohr"]
    company_domain: str | None = None
    api_key_env: EnvName = "BAMBOOHR_API_KEY"
    # More report fields to carry into records, such as division or location.
    extra_fields: list[str] = Field(default_factory=list, max_length=50)

    _env = field_validator("api_key_env")(_check_env_name)

    @field_validator("extra_fields")
    @classmethod
    def _fields(cls, value: list[str]) -> list[str]:
        for name in value:
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_.]*", name):
                raise ValueError(f"expected BambooHR field names, such as division; got {name!r}")
        return value

    @property
    def auth(self) -> BasicAuth:
        # The API key is the user name; the password is ignored.
        return BasicAuth(kind="basic", username_env=self.api_key_env)


class TypeformSource(HttpSourceBase, DateFiltered):
    """Typeform: the responses of one form, one field's answers."""

    kind: Literal["typeform"]
    form_id: str
    # The NPS, opinion-scale or rating field, by its ref (or its id).
    field: str
    token_env: EnvName
    base_url: str = "https://api.typeform.com"
    page_size: int = Field(1000, ge=1, le=1000)

    _ids = field_validator("form_id", "field")(_check_vendor_id)
    _env = field_validator("token_env")(_check_env_name)
    _base_url = field_validator("base_url")(_check_base_url)

    @property
    def auth(self) -> BearerAuth:
        return BearerAuth(kind="bearer", token_env=self.token_env)


class PersonioSource(HttpSourceBase):
    """Personio Personnel Data API v1: company employees, current and former."""

    kind: Literal["personio"]
    client_id_env: EnvName
    client_secret_env: EnvName
    base_url: str = "https://api.personio.de/v1"
    limit: int = Field(100, ge=1, le=100)
    # More employee attributes to carry into records (office, cost_centers…).
    extra_attributes: list[str] = Field(default_factory=list, max_length=50)

    _envs = field_validator("client_id_env", "client_secret_env")(_check_env_name)
    _base_url = field_validator("base_url")(_check_base_url)

    @property
    def auth(self) -> BasicAuth:
        # Not sent as Basic: the two are exchanged for a token. Named here so that
        # messages can say which to check and never show either.
        return BasicAuth(
            kind="basic", username_env=self.client_id_env, password_env=self.client_secret_env
        )


class HiBobSource(HttpSourceBase):
    """HiBob: people search, inactive people included."""

    kind: Literal["hibob"]
    service_user_env: EnvName
    token_env: EnvName
    base_url: str = "https://api.hibob.com/v1"
    # More field paths to carry into records, such as work.site.
    extra_fields: list[str] = Field(default_factory=list, max_length=50)

    _envs = field_validator("service_user_env", "token_env")(_check_env_name)
    _base_url = field_validator("base_url")(_check_base_url)

    @field_validator("extra_fields")
    @classmethod
    def _fields(cls, value: list[str]) -> list[str]:
        for name in value:
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+", name):
                raise ValueError(f"expected HiBob field paths, such as work.site; got {name!r}")
        return value

    @property
    def auth(self) -> BasicAuth:
        return BasicAuth(
            kind="basic", username_env=self.service_user_env, password_env=self.token_env
        )


class WorkdaySource(HttpSourceBase):
    """Workday Report-as-a-Service: an Advanced custom report, enabled as a web service."""

    kind: Literal["workday"]
    # The report's URL from Related Actions → Web Service → View URLs, without ?format.
    report_url: str
    username_env: EnvName
    password_env: EnvName
    # The report's prompts, such as Effective_as_of_Date.
    prompts: dict[str, Scalar] = Field(default_factory=dict)
    # Record field = the report's column alias. Only these columns are kept.
    columns: dict[str, str] = Field(
        default_factory=lambda: {
            "employee_id": "Employee_ID",
            "hire_date": "Hire_Date",
            "termination_date": "Termination_Date",
            # A rehire's first hire: the start of the employment its termination ended.
            "original_hire_date": "Original_Hire_Date",
            "department": "Supervisory_Organization",
            "status": "Employment_Status",
        }
    )

    _envs = field_validator("username_env", "password_env")(_check_env_name)
    _url = field_validator("report_url")(_check_base_url)

    @property
    def auth(self) -> BasicAuth:
        return BasicAuth(
            kind="basic", username_env=self.username_env, password_env=self.password_env
        )


class PeakonSource(TenantSourceBase):
    """Workday Peakon Employee Voice: one question's answers from the answers export."""

    TENANT_KEY = "subdomain"
    TENANT_EXAMPLE = "acme for acme.peakon.com"
    URL_TEMPLATE = "https://{}.peakon.com/api/v1"

    kind: Literal["peakon"]
    subdomain: str | None = None
    # An application token (Administration → Integrations → API).
    token_env: EnvName
    # The eNPS (or other 0–10 or 1–5 scale) question's id.
    question_id: str
    per_page: int = Field(5000, ge=1, le=20_000)

    _env = field_validator("token_env")(_check_env_name)
    _question = field_validator("question_id")(_check_vendor_id)

    @property
    def auth(self) -> BearerAuth:
        return BearerAuth(kind="bearer", token_env=self.token_env)


class FileSource(StrictModel):
    """A CSV or JSON export on disk, for tools with no API and for backfills."""

    id: Identifier
    kind: Literal["file"]
    path: str
    # By the file name's ending unless given.
    format: Literal["csv", "json"] | None = None
    # Record field = column (CSV) or JMESPath (JSON); empty keeps every column.
    columns: dict[str, str] = Field(default_factory=dict)
    # JSON only: where the list of records is, as JMESPath (empty: the document is the list).
    records_path: str = ""
    refresh_seconds: float | None = Field(None, ge=5, le=86_400)
    circuit_after_failures: int = Field(5, ge=1, le=1000)
    circuit_open_seconds: float = Field(300, ge=1, le=86_400)

    _id = field_validator("id")(_check_identifier)

    @property
    def auth(self) -> NoAuth:
        return NoAuth()

    @property
    def file_format(self) -> str:
        if self.format is not None:
            return self.format
        return "json" if self.path.lower().endswith((".json", ".ndjson")) else "csv"


Source = Annotated[
    JsonSource
    | QualtricsSource
    | SurveyMonkeySource
    | TypeformSource
    | ZendeskSource
    | BambooHRSource
    | PersonioSource
    | HiBobSource
    | WorkdaySource
    | PeakonSource
    | FileSource,
    Field(discriminator="kind"),
]


# ── [[metrics]] ────────────────────────────────────────────────────────────


class Thresholds(StrictModel):
    """`warn` and `bad` levels; which side of them is worse depends on `direction`."""

    warn: float
    bad: float


class MetricBase(StrictModel):
    id: Identifier
    label: str = Field(min_length=1, max_length=40)
    side: Literal["employee", "customer"]
    source: Identifier
    unit: str = ""
    direction: Literal["higher_is_better", "lower_is_better"] = "higher_is_better"
    decimals: int = Field(0, ge=0, le=3)
    target: float | None = None
    thresholds: Thresholds | None = None
    # Only records whose fields equal these values count, e.g. { question = "nps" }.
    where: dict[str, Scalar] = Field(default_factory=dict)
    # A field such as team or region to compute the metric per segment too.
    segment_field: str | None = None
    # Early warning: a move this large for the worse in one period, on an
    # employee metric whose customer metric has not moved yet.
    early_warning_drop: float | None = Field(None, gt=0)
    # How the metric's date fields are written. Numbers are dates only when this says
    # which unit they are in: seconds read as milliseconds (or the reverse) would put
    # every record in the wrong year without a word.
    date_format: Literal["iso", "unix_seconds", "unix_milliseconds"] = "iso"

    _id = field_validator("id")(_check_identifier)

    @model_validator(mode="after")
    def _thresholds_follow_direction(self) -> MetricBase:
        if self.thresholds is None:
            return self
        warn, bad = self.thresholds.warn, self.thresholds.bad
        if self.direction == "higher_is_better" and bad > warn:
            raise ValueError(
                f"thresholds.bad ({bad:g}) must be at or below thresholds.warn ({warn:g}) "
                "when higher is better"
            )
        if self.direction == "lower_is_better" and bad < warn:
            raise ValueError(
                f"thresholds.bad ({bad:g}) must be at or above thresholds.warn ({warn:g}) "
                "when lower is better"
            )
        return self


class NpsMetric(MetricBase):
    """Net Promoter Score from 0–10 answers: % promoters (9–10) − % detractors (0–6)."""

    kind: Literal["nps"]
    score_field: str = "score"
    date_field: str = "date"


class CsatMetric(MetricBase):
    """Share (%) of answers in the top boxes of a scale, 4–5 on 1–5 by default."""

    kind: Literal["csat"]
    score_field: str = "score"
    date_field: str = "date"
    scale_min: int = 1
    scale_max: int = 5
    top_boxes: int = Field(2, ge=1)

    @model_validator(mode="after")
    def _scale(self) -> CsatMetric:
        if self.scale_max <= self.scale_min:
            raise ValueError("scale_max must be greater than scale_min")
        if self.top_boxes > self.scale_max - self.scale_min:
            raise ValueError("top_boxes must leave at least one box below them on the scale")
        return self


class MeanMetric(MetricBase):
    """The mean of a numeric answer; answers outside scale_min..scale_max are rejected."""

    kind: Literal["mean"]
    score_field: str = "score"
    date_field: str = "date"
    scale_min: float | None = None
    scale_max: float | None = None


class CountMetric(MetricBase):
    """How many records (responses) fall in each period."""

    kind: Literal["count"]
    date_field: str = "date"


class HeadcountMetric(MetricBase):
    """People employed on the last day of each period (or today, for the current one)."""

    kind: Literal["headcount"]
    hire_date_field: str = "hire_date"
    termination_date_field: str = "termination_date"


class LeaversMetric(MetricBase):
    """A metric that counts leavers (or lost customers), which a system's records show
    only from the first one they hold: see metrics.compute.leavers_recorded_since."""

    # The day from which the source holds everyone who left since; by default, the
    # first end date on record. Periods before it have no value, never a 0.
    leavers_since: date | None = None


class TurnoverMetric(LeaversMetric):
    """Terminations in a period ÷ average headcount over it, in percent."""

    kind: Literal["turnover"]
    direction: Literal["higher_is_better", "lower_is_better"] = "lower_is_better"
    hire_date_field: str = "hire_date"
    termination_date_field: str = "termination_date"


class HiresMetric(LeaversMetric):
    """How many people were hired in each period (a rehire counts again)."""

    kind: Literal["hires"]
    hire_date_field: str = "hire_date"
    termination_date_field: str = "termination_date"


class SeparationsMetric(LeaversMetric):
    """How many people left in each period (their termination dates)."""

    kind: Literal["separations"]
    direction: Literal["higher_is_better", "lower_is_better"] = "lower_is_better"
    hire_date_field: str = "hire_date"
    termination_date_field: str = "termination_date"


class ChurnMetric(LeaversMetric):
    """Customers lost in a period ÷ customers at its start, in percent."""

    kind: Literal["churn"]
    direction: Literal["higher_is_better", "lower_is_better"] = "lower_is_better"
    start_date_field: str = "start_date"
    end_date_field: str = "end_date"


class ValueMetric(MetricBase):
    """An aggregate the API already computed; `aggregate` folds several in one period."""

    kind: Literal["value"]
    value_field: str = "value"
    date_field: str = "date"
    n_field: str | None = None
    aggregate: Literal["last", "mean", "sum"] = "last"


Metric = Annotated[
    NpsMetric
    | CsatMetric
    | MeanMetric
    | CountMetric
    | HeadcountMetric
    | TurnoverMetric
    | HiresMetric
    | SeparationsMetric
    | ChurnMetric
    | ValueMetric,
    Field(discriminator="kind"),
]


# ── [[pairs]] and the whole file ───────────────────────────────────────────


class Pair(StrictModel):
    employee: Identifier
    customer: Identifier
    caption: str = ""
    # How exports name the pair; by default "<employee>-<customer>" (enps-nps).
    id: Identifier | None = None

    _id = field_validator("id")(lambda value: value and _check_identifier(value))

    @property
    def key(self) -> str:
        """The pair's id as every export writes it."""
        return self.id or f"{self.employee}-{self.customer}"


class Config(StrictModel):
    dashboard: Dashboard = Field(default_factory=Dashboard)
    linkage: LinkageSettings = Field(default_factory=LinkageSettings)
    sources: list[Source] = Field(min_length=1)
    metrics: list[Metric] = Field(min_length=1)
    pairs: list[Pair] = Field(min_length=1)

    def metric(self, metric_id: str) -> Metric:
        return next(metric for metric in self.metrics if metric.id == metric_id)

    def source(self, source_id: str) -> Source:
        return next(source for source in self.sources if source.id == source_id)

    def metrics_of(self, source_id: str) -> list[Metric]:
        return [metric for metric in self.metrics if metric.source == source_id]

    def refresh_seconds_of(self, source: Source) -> float:
        return source.refresh_seconds or self.dashboard.refresh_seconds


# ── Loading and errors ─────────────────────────────────────────────────────


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong in a config file: where (a key path) and what was expected."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class ConfigError(Exception):
    """A config file that cannot be used, with every problem found in it."""

    def __init__(self, path: Path | str, problems: list[ConfigProblem]) -> None:
        self.path = Path(path)
        self.problems = problems
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.problems)
        heading = f"{self.path}: {count} problem{'s' if count != 1 else ''} in the config"
        lines = [heading, *(f"  • {problem}" for problem in self.problems)]
        return "\n".join(lines)


def load_config(path: Path | str) -> Config:
    """Read, parse and validate a config file; raise `ConfigError` on any problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, [ConfigProblem("", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(path, [ConfigProblem("", f"cannot be read: {error}")]) from None
    return parse_config(text, path)


def parse_config(text: str, path: Path | str = "<config>") -> Config:
    """Validate TOML text as a config; `path` is used only in messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, [ConfigProblem("", f"not valid TOML: {error}")]) from None
    return validate_config(data, path)


def validate_config(data: dict[str, Any], path: Path | str = "<config>") -> Config:
    """Validate already-parsed TOML data, reporting every problem at once."""
    context: dict[str, Any] = {}
    try:
        config = Config.model_validate(data, context=context)
    except ValidationError as error:
        allowed: dict[int, list[str]] = context.get("allowed", {})
        problems = [_problem_from(dict(item), data, allowed) for item in error.errors()]
        raise ConfigError(path, _deduplicate(problems)) from None
    problems = list(_cross_reference_problems(config))
    if problems:
        raise ConfigError(path, problems)
    return config


def _cross_reference_problems(config: Config) -> Iterator[ConfigProblem]:
    """Checks that span tables: unique ids and the references between tables."""
    source_ids = [source.id for source in config.sources]
    metric_ids = [metric.id for metric in config.metrics]
    for table, ids in (("sources", source_ids), ("metrics", metric_ids)):
        for index, item_id in enumerate(ids):
            if item_id in ids[:index]:
                yield ConfigProblem(f"{table}[{index}].id", f'"{item_id}" is used twice')
    for index, source in enumerate(config.sources):
        base_url = getattr(source, "base_url", None) or ""
        if base_url.startswith(DEMO_PLACEHOLDER) and not config.dashboard.demo:
            yield ConfigProblem(
                f"sources[{index}].base_url",
                f"{DEMO_PLACEHOLDER} points at the bundled demo API, which runs only "
                "when [dashboard] demo = true",
            )
    for index, metric in enumerate(config.metrics):
        if metric.source not in source_ids:
            yield ConfigProblem(
                f"metrics[{index}].source",
                f'no source has id "{metric.source}"{_did_you_mean(metric.source, source_ids)}',
            )
    for index, pair in enumerate(config.pairs):
        for side in ("employee", "customer"):
            metric_id = getattr(pair, side)
            where = f"pairs[{index}].{side}"
            if metric_id not in metric_ids:
                hint = _did_you_mean(metric_id, metric_ids)
                yield ConfigProblem(where, f'no metric has id "{metric_id}"{hint}')
            elif (found := config.metric(metric_id)).side != side:
                yield ConfigProblem(
                    where, f'metric "{metric_id}" is on the {found.side} side, not the {side} side'
                )


def _did_you_mean(word: str, choices: list[str]) -> str:
    import difflib  # only a config with a mistake needs it: kept off the start path

    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


def _deduplicate(problems: list[ConfigProblem]) -> list[ConfigProblem]:
    seen: set[ConfigProblem] = set()
    return [p for p in problems if not (p in seen or seen.add(p))]  # type: ignore[func-returns-value]


_TAG_KEYS = ("kind", "style")


def _walk(loc: tuple[int | str, ...], data: Any) -> tuple[list[int | str], Any]:
    """Follow a pydantic error location through the raw data.

    Pydantic puts the discriminator value of a tagged union into the location
    (`metrics.2.csat.thresholds`); those steps are not keys a user wrote, so
    they are dropped from the path we show.
    """
    shown: list[int | str] = []
    node = data
    for part in loc:
        if isinstance(node, dict):
            if part in node:
                node = node[part]
                shown.append(part)
            elif any(node.get(tag) == part for tag in _TAG_KEYS):
                continue
            else:
                shown.append(part)
                node = None
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            shown.append(part)
        else:
            shown.append(part)
            node = None
    return shown, node


def _format_path(parts: list[int | str]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 40 else f'"{value[:37]}..."'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return repr(value)


_EXPECTED = {
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "string_type": "expected text in quotes",
    "bool_type": "expected true or false",
    "list_type": "expected a list",
    "dict_type": "expected a table",
    "model_type": "expected a table",
    "model_attributes_type": "expected a table",
}


def _problem_from(
    error: dict[str, Any], data: dict[str, Any], allowed: dict[int, list[str]]
) -> ConfigProblem:
    kind = error["type"]
    loc = tuple(error["loc"])
    shown, _ = _walk(loc, data)
    where = _format_path(shown)
    given = error.get("input")

    if kind == "extra_forbidden":
        key = str(loc[-1])
        if key.lower() in ("verify", "verify_tls", "insecure", "ssl_verify"):
            return ConfigProblem(
                where,
                "TLS verification is always on and cannot be turned off; for a private CA "
                "set ca_bundle in [dashboard] to a PEM file",
            )
        if key.lower() in _SECRET_KEYS:
            return ConfigProblem(
                where,
                "secrets are never read from config files: put it in an environment "
                "variable and name the variable with `token_env` (or `username_env` / "
                "`password_env` for basic auth)",
            )
        _, parent = _walk(loc[:-1], data)
        choices = allowed.get(id(parent), [])
        hint = _did_you_mean(key, choices)
        known = f"; known keys: {', '.join(choices)}" if choices and not hint else ""
        return ConfigProblem(where, f"unknown key{hint}{known}")
    if kind == "missing":
        return ConfigProblem(where, "required, but missing")
    if kind == "union_tag_invalid":
        expected = error.get("ctx", {}).get("expected_tags", "")
        tag = error.get("ctx", {}).get("discriminator", "kind").strip("'")
        return ConfigProblem(
            f"{where}.{tag}" if where else tag,
            f"expected one of {expected}, got {_describe(error['ctx'].get('tag'))}",
        )
    if kind == "union_tag_not_found":
        tag = error.get("ctx", {}).get("discriminator", "kind").strip("'")
        return ConfigProblem(f"{where}.{tag}" if where else tag, "required, but missing")
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return ConfigProblem(where, f"expected {expected}, got {_describe(given)}")
    if kind in ("value_error", "assertion_error"):
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        return ConfigProblem(where, message)
    if kind in _EXPECTED:
        return ConfigProblem(where, f"{_EXPECTED[kind]}, got {_describe(given)}")
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        message = str(error["msg"]).replace("Input should be", "expected a value")
        return ConfigProblem(where, f"{message}, got {_describe(given)}")
    if kind in ("too_short", "string_too_short"):
        return ConfigProblem(where, "must not be empty")
    message = str(error.get("msg", kind)).replace("Input should be", "expected")
    return ConfigProblem(where, f"{message}, got {_describe(given)}")

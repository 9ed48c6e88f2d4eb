"""What every config table shares: strict models, ids, environment-variable names and URLs."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import jmespath
import jmespath.exceptions
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

DEMO_PLACEHOLDER = "{demo}"

# Keys that would hold a secret: refused with a pointer to the *_env field.
SECRET_KEYS = frozenset(
    {"token", "password", "api_key", "apikey", "secret", "client_secret", "key", "access_token"}
)

# Capitals only, as environment variables are named by convention: a pasted secret
# (sk_live_…, a hex key) is then refused rather than looked up and echoed as a name.
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]{0,63}$")
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


def check_identifier(value: str) -> str:
    if not _IDENTIFIER.match(value):
        raise ValueError("expected an id of letters, digits, '-' and '_', starting with a letter")
    return value


def config_relative(value: str, info: ValidationInfo) -> str:
    """`value` as a path: ~ expanded, and a relative one taken from the config file's
    folder (not the folder Tandem happens to be started in)."""
    path = Path(value).expanduser()
    folder = info.context.get("folder") if isinstance(info.context, dict) else None
    if not path.is_absolute() and folder is not None:
        path = folder / path
    return str(path)


def check_env_name(value: str) -> str:
    if not _ENV_NAME.match(value):
        # The value is not repeated: it may be the secret itself, pasted in by mistake.
        raise ValueError(
            "expected the name of an environment variable that holds the secret "
            "(capitals, digits and _, such as SURVEY_API_TOKEN), not the secret itself; "
            "the value given is not shown"
        )
    return value


def check_jmespath(value: str) -> str:
    try:
        jmespath.compile(value)
    except jmespath.exceptions.JMESPathError as error:
        first_line = str(error).splitlines()[0]
        raise ValueError(f"expected a JMESPath expression: {first_line}") from None
    return value


Identifier = Annotated[str, Field(min_length=1, max_length=64)]
EnvName = Annotated[str, Field(min_length=1)]
JMESPath = Annotated[str, Field(min_length=1)]


def check_base_url(value: str) -> str:
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


VENDOR_ID = re.compile(r"^[A-Za-z0-9_.-]+$")


def check_vendor_id(value: str) -> str:
    if not VENDOR_ID.match(value):
        raise ValueError("expected an id of letters, digits, '.', '_' or '-'")
    return value


def is_loopback(host: str) -> bool:
    """localhost or a loopback address (127.0.0.0/8, ::1): traffic that never leaves
    the machine. A name such as 127.example.com is not one."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

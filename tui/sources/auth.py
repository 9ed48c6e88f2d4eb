"""Credentials for a request, read from environment variables named in the config."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from pathlib import Path

from tui.config.sources import AnyAuth, BasicAuth, BearerAuth, HeaderAuth, credential_names
from tui.sources.base import SourceError

__all__ = ["auth_headers", "credential_names", "read_secret", "require_secret"]


def read_secret(environ: Mapping[str, str], name: str) -> str:
    """The secret in variable `name`, or in the file that `name`_FILE points at; "" if neither.

    The _FILE form is the convention of Docker and Kubernetes secrets.
    """
    value = environ.get(name, "")
    if value:
        return value
    path = environ.get(f"{name}_FILE", "")
    if not path:
        return ""
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return ""


def require_secret(environ: Mapping[str, str], name: str, source_id: str) -> str:
    """The secret in `name` (or `name`_FILE); a SourceError naming the variable if unset."""
    value = read_secret(environ, name)
    if value:
        return value
    if environ.get(f"{name}_FILE"):
        raise SourceError(f"{source_id}: cannot read the file that {name}_FILE names")
    raise SourceError(f"{source_id}: environment variable {name} is not set")


def auth_headers(auth: AnyAuth, environ: Mapping[str, str], source_id: str) -> dict[str, str]:
    """The headers that authenticate a request; raises SourceError if a variable is unset."""
    if isinstance(auth, BearerAuth):
        return {"Authorization": f"Bearer {require_secret(environ, auth.token_env, source_id)}"}
    if isinstance(auth, HeaderAuth):
        token = require_secret(environ, auth.token_env, source_id)
        return {auth.header: f"{auth.prefix}{token}"}
    if isinstance(auth, BasicAuth):
        user = require_secret(environ, auth.username_env, source_id)
        password = (
            require_secret(environ, auth.password_env, source_id) if auth.password_env else ""
        )
        encoded = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        return {"Authorization": f"Basic {encoded}"}
    return {}

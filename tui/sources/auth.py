"""Credentials for a request, read from environment variables named in the config."""

from __future__ import annotations

import base64
from collections.abc import Mapping

from tui.config import Auth, BasicAuth, BearerAuth, HeaderAuth
from tui.sources.base import SourceError


def credential_names(auth: Auth) -> list[str]:
    """The environment variables an auth table reads, for "check X" hints."""
    if isinstance(auth, (BearerAuth, HeaderAuth)):
        return [auth.token_env]
    if isinstance(auth, BasicAuth):
        return [name for name in (auth.username_env, auth.password_env) if name]
    return []


def _read(environ: Mapping[str, str], name: str, source_id: str) -> str:
    value = environ.get(name, "")
    if not value:
        raise SourceError(f"{source_id}: environment variable {name} is not set")
    return value


def auth_headers(auth: Auth, environ: Mapping[str, str], source_id: str) -> dict[str, str]:
    """The headers that authenticate a request; raises SourceError if a variable is unset."""
    if isinstance(auth, BearerAuth):
        return {"Authorization": f"Bearer {_read(environ, auth.token_env, source_id)}"}
    if isinstance(auth, HeaderAuth):
        token = _read(environ, auth.token_env, source_id)
        return {auth.header: f"{auth.prefix}{token}"}
    if isinstance(auth, BasicAuth):
        user = _read(environ, auth.username_env, source_id)
        password = _read(environ, auth.password_env, source_id) if auth.password_env else ""
        encoded = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        return {"Authorization": f"Basic {encoded}"}
    return {}

"""Settings for the web application, read from the environment (prefix ACCORD_) by the caller."""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Settings:
    """What `accord serve` and `create_app` need.

    ACCORD_DATABASE_URL   the ledger (default sqlite:///accord.db)
    ACCORD_API_TOKENS     comma-separated bearer tokens allowed to write through the API
    ACCORD_USERS          comma-separated name:password pairs allowed to sign in to the pages
    ACCORD_PUBLIC_READ    "1" (default) lets anyone read; "0" requires a token or a signed-in user
    ACCORD_MAX_UPLOAD     largest upload, pasted text or fetched page/feed in bytes (default 5 MB)
    ACCORD_FETCH_ALLOW    hosts or CIDR ranges that may be fetched though private or loopback
                          (read by `accord.ingest.fetch` at each fetch; everything else private is refused)
    ACCORD_SECRET_KEY     signs session cookies (default: random per process)
    ACCORD_HTTPS          "1": the server is reached over HTTPS only (session cookies always Secure)
    ACCORD_TRUST_PROXY    "1": believe X-Forwarded-Proto from the proxy in front (cookies Secure when it says https)
    """

    database_url: str = "sqlite:///accord.db"
    api_tokens: tuple[str, ...] = ()
    users: dict[str, str] = field(default_factory=dict)
    public_read: bool = True
    max_upload_bytes: int = 5_000_000
    secret_key: str = field(default_factory=lambda: secrets.token_hex(32))
    https: bool = False
    trust_proxy: bool = False

    @classmethod
    def from_env(cls, database_url: str | None = None) -> Settings:
        env = os.environ
        users = dict(pair.split(":", 1) for pair in env.get("ACCORD_USERS", "").split(",") if ":" in pair)
        return cls(
            database_url=database_url or env.get("ACCORD_DATABASE_URL") or "sqlite:///accord.db",
            api_tokens=tuple(t for t in env.get("ACCORD_API_TOKENS", "").split(",") if t),
            users=users,
            public_read=env.get("ACCORD_PUBLIC_READ", "1") not in ("0", "false", "no"),
            max_upload_bytes=int(env.get("ACCORD_MAX_UPLOAD", "5000000")),
            secret_key=env.get("ACCORD_SECRET_KEY") or secrets.token_hex(32),
            https=env.get("ACCORD_HTTPS", "0") in ("1", "true", "yes"),
            trust_proxy=env.get("ACCORD_TRUST_PROXY", "0") in ("1", "true", "yes"),
        )

    @property
    def shown_database_url(self) -> str:
        """The database URL to print: its password masked."""
        return masked_url(self.database_url)


def masked_url(url: str) -> str:
    """`url` with any password replaced by ***, for banners, errors and logs."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError, TypeError):
        # Not a URL SQLAlchemy can read: mask whatever sits between "user:" and "@" all the same.
        return re.sub(r"(://[^/:@]*:)[^@/]*@", r"\1***@", url)

"""People and programs: the ledger's users, their roles, passwords and API tokens.

A user is a name and a role: a viewer reads, an editor reads and writes, an admin is an editor who
may also manage users. A password (for the pages) is kept as an scrypt hash; a token (for programs)
as the SHA-256 of a random string shown once, when it is issued. Verifying a password costs the same
whether or not the name exists (a dummy scrypt runs for an unknown one), so the time taken says
nothing about which names are users. Writes go through `store.transaction`, the ledger's write lock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from accord.errors import InputError
from accord.ledger import tables as t
from accord.ledger.store import NotFound, now, transaction

ROLES = ("viewer", "editor", "admin")
WRITERS = frozenset({"editor", "admin"})
NAME_LIMIT = 64
PASSWORD_LIMIT = 1024  # characters; scrypt would take anything, a form field need not
TOKEN_PREFIX = "acc_"
SHOWN = 12  # characters of a token kept to tell it apart in a list: "acc_" and 8 of its 43 random ones
TOKEN_LIMIT = 200  # a longer bearer string is not one of ours, and is not hashed or looked up
# scrypt's cost (RFC 7914's interactive figures): 16 MiB and some 50 ms per verification.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SCRYPT_MAXMEM = 64 * 1024 * 1024  # a stored hash asking for more is refused rather than run


@dataclass(frozen=True, slots=True)
class User:
    """A user as a session sees them. `stamp` changes with the password, so a password change (or a
    removal and a newcomer of the same name, who gets another id) ends the sessions begun before."""

    id: int
    name: str
    role: str
    stamp: str


# -- checks ----------------------------------------------------------------------------------

def check_name(name: str) -> str:
    """`name` if it can name a user: 1-64 printable characters, no ":" or "," (ACCORD_USERS' separators),
    no space at either end."""
    if not isinstance(name, str) or not name:
        raise InputError("a user name can't be empty")
    if len(name) > NAME_LIMIT:
        raise InputError(f"a user name has at most {NAME_LIMIT} characters (this one has {len(name)})")
    if not name.isprintable():
        raise InputError("a user name has printable characters only (no newline, tab or control character)")
    if ":" in name or "," in name:
        raise InputError('a user name can\'t hold ":" or ","')
    if name != name.strip():
        raise InputError("a user name can't begin or end with a space")
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InputError(f"unknown role {str(role)[:40]!r}: one of {', '.join(ROLES)}")
    return role


def _check_password(password: str) -> str:
    if not password:
        raise InputError("the password is empty")
    if len(password) > PASSWORD_LIMIT:
        raise InputError(f"a password has at most {PASSWORD_LIMIT} characters")
    return password


def _valid_name(name: object) -> bool:
    try:
        check_name(name)  # type: ignore[arg-type]
    except InputError:
        return False
    return True


# -- passwords -------------------------------------------------------------------------------

def hash_password(password: str) -> str:
    """"scrypt$n$r$p$salt$hash" (salt and hash in base64), with a fresh 16-byte salt."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return "$".join(("scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P), _b64(salt), _b64(digest)))


def password_matches(stored: str | None, password: str) -> bool:
    """Whether `password` is the one `stored` was made from, in constant time; a stored value that is
    not an scrypt hash (or None) matches nothing, after the same work."""
    parts = (stored or "").split("$")
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt, expected = base64.b64decode(parts[4], validate=True), base64.b64decode(parts[5], validate=True)
        if parts[0] != "scrypt" or len(parts) != 6 or not expected or len(expected) > 1024 \
                or n < 2 or n & (n - 1) or not 0 < r <= 64 or not 0 < p <= 16 or 129 * r * n > SCRYPT_MAXMEM:
            raise ValueError(stored)  # not one of ours, or asking for more memory than is allowed
    except (IndexError, ValueError):
        _dummy(password)
        return False
    return hmac.compare_digest(_scrypt(password, salt, n, r, p, len(expected)), expected)


_DUMMY = "scrypt$16384$8$1$" + base64.b64encode(b"\0" * 16).decode() + "$" + base64.b64encode(b"\0" * 64).decode()


def _dummy(password: str) -> None:
    """The cost of one verification, for a name that is no user's (or a user without a password)."""
    _scrypt(password, b"\0" * 16, SCRYPT_N, SCRYPT_R, SCRYPT_P)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int = 64) -> bytes:
    return hashlib.scrypt(password.encode("utf-8", "surrogatepass"), salt=salt, n=n, r=r, p=p, maxmem=SCRYPT_MAXMEM, dklen=length)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _stamp(row: Any) -> str:
    """What a session remembers of its user's credentials: changes when the password does."""
    return hashlib.sha256(f"{row['id']}:{row['password_hash'] or ''}".encode()).hexdigest()[:32]


# -- users -----------------------------------------------------------------------------------

def add_user(engine: Engine, name: str, role: str, password: str | None = None) -> dict[str, Any]:
    """A new user; `password` None makes one who signs in with tokens only."""
    check_name(name)
    check_role(role)
    hashed = hash_password(_check_password(password)) if password is not None else None
    U = t.users
    with transaction(engine) as conn:
        # Names are told apart regardless of case: "Ana" and "ana" would be one person to a reader.
        taken = conn.execute(select(U.c.name).where(func.lower(U.c.name) == name.lower())).scalar()
        if taken is not None:
            raise InputError(f"there is already a user {taken!r}: choose another name, or change that "
                             "user's role or password")
        conn.execute(insert(U).values(name=name, role=role, password_hash=hashed, created_at=now()))
    return user(engine, name)


def remove_user(engine: Engine, name: str) -> None:
    """Remove a user and their tokens; their sessions stop at their next request."""
    with transaction(engine) as conn:
        user_id = _user_id(conn, name)
        conn.execute(delete(t.api_tokens).where(t.api_tokens.c.user_id == user_id))  # CASCADE says it too
        conn.execute(delete(t.users).where(t.users.c.id == user_id))


def set_role(engine: Engine, name: str, role: str) -> dict[str, Any]:
    check_role(role)
    with transaction(engine) as conn:
        user_id = _user_id(conn, name)
        conn.execute(update(t.users).where(t.users.c.id == user_id).values(role=role))
    return user(engine, name)


def set_password(engine: Engine, name: str, password: str | None) -> None:
    """A new password (None: none, tokens only); the user's sessions begun before end."""
    hashed = hash_password(_check_password(password)) if password is not None else None
    with transaction(engine) as conn:
        user_id = _user_id(conn, name)
        conn.execute(update(t.users).where(t.users.c.id == user_id).values(password_hash=hashed))


def users(engine: Engine) -> list[dict[str, Any]]:
    """Every user: name, role, whether they have a password, live tokens, created; never a hash."""
    with engine.connect() as conn:
        return _listed(conn, None)


def user(engine: Engine, name: str) -> dict[str, Any]:
    """One user as `users` lists them."""
    with engine.connect() as conn:
        return _listed(conn, _user_id(conn, name))[0]


def has_user(engine: Engine, name: str) -> bool:
    """Whether the ledger has a user `name` (then it alone says who they are, whatever the environment says)."""
    if not _valid_name(name):
        return False
    with engine.connect() as conn:
        return conn.execute(select(t.users.c.id).where(t.users.c.name == name)).first() is not None


def _listed(conn: Connection, user_id: int | None) -> list[dict[str, Any]]:
    U, T = t.users, t.api_tokens
    live = (select(func.count()).where(T.c.user_id == U.c.id, T.c.revoked_at.is_(None))
            .correlate(U).scalar_subquery())
    query = select(U.c.id, U.c.name, U.c.role, U.c.password_hash.is_not(None).label("password"),
                   live.label("tokens"), U.c.created_at).order_by(U.c.name)
    if user_id is not None:
        query = query.where(U.c.id == user_id)
    return [{**row, "password": bool(row["password"])} for row in conn.execute(query).mappings()]


def _user_id(conn: Connection, name: str) -> int:
    found = conn.execute(select(t.users.c.id).where(t.users.c.name == name)).scalar() \
        if _valid_name(name) else None
    if found is None:
        raise NotFound(f"no user {str(name)[:80]!r}: accord users list shows who there is")
    return int(found)


def authenticate(engine: Engine, name: str, password: str) -> User | None:
    """The user `name` if `password` is theirs, else None; the same work either way."""
    row = None
    if _valid_name(name) and len(password) <= PASSWORD_LIMIT:
        with engine.connect() as conn:
            row = conn.execute(select(t.users).where(t.users.c.name == name)).mappings().first()
    if row is None or row["password_hash"] is None:
        password_matches(_DUMMY, password)
        return None
    if not password_matches(row["password_hash"], password):
        return None
    return User(int(row["id"]), row["name"], row["role"], _stamp(row))


def verify_password(engine: Engine, name: str, password: str) -> str | None:
    """The role of `name` if `password` is theirs, else None."""
    found = authenticate(engine, name, password)
    return found.role if found else None


def session_user(engine: Engine, user_id: int) -> User | None:
    """The user a session began as, as they are now (None once removed)."""
    with engine.connect() as conn:
        row = conn.execute(select(t.users).where(t.users.c.id == user_id)).mappings().first()
    return User(int(row["id"]), row["name"], row["role"], _stamp(row)) if row else None


# -- tokens ----------------------------------------------------------------------------------

def issue_token(engine: Engine, name: str, label: str | None = None) -> tuple[int, str]:
    """A new token for `name`: its id and the token itself, which is not kept and can't be shown again."""
    if label is not None and (len(label) > 200 or not label.isprintable()):
        raise InputError("a token's label has at most 200 printable characters")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction(engine) as conn:
        user_id = _user_id(conn, name)
        result = conn.execute(insert(t.api_tokens).values(
            user_id=user_id, sha256=_token_hash(token), prefix=token[:SHOWN], label=label or None,
            created_at=now()).returning(t.api_tokens.c.id))
        return int(result.scalar_one()), token


def tokens(engine: Engine, name: str | None = None) -> list[dict[str, Any]]:
    """Tokens (all, or `name`'s): id, user, the first characters, label, created, revoked."""
    T, U = t.api_tokens, t.users
    query = (select(T.c.id, U.c.name.label("user"), T.c.prefix, T.c.label, T.c.created_at, T.c.revoked_at)
             .join(U, U.c.id == T.c.user_id).order_by(T.c.id))
    with engine.connect() as conn:
        if name is not None:
            query = query.where(T.c.user_id == _user_id(conn, name))
        return [dict(row) for row in conn.execute(query).mappings()]


def revoke_token(engine: Engine, which: str) -> dict[str, Any]:
    """Revoke a token named by its id, its first characters (as `tokens` lists them) or the whole token."""
    T = t.api_tokens
    which = str(which).strip()
    with transaction(engine) as conn:
        if which.isdigit() and len(which) < 19:
            query = select(T).where(T.c.id == int(which))
        elif len(which) > SHOWN and len(which) <= TOKEN_LIMIT:
            query = select(T).where(T.c.sha256 == _token_hash(which))
        elif len(which) >= 8 and which.isprintable():
            # A prefix of the kept characters (a LIKE pattern would give "%" and "_" a meaning)
            query = select(T).where(func.substr(T.c.prefix, 1, len(which)) == which)
        else:
            raise InputError("name a token by its id, or by its first 8 or more characters (accord users tokens)")
        found = conn.execute(query.order_by(T.c.id)).mappings().all()
        if not found:
            raise NotFound(f"no token {which[:20]!r}: accord users tokens lists them")
        if len(found) > 1:
            raise InputError(f"{which!r} begins {len(found)} tokens (ids {', '.join(str(r['id']) for r in found)}): "
                             "name one by its id")
        row = found[0]
        if row["revoked_at"] is not None:
            raise InputError(f"token {row['id']} was already revoked")
        conn.execute(update(T).where(T.c.id == row["id"]).values(revoked_at=now()))
        return {"id": int(row["id"]), "prefix": row["prefix"], "label": row["label"]}


def user_for_token(engine: Engine, token: str) -> tuple[str, str] | None:
    """(name, role) of the user holding `token`, if it was issued and not revoked."""
    found = token_user(engine, token)
    return (found.name, found.role) if found else None


def token_user(engine: Engine, token: str) -> User | None:
    if not token.startswith(TOKEN_PREFIX) or len(token) > TOKEN_LIMIT:
        return None
    T, U = t.api_tokens, t.users
    with engine.connect() as conn:
        row = conn.execute(select(U).join(T, T.c.user_id == U.c.id)
                           .where(T.c.sha256 == _token_hash(token), T.c.revoked_at.is_(None))).mappings().first()
    return User(int(row["id"]), row["name"], row["role"], _stamp(row)) if row else None


def _token_hash(token: str) -> str:
    # A token has 256 random bits: a fast hash is enough (nothing to guess), and the lookup is by its value.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


__all__ = ["ROLES", "WRITERS", "User", "add_user", "authenticate", "check_name", "check_role", "has_user", "issue_token",
           "remove_user", "revoke_token", "session_user", "set_password", "set_role", "token_user", "tokens",
           "user", "user_for_token", "users", "verify_password"]

"""Fetching a URL over HTTP(S) with httpx, within a time and size limit, into bytes."""

from __future__ import annotations

from dataclasses import dataclass

from accord.errors import InputNotFound, InputTooLarge

USER_AGENT = "Accord/0.1"


@dataclass(frozen=True, slots=True)
class Fetched:
    """The body of a response and what its headers say of it."""

    url: str  # after redirects
    content: bytes
    media_type: str | None  # "text/html", lower case, without parameters
    charset: str | None


def is_url(source: str) -> bool:
    """Whether `source` names an http(s) URL rather than a local path."""
    return source.lower().startswith(("http://", "https://"))


def fetch(url: str, *, timeout: float, max_bytes: int) -> Fetched:
    """GET `url`, following redirects; every failure is a one-line InputError."""
    # Imported here: httpx is only needed when a URL is given.
    import httpx

    try:
        with httpx.Client(follow_redirects=True, timeout=timeout, headers={"User-Agent": USER_AGENT}) as client:
            with client.stream("GET", url) as response:
                if response.status_code >= 400:
                    reason = f" {response.reason_phrase}" if response.reason_phrase else ""
                    raise InputNotFound(f"{url}: HTTP {response.status_code}{reason}; check the address")
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise _too_large(url, max_bytes)
                # Counted while streaming too: a server may send no length, or a wrong one.
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise _too_large(url, max_bytes)
                    chunks.append(chunk)
                content_type = response.headers.get("content-type", "")
                final_url = str(response.url)
    except httpx.TimeoutException:
        raise InputNotFound(f"{url}: no answer within {timeout:g} s; try again or raise the timeout") from None
    except httpx.ConnectError as exc:
        raise InputNotFound(f"{url}: could not connect ({_first_line(exc)}); check the address") from None
    except httpx.TooManyRedirects:
        raise InputNotFound(f"{url}: too many redirects; open it in a browser to see where it leads") from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise InputNotFound(f"{url}: could not fetch ({_first_line(exc)}); check the address") from None
    media_type, _, params = content_type.partition(";")
    return Fetched(url=final_url, content=b"".join(chunks), media_type=media_type.strip().lower() or None,
                   charset=_charset(params))


def _too_large(url: str, max_bytes: int) -> InputTooLarge:
    return InputTooLarge(f"{url}: larger than the limit of {max_bytes:,} bytes; raise max_bytes to read it")


def _charset(params: str) -> str | None:
    """The `charset=` parameter of a Content-Type header, if any."""
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip(' "'):
            return value.strip(' "').lower()
    return None


def _first_line(exc: Exception) -> str:
    """An exception's message on one line, or its class name when it has none."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

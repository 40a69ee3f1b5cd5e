"""Fetching a URL over HTTP(S) into bytes, refusing what a server reading untrusted addresses must refuse.

Every way into Accord that takes an address (`accord ingest URL`, the
dashboard's ingest-by-address, `accord watch` for feeds and their articles)
comes through `fetch`, so the rules live here and nowhere else:

- only http and https;
- every address the host resolves to (all of getaddrinfo's answers) must be
  public: loopback, private (RFC 1918, fc00::/7), link-local, carrier-grade
  NAT, multicast, reserved and unspecified addresses, the cloud metadata
  address, and IPv6 forms that carry one of those (IPv4-mapped, NAT64, 6to4)
  are refused with one line naming the host and why, unless
  ACCORD_FETCH_ALLOW names the host or a range holding the address;
- redirects are followed here, at most MAX_REDIRECTS, each target checked
  as the first address was;
- the body is at most the upload limit (ACCORD_MAX_UPLOAD, the setting
  `Settings.max_upload_bytes` reads; a caller may ask for less, never more),
  counted while it streams and as it inflates, and the whole fetch, redirects
  and body included, has one deadline, `timeout` seconds (checked between
  reads, each of which httpx bounds by what was left when its request began;
  the name lookup is bounded by the system resolver's own timeouts);
- the Content-Type must be one the caller reads (DOCUMENT_TYPES, FEED_TYPES);
  none, or application/octet-stream, says nothing and the reader sniffs the bytes.

Why the address checked is the address connected to: the host is resolved
once, here, and the connection goes to the vetted IP itself: the request URL
names the IP, the Host header names the host, and for https the TLS SNI and
the certificate check use the host (httpx's `sni_hostname` extension). httpx
never resolves the name again, so a DNS answer that changes between check and
connect (rebinding) has nothing to change. One client serves one fetch and
keeps no idle connection, so a connection opened for one host is never reused
for another that shares its address; proxies from the environment are not
used (trust_env off), since a proxy would resolve the name itself.
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
import time
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from accord.errors import AccordError, InputError, InputNotFound, InputNotText, InputTooLarge

if TYPE_CHECKING:
    import httpx

USER_AGENT = "Accord/0.1"
MAX_REDIRECTS = 10
MAX_BYTES = 5_000_000  # the upload limit's default (Settings.max_upload_bytes): one limit for every input
TIMEOUT = 30.0
DOCUMENT_TYPES = frozenset({"text/html", "application/xhtml+xml", "application/xhtml", "text/plain",
                            "application/pdf"})
FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
                        "text/xml"})
_WANTED = {DOCUMENT_TYPES: "a page, text or PDF", FEED_TYPES: "an RSS or Atom feed"}
_UNTYPED = frozenset({"", "application/octet-stream"})  # says nothing: the reader looks at the first bytes

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_METADATA = "the cloud metadata address"
# First match wins: the metadata address before the link-local range that holds it.
_REFUSED: tuple[tuple[IPNetwork, str], ...] = tuple((ipaddress.ip_network(net), why) for net, why in [
    ("169.254.169.254/32", _METADATA),
    ("fd00:ec2::254/128", _METADATA),
    ("0.0.0.0/8", "an unspecified address"),
    ("10.0.0.0/8", "a private address"),
    ("100.64.0.0/10", "a carrier-grade NAT address"),
    ("127.0.0.0/8", "a loopback address"),
    ("169.254.0.0/16", "a link-local address"),
    ("172.16.0.0/12", "a private address"),
    ("192.0.0.0/24", "a reserved address"),
    ("192.0.2.0/24", "a reserved address"),
    ("192.88.99.0/24", "a reserved address"),
    ("192.168.0.0/16", "a private address"),
    ("198.18.0.0/15", "a reserved address"),
    ("198.51.100.0/24", "a reserved address"),
    ("203.0.113.0/24", "a reserved address"),
    ("224.0.0.0/4", "a multicast address"),
    ("240.0.0.0/4", "a reserved address"),
    ("::/128", "an unspecified address"),
    ("::1/128", "a loopback address"),
    ("::/96", "a reserved address"),
    ("64:ff9b:1::/48", "a private address"),
    ("100::/64", "a reserved address"),
    ("2001:db8::/32", "a reserved address"),
    ("fc00::/7", "a private address"),
    ("fe80::/10", "a link-local address"),
    ("fec0::/10", "a private address"),
    ("ff00::/8", "a multicast address"),
])
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_HOST_NAME = re.compile(r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*")


@dataclass(frozen=True, slots=True)
class Fetched:
    """The body of a response and what its headers say of it."""

    url: str  # after redirects
    content: bytes
    media_type: str | None  # "text/html", lower case, without parameters
    charset: str | None


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """What may be fetched, from the environment at each fetch (never at import):

    ACCORD_FETCH_ALLOW  comma-separated host names, addresses or CIDR ranges fetched even when private,
                        loopback or otherwise refused (an intranet; tests serving on 127.0.0.1)
    ACCORD_MAX_UPLOAD   the largest body in bytes, as for uploads (default 5 MB)

    A host name allows whatever it resolves to except the cloud metadata address, which only a range or
    address holding it allows: a name pointing there is the classic way in, never an intranet's page.
    """

    hosts: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()
    max_bytes: int = MAX_BYTES

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> FetchPolicy:
        env = os.environ if env is None else env
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in (e.strip().lower() for e in env.get("ACCORD_FETCH_ALLOW", "").split(",")):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
                continue
            except ValueError:
                pass
            name = entry.rstrip(".")
            if "/" in entry or not _HOST_NAME.fullmatch(name):
                raise AccordError(f"ACCORD_FETCH_ALLOW: {entry!r} is not a host name, address or CIDR range; "
                                  f"separate entries with commas")
            hosts.add(name)
        raw = env.get("ACCORD_MAX_UPLOAD", "").strip()
        if raw and not raw.isdigit():
            raise AccordError(f"ACCORD_MAX_UPLOAD: {raw!r} is not a number of bytes")
        return cls(frozenset(hosts), tuple(networks), int(raw) if raw else MAX_BYTES)

    def allows(self, host: str, address: IPAddress) -> bool:
        """Whether ACCORD_FETCH_ALLOW lets `host`, resolved to `address`, be fetched though refused."""
        forms: list[IPAddress] = [address]  # an IPv4 address and its IPv4-mapped IPv6 form are one
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            forms.append(address.ipv4_mapped)
        elif isinstance(address, ipaddress.IPv4Address):
            forms.append(ipaddress.IPv6Address(f"::ffff:{address}"))
        if any(form in net for form in forms for net in self.networks):
            return True
        return host.lower().rstrip(".") in self.hosts and refusal(address) != _METADATA


def refusal(address: IPAddress) -> str | None:
    """Why an address may not be fetched by default ("a private address"), or None for a public one."""
    for net, why in _REFUSED:
        if address in net:
            return why
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return refusal(embedded)
    return None if address.is_global else "a reserved address"


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries and reaches (mapped, NAT64, 6to4, Teredo's client)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    return address.teredo[1] if address.teredo is not None else None


def resolve(host: str, port: int, policy: FetchPolicy) -> list[str]:
    """The addresses of `host` to connect to, in the resolver's order, once every one of them has been
    checked; one refused address refuses the host (which of them a connection would use is not ours to
    know). Raises InputError naming the host and why."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise InputNotFound(f"could not connect (cannot resolve {host}: {_first_line(exc)}); check the address") from None
    addresses: list[str] = []
    for family, _type, _proto, _name, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        text = str(sockaddr[0])
        address = ipaddress.ip_address(text.split("%", 1)[0])
        why = refusal(address)
        if why is not None and not policy.allows(host, address):
            named = f"{host} is {why}" if _literal(host) == address else f"{host} resolves to {address}, {why}"
            raise InputError(f"refused: {named}; add it to ACCORD_FETCH_ALLOW if Accord may fetch it")
        if text not in addresses:
            addresses.append(text)
    if not addresses:
        raise InputNotFound(f"could not connect (no address for {host}); check the address")
    return addresses


def _literal(host: str) -> IPAddress | None:
    """The address a host written as one names ("10.0.0.1", "::1"), else None (a name, "2130706433")."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def is_url(source: str) -> bool:
    """Whether `source` names an http(s) URL rather than a local path."""
    return source.lower().startswith(("http://", "https://"))


def fetch(url: str, *, timeout: float = TIMEOUT, max_bytes: int | None = None,
          accept: frozenset[str] = DOCUMENT_TYPES, policy: FetchPolicy | None = None) -> Fetched:
    """GET `url`, following redirects under the rules above; every failure is a one-line InputError."""
    # Imported here: httpx is only needed when a URL is given.
    import httpx

    policy = policy or FetchPolicy.from_env()
    limit = policy.max_bytes if max_bytes is None else min(max_bytes, policy.max_bytes)
    advice = "raise max_bytes" if max_bytes is not None and max_bytes < policy.max_bytes else "raise ACCORD_MAX_UPLOAD"
    deadline = time.monotonic() + timeout
    try:
        with httpx.Client(timeout=timeout, trust_env=False, limits=httpx.Limits(max_keepalive_connections=0),
                          headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}) as client:
            response, final = _follow(client, url, policy, deadline)
            try:
                if response.status_code >= 400:
                    reason = f" {response.reason_phrase}" if response.reason_phrase else ""
                    raise InputNotFound(f"HTTP {response.status_code}{reason}; check the address")
                content_type = response.headers.get("content-type", "")
                media_type = content_type.partition(";")[0].strip().lower()
                if media_type not in accept and media_type not in _UNTYPED:
                    raise InputNotText(f"not {_WANTED.get(accept, 'a type Accord reads')} ({media_type}); "
                                       f"check the address")
                content = _read_body(response, limit, deadline)
            finally:
                response.close()
    except InputTooLarge:
        raise InputTooLarge(f"{url}: larger than the limit of {limit:,} bytes; {advice} to read it") from None
    except _TimeUp:
        raise InputNotFound(f"{url}: no answer within {timeout:g} s; try again or raise the timeout") from None
    except InputError as exc:
        raise type(exc)(f"{url}: {exc}") from None
    except httpx.TimeoutException:
        raise InputNotFound(f"{url}: no answer within {timeout:g} s; try again or raise the timeout") from None
    except httpx.ConnectError as exc:
        raise InputNotFound(f"{url}: could not connect ({_first_line(exc)}); check the address") from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise InputNotFound(f"{url}: could not fetch ({_first_line(exc)}); check the address") from None
    return Fetched(url=str(final), content=content, media_type=media_type or None, charset=_charset(content_type))


class _TimeUp(Exception):
    """The fetch's deadline passed (between operations, each of which httpx bounds itself)."""


def _follow(client: httpx.Client, url: str, policy: FetchPolicy, deadline: float) -> tuple[httpx.Response, httpx.URL]:
    """The first response that is not a redirect, and its URL; each address on the way checked and connected to."""
    import httpx

    target = httpx.URL(url)
    for hop in range(MAX_REDIRECTS + 1):
        response = _get(client, target, policy, deadline, redirected=hop > 0)
        location = response.headers.get("location")
        if not response.is_redirect or location is None:
            return response, target
        response.close()
        try:
            target = target.join(location)
        except httpx.InvalidURL as exc:
            raise InputNotFound(f"redirected to an address that is not one ({_first_line(exc)})") from None
    raise InputNotFound("too many redirects; open it in a browser to see where it leads")


def _get(client: httpx.Client, url: httpx.URL, policy: FetchPolicy, deadline: float,
         redirected: bool) -> httpx.Response:
    """GET `url` from one of its host's vetted addresses, the headers read and the body not yet."""
    import httpx

    where = f"redirected to {url}: " if redirected else ""
    if url.scheme not in ("http", "https"):
        raise InputError(f"{where}only http and https addresses are fetched")
    host = url.raw_host.decode("ascii")
    if not host:
        raise InputNotFound(f"{where}no host in the address; check it")
    try:
        addresses = resolve(host, url.port or (443 if url.scheme == "https" else 80), policy)
    except InputError as exc:
        raise type(exc)(f"{where}{exc}") from None
    extensions: dict[str, object] = {}
    if url.scheme == "https":
        extensions["sni_hostname"] = host  # TLS names, and the certificate must match, the host, not the IP
    for i, address in enumerate(addresses):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _TimeUp
        request = client.build_request("GET", url.copy_with(host=address), timeout=remaining,
                                       headers={"Host": url.netloc.decode("ascii")}, extensions=extensions)
        client.cookies.clear()  # a cookie is kept by the address it came from, which another host may share
        try:
            return client.send(request, stream=True)
        except httpx.ConnectError:
            if i == len(addresses) - 1:
                raise  # each vetted address in turn, as a browser would; the last one's error is reported
    raise AssertionError("resolve returns at least one address")


def _read_body(response: httpx.Response, limit: int, deadline: float) -> bytes:
    """The body, decompressed, refused as soon as more than `limit` bytes arrive or would."""
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    declared = response.headers.get("content-length", "")
    if encoding == "identity" and declared.isdigit() and int(declared) > limit:
        raise InputTooLarge
    body = bytearray()
    raw = 0
    inflate = _Inflater(encoding)
    for chunk in response.iter_raw():  # as the socket gives them (at most 64 kB a read): no waiting for more
        raw += len(chunk)
        if raw > limit:  # even a body that inflates to little may not stream forever
            raise InputTooLarge
        for piece in inflate(chunk, limit - len(body)):
            body += piece
            if len(body) > limit:
                raise InputTooLarge
        if time.monotonic() > deadline:
            raise _TimeUp
    for piece in inflate.end(limit - len(body)):
        body += piece
    if len(body) > limit:
        raise InputTooLarge
    return bytes(body)


@dataclass
class _Inflater:
    """Undoes a gzip or deflate Content-Encoding a piece at a time, never more than asked for at once:
    a small compressed body may inflate to gigabytes, which httpx's own decoding would hold whole."""

    encoding: str
    _z: zlib._Decompress | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        if self.encoding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.encoding == "deflate":
            self._z = zlib.decompressobj(32 + zlib.MAX_WBITS)  # zlib-wrapped, as RFC 9110 says
        elif self.encoding not in ("", "identity"):
            raise InputNotText(f"sent with Content-Encoding {self.encoding}, which Accord does not read")

    def __call__(self, chunk: bytes, room: int) -> Iterator[bytes]:
        if self._z is None:
            yield chunk
            return
        data = chunk
        while data and room >= 0:
            try:
                piece = self._z.decompress(data, room + 1)
            except zlib.error:
                raise InputNotText(f"its {self.encoding} content is corrupt") from None
            room -= len(piece)
            yield piece
            data = self._z.unconsumed_tail

    def end(self, room: int) -> Iterator[bytes]:
        if self._z is not None and room >= 0:
            yield self._z.flush(room + 1)


def _charset(content_type: str) -> str | None:
    """The `charset=` parameter of a Content-Type header, if any."""
    for param in content_type.partition(";")[2].split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip(' "'):
            return value.strip(' "').lower()
    return None


def _first_line(exc: Exception) -> str:
    """An exception's message on one line, or its class name when it has none."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

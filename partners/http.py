"""Outbound webhook HTTP: which addresses may be called, and a POST pinned to the address that was checked."""
from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ALLOWED_SCHEMES = ("http", "https")
# Names that never reach the public internet, refused before any DNS lookup.
LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa")
RESPONSE_BODY_LIMIT = 1000

# IPv6 forms no public receiver uses, refused whatever IPv4 they carry: IPv4-compatible (::a.b.c.d, deprecated by
# RFC 4291), SIIT's IPv4-translated (::ffff:0:a.b.c.d, RFC 2765) and the local-use NAT64 prefix (RFC 8215), which
# a local translator turns into an address of its own network.
_REFUSED_IPV6 = tuple(ipaddress.ip_network(net) for net in ("::/96", "::ffff:0:0:0/96", "64:ff9b:1::/48"))
# Forms that reach the IPv4 they embed (a translator or relay forwards to it): judged by that IPv4 as well.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052 well-known prefix, what DNS64 answers with


class WebhookTransportError(Exception):
    """A delivery attempt that got no usable HTTP response; `permanent` errors are not retried."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class WebhookResponse:
    status: int
    body: str


@dataclass(frozen=True)
class WebhookTarget:
    """A checked webhook URL and the one address its connection goes to."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


def _private_allowed() -> bool:
    return settings.PARTNERS_WEBHOOK_ALLOW_PRIVATE_ADDRESSES


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address leads to: NAT64, 6to4, Teredo (server and client) and ISATAP."""
    embedded = []
    if ip in _NAT64:
        embedded.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip.sixtofour is not None:
        embedded.append(ip.sixtofour)
    if ip.teredo is not None:
        embedded.extend(ip.teredo)
    # ISATAP interface identifier (RFC 5214): [00|01|02|03]00:5efe:a.b.c.d under any /64 prefix.
    if (int(ip) >> 32) & 0xFCFFFFFF == 0x00005EFE:
        embedded.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return embedded


def address_is_public(address: str) -> bool:
    """True for a globally routable unicast address (not loopback, private, link-local, shared or reserved).

    An IPv6 address that embeds an IPv4 one (mapped, NAT64, 6to4, Teredo, ISATAP) must lead to a public IPv4 too.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            # The socket layer connects to the IPv4 itself.
            return address_is_public(str(ip.ipv4_mapped))
        if any(ip in net for net in _REFUSED_IPV6):
            return False
        if not all(address_is_public(str(v4)) for v4 in _embedded_ipv4(ip)):
            return False
    return ip.is_global and not ip.is_multicast


def _checked_parts(url: str) -> tuple[str, str, int, str]:
    """Scheme, host, port and path of a URL a webhook may target, before any DNS lookup."""
    parts = urlsplit(url)
    if parts.scheme not in ALLOWED_SCHEMES:
        raise ValidationError(_("只支持 http 或 https 地址。"), code="invalid_scheme")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        raise ValidationError(_("端口无效。"), code="invalid_url") from None
    if not host:
        raise ValidationError(_("缺少主机名。"), code="invalid_url")
    if parts.username or parts.password:
        raise ValidationError(_("地址中不能包含用户名或密码。"), code="invalid_url")
    if not _private_allowed() and (host == "localhost" or host.endswith(LOCAL_SUFFIXES)):
        raise ValidationError(_("不允许回环或内网地址。"), code="private_address")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path


def _addresses(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (an IP literal is its own); raises socket.gaierror."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    # Numeric forms ipaddress refuses (127.1, 2130706433, 0x7f000001, 0177.0.0.1) come back as the address they mean.
    addresses = [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]
    if not addresses:
        raise socket.gaierror(socket.EAI_NONAME, "no address")
    return addresses


def _require_public(addresses: list[str]) -> None:
    # Every address must pass: a name answering public and private ones could be connected to either.
    if not _private_allowed() and not all(address_is_public(address) for address in addresses):
        raise ValidationError(_("不允许回环或内网地址。"), code="private_address")


def webhook_url_check(url: str) -> None:
    """Refuse URLs a webhook may not target: other schemes, credentials, local names and non-public addresses.

    A host name is resolved here too, so a name pointing at a private address is refused at registration; the
    delivery resolves it again and connects to the address it checked then (webhook_target), as DNS may change.
    """
    _scheme, host, port, _path = _checked_parts(url)
    if _private_allowed():
        return
    try:
        addresses = _addresses(host, port)
    except socket.gaierror:
        raise ValidationError(_("无法解析主机名。"), code="unresolvable_host") from None
    _require_public(addresses)


def webhook_target(url: str) -> WebhookTarget:
    """Check `url` and resolve its host once, at delivery: the address returned is the only one to connect to.

    Connecting to the checked address, not to the name, is what defeats DNS rebinding: a second lookup
    by the HTTP client could answer with a private address after the check passed.
    """
    try:
        scheme, host, port, path = _checked_parts(url)
    except ValidationError as exc:
        raise WebhookTransportError(f"refused: {' '.join(exc.messages)}", permanent=True) from None
    try:
        addresses = _addresses(host, port)
    except socket.gaierror as exc:
        raise WebhookTransportError(f"DNS lookup failed: {exc}") from None
    try:
        _require_public(addresses)
    except ValidationError:
        raise WebhookTransportError("refused: the host resolves to a loopback or private address",
                                    permanent=True) from None
    return WebhookTarget(scheme=scheme, host=host, port=port, path=path, address=addresses[0])


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to a fixed address; the Host header still names the URL's host."""

    def __init__(self, host, *, address, **kwargs):
        super().__init__(host, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a fixed address; SNI, the certificate check and the Host header use the URL's host."""

    def __init__(self, host, *, address, **kwargs):
        super().__init__(host, context=ssl.create_default_context(), **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        try:
            self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


def webhook_post(*, url: str, body: bytes, headers: dict[str, str], timeout: float) -> WebhookResponse:
    """POST `body` to `url` without following redirects; raises WebhookTransportError when no response came back."""
    target = webhook_target(url)
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target.host, port=target.port, timeout=timeout, address=target.address)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read(RESPONSE_BODY_LIMIT).decode("utf-8", "replace")
        return WebhookResponse(status=response.status, body=text)
    except TimeoutError:
        raise WebhookTransportError(f"timed out after {timeout:g}s") from None
    except (OSError, http.client.HTTPException) as exc:
        raise WebhookTransportError(f"{type(exc).__name__}: {exc}"[:300]) from None
    finally:
        connection.close()

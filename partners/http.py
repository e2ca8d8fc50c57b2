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


class WebhookTransportError(Exception):
    """A delivery attempt that got no usable HTTP response; `permanent` errors are not retried."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class WebhookResponse:
    status: int
    body: str


def _private_allowed() -> bool:
    return settings.PARTNERS_WEBHOOK_ALLOW_PRIVATE_ADDRESSES


def address_is_public(address: str) -> bool:
    """True for a globally routable unicast address (not loopback, private, link-local, shared or reserved)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def webhook_url_check(url: str) -> None:
    """Refuse URLs a webhook may not target: other schemes, credentials, local names and non-public IP literals.

    Host names are resolved at delivery time, where the checked address is also the one connected to,
    so a name that later resolves to a private address (DNS rebinding) is refused there.
    """
    parts = urlsplit(url)
    if parts.scheme not in ALLOWED_SCHEMES:
        raise ValidationError(_("只支持 http 或 https 地址。"), code="invalid_scheme")
    try:
        host, _port = parts.hostname, parts.port
    except ValueError:
        raise ValidationError(_("端口无效。"), code="invalid_url") from None
    if not host:
        raise ValidationError(_("缺少主机名。"), code="invalid_url")
    if parts.username or parts.password:
        raise ValidationError(_("地址中不能包含用户名或密码。"), code="invalid_url")
    if _private_allowed():
        return
    if host == "localhost" or host.endswith(LOCAL_SUFFIXES):
        raise ValidationError(_("不允许回环或内网地址。"), code="private_address")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return  # a name: checked when it is resolved for a delivery
    if not address_is_public(host):
        raise ValidationError(_("不允许回环或内网地址。"), code="private_address")


def _resolve(host: str, port: int) -> str:
    """The first address of `host` that may be called; every address must pass (no mixing public and private)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise WebhookTransportError(f"DNS lookup failed: {exc}") from None
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise WebhookTransportError("DNS lookup returned no address")
    if not _private_allowed() and not all(address_is_public(address) for address in addresses):
        raise WebhookTransportError("refused: the host resolves to a loopback or private address", permanent=True)
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, *, address, **kwargs):
        super().__init__(host, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, *, address, **kwargs):
        super().__init__(host, context=ssl.create_default_context(), **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # Certificate and SNI are checked against the URL's host name, not the pinned address.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def webhook_post(*, url: str, body: bytes, headers: dict[str, str], timeout: float) -> WebhookResponse:
    """POST `body` to `url` without following redirects; raises WebhookTransportError when no response came back."""
    try:
        webhook_url_check(url)
    except ValidationError as exc:
        raise WebhookTransportError(f"refused: {' '.join(exc.messages)}", permanent=True) from None
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = _resolve(parts.hostname, port)
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(parts.hostname, port=port, timeout=timeout, address=address)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read(RESPONSE_BODY_LIMIT).decode("utf-8", "replace")
        return WebhookResponse(status=response.status, body=text)
    except TimeoutError:
        raise WebhookTransportError(f"timed out after {timeout:g}s") from None
    except (OSError, http.client.HTTPException) as exc:
        raise WebhookTransportError(f"{type(exc).__name__}: {exc}"[:300]) from None
    finally:
        connection.close()

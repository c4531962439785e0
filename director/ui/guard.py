"""The app's request guard, an ASGI middleware in front of everything Gradio serves.

- **Host**: a request must name a host the app is bound to (DNS rebinding: a foreign page whose name resolves
  to 127.0.0.1 is refused). An app exposed with a password on a chosen host accepts any Host.
- **Origin**: a request that carries an Origin other than the app's own (a cross-site fetch, form post or
  upload, or a socket from another page) is refused, and no response carries CORS headers (the app's own pages
  are same-origin and need none), so no other site can read from or write to the app.
- **Files**: files are served as downloads, never rendered inline as a page: HTML, SVG and XML an upload
  brought in cannot run script on the app's origin; every response says `nosniff`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
FILE_ROUTES = ("/gradio_api/file=", "/file=")
ACTIVE_TYPES = (b"text/html", b"image/svg", b"application/xhtml", b"text/xml", b"application/xml")


def host_name(netloc: str) -> str:
    """'127.0.0.1:7860' -> '127.0.0.1', '[::1]:80' -> '::1', 'Example.ORG' -> 'example.org'."""
    return (urlsplit(f"//{netloc}").hostname or "").lower()


class RequestGuard:
    def __init__(self, app: ASGIApp, allowed_hosts: frozenset[str] | None) -> None:
        self.app = app
        self.allowed_hosts = allowed_hosts  # None: any host (exposed with a password)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope["headers"]}
        refusal = self.refusal(headers.get("host", ""), headers.get("origin"))
        if refusal is not None:
            await _refuse(scope, receive, send, refusal)
            return
        is_file = scope["type"] == "http" and scope.get("path", "").startswith(FILE_ROUTES)

        async def send_guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _safe_headers(list(message.get("headers", [])), is_file)
            await send(message)

        await self.app(scope, receive, send_guarded)

    def refusal(self, host: str, origin: str | None) -> str | None:
        """Why a request is refused (None: it is served)."""
        if self.allowed_hosts is not None and host_name(host) not in self.allowed_hosts:
            return "unknown host: open the app at the address it prints on start"
        if origin is not None and (origin == "null" or urlsplit(origin).netloc.lower() != host.lower()):
            return "cross-origin requests are refused"
        return None


def _safe_headers(headers: list[tuple[bytes, bytes]], is_file: bool) -> list[tuple[bytes, bytes]]:
    kept = [
        (key, value)
        for key, value in headers
        if key.lower() != b"x-content-type-options" and not key.lower().startswith(b"access-control-")
    ]
    kept.append((b"x-content-type-options", b"nosniff"))
    content_type = next((value.lower() for key, value in kept if key.lower() == b"content-type"), b"")
    if is_file and content_type.startswith(ACTIVE_TYPES):
        kept = [(key, value) for key, value in kept if key.lower() != b"content-disposition"]
        kept += [(b"content-disposition", b"attachment"), (b"content-security-policy", b"sandbox")]
    return kept


async def _refuse(scope: Scope, receive: Receive, send: Send, reason: str) -> None:
    if scope["type"] == "websocket":
        await receive()  # the connect message
        await send({"type": "websocket.close", "code": 1008})
        return
    body = f"403 Forbidden: {reason}\n".encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 403, "headers": headers})
    await send({"type": "http.response.body", "body": body})

"""A triple store's Graph Store Protocol endpoint over HTTP: one graph sent with PUT (or
moved with SPARQL Update), and what its replies say when they refuse."""

from __future__ import annotations

import base64
import http.client
import os
import re
import socket
import ssl
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import SplitResult, quote

from coopdata.errors import OutputError
from coopdata.publish.auth import Credentials, challenges, digest_authorization, shown_reply


@dataclass
class Reply:
    status: int
    reason: str
    text: str
    """The start of the body, decoded."""
    content_type: str
    location: str
    challenges: list[tuple[str, dict[str, str]]]
    """The ``WWW-Authenticate`` challenges: scheme and parameters (names in lower case)."""


@dataclass
class GraphStore:
    """Requests to one store, with what its ``WWW-Authenticate`` taught: a Digest
    challenge is kept and reused (its nonce counted) for the next requests."""

    credentials: Credentials
    timeout: float
    digest: dict[str, str] | None = None
    count: int = 0
    probed: bool = False

    def send(self, target: SplitResult, endpoint: str, method: str, path: str,
             body: Path | bytes, headers: dict[str, str], *, unsure: str,
             cleanup: Cleanup | None = None) -> Reply:
        """``method`` with ``body`` (streamed from disk when a path): the challenge is
        fetched first with ``HEAD`` when a user is given and no Digest challenge is known,
        and the request is sent again once when it is refused with a fresh challenge."""
        if self.credentials.user is not None and self.digest is None and not self.probed:
            self.probed = True
            self._learn(self._exchange(target, endpoint, "HEAD", path, None, {}, unsure=""))
        used = self.digest
        reply = self._exchange(target, endpoint, method, path, body,
                               headers | self._authorization(method, path), unsure=unsure,
                               cleanup=cleanup)
        if reply.status == 401 and self._learn(reply, used):
            reply = self._exchange(target, endpoint, method, path, body,
                                   headers | self._authorization(method, path),
                                   unsure=unsure, cleanup=cleanup)
        return reply

    def drop(self, target: SplitResult, endpoint: str, graph: str) -> None:
        """Remove ``graph`` with a Graph Store ``DELETE``, silently: a clean-up."""
        with suppress(OutputError):
            self.send(target, endpoint, "DELETE", graph_path(target, graph), b"",
                      {"Content-Length": "0"}, unsure="")

    def _learn(self, reply: Reply, used: dict[str, str] | None = None) -> bool:
        """Keep the Digest challenge of a 401; whether it is worth a second try (a
        challenge not tried yet, or the same one marked stale)."""
        if reply.status != 401 or self.credentials.user is None:
            return False
        for scheme, params in reply.challenges:
            if scheme.lower() == "digest" and "nonce" in params and "realm" in params:
                stale = params.get("stale", "").lower() == "true"
                fresh = used is None or stale or used.get("realm") != params["realm"]
                self.digest, self.count = params, 0
                return fresh
        return False

    def _authorization(self, method: str, path: str) -> dict[str, str]:
        credentials = self.credentials
        if credentials.user is None:
            return {"Authorization": f"Bearer {credentials.token}"} if credentials.token \
                else {}
        if self.digest is None:
            pair = f"{credentials.user}:{credentials.password}".encode()
            return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}
        self.count += 1
        return {"Authorization": digest_authorization(
            credentials.user, credentials.password, method, path, self.digest,
            self.count, os.urandom(16).hex())}

    def _exchange(self, target: SplitResult, endpoint: str, method: str, path: str,
                  body: Path | bytes | None, headers: dict[str, str], *, unsure: str,
                  cleanup: Cleanup | None = None) -> Reply:
        host, timeout = target.hostname or "", self.timeout
        connection: http.client.HTTPConnection
        if target.scheme == "https":
            connection = http.client.HTTPSConnection(
                host, target.port, timeout=timeout, context=ssl.create_default_context(),
                blocksize=BLOCK_SIZE)
        else:
            connection = http.client.HTTPConnection(host, target.port, timeout=timeout,
                                                    blocksize=BLOCK_SIZE)
        headers = {"User-Agent": "coopdata-push"} | headers
        try:
            try:
                connection.connect()
            except OSError as exc:
                raise OutputError(f"cannot reach {endpoint}: {failure_reason(exc, timeout)}") \
                    from None
            try:
                # the store may answer (401…) before reading the whole body: ask it below
                with suppress(BrokenPipeError, ConnectionResetError):
                    if isinstance(body, Path):
                        with open(body, "rb") as handle:
                            connection.request(method, path, body=handle, headers=headers)
                    else:
                        connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                text = b"" if method == "HEAD" else response.read(16384)
                return Reply(response.status, response.reason or "",
                              text.decode("utf-8", "replace"),
                              response.getheader("Content-Type") or "",
                              response.getheader("Location") or "",
                              challenges(response.headers.get_all("WWW-Authenticate") or []))
            except TimeoutError:
                if cleanup is not None:
                    cleanup()
                if not unsure:
                    raise OutputError(f"the store at {endpoint} gave no answer within "
                                      f"{timeout:g} s") from None
                raise OutputError(f"the store at {endpoint} gave no answer within "
                                  f"{timeout:g} s; {unsure} (a large graph may need a "
                                  "longer --timeout)") from None
            except (OSError, http.client.HTTPException) as exc:
                if cleanup is not None:
                    cleanup()
                raise OutputError(f"the {method} to {endpoint} failed: "
                                  f"{failure_reason(exc, timeout)}"
                                  + (f"; {unsure}" if unsure else "")) from None
        finally:
            connection.close()


def failure_reason(exc: BaseException, timeout: float) -> str:
    if isinstance(exc, socket.gaierror):
        return "unknown host"
    if isinstance(exc, TimeoutError):
        return f"no answer within {timeout:g} s"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"its TLS certificate is not trusted ({exc.verify_message})"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed ({exc.reason or exc})"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror[0].lower() + exc.strerror[1:]
    return str(exc) or type(exc).__name__


def check_success(reply: Reply, endpoint: str, credentials: Credentials, *,
             consequence: str = "", cleanup: Cleanup | None = None) -> int:
    """``reply``'s status when it is a success; else an :class:`OutputError` that says
    why, in the store's own words, after ``cleanup``."""
    status = reply.status
    if 200 <= status < 300:
        return status
    if cleanup is not None:
        cleanup()
    said = _said(reply)
    after = f"; {consequence}" if consequence else ""
    if status in (401, 403):
        hint = "" if credentials.given else \
            ": none were given (use --user, or COOPDATA_PUSH_TOKEN)"
        asked = "; it asks for " + " or ".join(
            scheme + (f' realm="{shown_reply(params["realm"])}"' if "realm" in params else "")
            for scheme, params in reply.challenges) if reply.challenges else ""
        says = f"; it says: {said}" if said else ""
        raise OutputError(f"the store refused the credentials ({status} "
                          f"{http.client.responses.get(status, 'Forbidden')}){hint}{asked}"
                          f"{says}{after}")
    if status == 404:
        raise OutputError(f"the store answered 404: no Graph Store endpoint at {endpoint} "
                          "(for Oxigraph it ends in /store, for Virtuoso in "
                          f"/sparql-graph-crud-auth){after}")
    if 300 <= status < 400 and reply.location:
        raise OutputError(f"the store answered {status}: it redirects to "
                          f"{shown_reply(reply.location)}; "
                          f"give that URL as --endpoint{after}")
    raise OutputError(f"the store answered {status}: "
                      f"{said or shown_reply(reply.reason) or 'no reason'}{after}")


class _Text(HTMLParser):
    """The text of an HTML page, one string a block, without its head."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("head", "title", "script", "style"):
            self.skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("head", "title", "script", "style") and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.extend(line.strip() for line in data.splitlines() if line.strip())


def _said(reply: Reply) -> str:
    """What the store said: the first line of a text reply, or the text of an HTML page
    (Virtuoso's: "Error 42000: SQ110:SECURITY: Permission denied …") without the lines
    that repeat the status; escaped and cut by :func:`shown_reply`."""
    if "html" in reply.content_type.lower():
        page = _Text()
        with suppress(AssertionError):  # html.parser's complaint about broken markup
            page.feed(reply.text)
            page.close()
        parts = [part for part in page.parts
                 if not re.fullmatch(r"HTTP/\S+ \d{3}\b.*", part)]
        return shown_reply(": ".join(parts))
    first = next((line.strip() for line in reply.text.splitlines() if line.strip()), "")
    return shown_reply(first)


BLOCK_SIZE = 1 << 16


Cleanup = Callable[[], None]


def request_path(target: SplitResult) -> str:
    return (target.path or "/") + ("?" + target.query if target.query else "")


def graph_path(target: SplitResult, iri: str) -> str:
    return (target.path or "/") + ("?" + target.query + "&" if target.query else "?") \
        + "graph=" + quote(iri, safe="")

"""HTTP authentication for push: a user and password (Basic, or Digest as RFC 7616 has
it) or a bearer token, and the challenges a server sends."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from urllib.parse import quote

from coopdata.errors import OutputError, UsageError
from coopdata.report import escape_invisible


@dataclass(frozen=True)
class Credentials:
    user: str | None = None
    password: str = field(default="", repr=False)
    token: str | None = field(default=None, repr=False)

    @staticmethod
    def of(user: str | None, password: str | None, token: str | None) -> Credentials:
        if user is not None:
            if password is None:
                raise UsageError("--user needs a password: --password or "
                                 "COOPDATA_PUSH_PASSWORD")
            return Credentials(user, password)
        if password is not None:
            raise UsageError("--password needs --user")
        return Credentials(token=token or None)

    @property
    def given(self) -> bool:
        return self.user is not None or self.token is not None


_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"


_PARAM = re.compile(rf'({_TOKEN})[ \t]*=[ \t]*("(?:[^"\\]|\\.)*"|{_TOKEN})[ \t]*(?=,|$)')


_SCHEME = re.compile(rf"({_TOKEN})(?=[ \t,]|$)")


_SEPARATOR = re.compile(r"[ \t,]*")


def challenges(values: list[str]) -> list[tuple[str, dict[str, str]]]:
    """The challenges of ``WWW-Authenticate`` header values (RFC 9110 section 11.6.1):
    each scheme with its parameters, names in lower case, quoted strings unquoted; a
    token68 is kept as the parameter ``""``. Unparseable text ends a header's parsing."""
    found: list[tuple[str, dict[str, str]]] = []
    for value in values:
        position = 0
        current: dict[str, str] | None = None
        while True:
            position = _SEPARATOR.match(value, position).end()  # type: ignore[union-attr]
            if position >= len(value):
                break
            param = _PARAM.match(value, position)
            if param and current is not None:
                raw = param[2]
                current[param[1].lower()] = re.sub(r"\\(.)", r"\1", raw[1:-1]) \
                    if raw.startswith('"') else raw
                position = param.end()
                continue
            scheme = _SCHEME.match(value, position)
            if scheme is None:
                break
            current = {}
            found.append((scheme[1], current))
            position = scheme.end()
            while value[position:position + 1] in (" ", "\t"):  # a token68 follows spaces
                position += 1
            token68 = _TOKEN68.match(value, position)
            if token68 and position > scheme.end() and not _PARAM.match(value, position):
                current[""] = token68[1]
                position = token68.end()
    return found


_DIGESTS = {"MD5": "md5", "SHA-256": "sha256", "SHA-512-256": "sha512_256"}


def digest_authorization(user: str, password: str, method: str, uri: str,
                         challenge: dict[str, str], count: int, cnonce: str) -> str:
    """The ``Authorization`` header answering the Digest ``challenge`` (RFC 7616) for
    ``method`` on ``uri`` (the request target as sent): algorithms MD5, SHA-256 and
    SHA-512-256 and their ``-sess`` forms, ``qop=auth`` (or none, as in RFC 2069).
    Raises :class:`~coopdata.OutputError` for a challenge it cannot answer."""
    algorithm = challenge.get("algorithm", "MD5")
    name = algorithm.upper()
    session = name.endswith("-SESS")
    base = _DIGESTS.get(name.removesuffix("-SESS"))
    qops = [qop.strip().lower() for qop in challenge.get("qop", "").split(",") if qop.strip()]
    if base is None or (qops and "auth" not in qops):
        asked = f"algorithm {algorithm}" if base is None else f"qop {challenge['qop']}"
        raise OutputError(f"the store asks for Digest authentication with "
                          f"{shown_reply(asked)}, which coopdata does not support")

    def digest(text: str) -> str:
        return hashlib.new(base, text.encode("utf-8")).hexdigest()

    realm, nonce = challenge["realm"], challenge["nonce"]
    secret = digest(f"{user}:{realm}:{password}")
    if session:
        secret = digest(f"{secret}:{nonce}:{cnonce}")
    request = digest(f"{method}:{uri}")
    nc = f"{count:08x}"
    response = digest(f"{secret}:{nonce}:{nc}:{cnonce}:auth:{request}") if qops \
        else digest(f"{secret}:{nonce}:{request}")
    if user.isascii():
        fields = [f"username={quoted(user)}"]
    else:
        fields = [f"username*=UTF-8''{quote(user, safe='')}"]
    fields += [f"realm={quoted(realm)}", f"nonce={quoted(nonce)}", f"uri={quoted(uri)}",
               f"algorithm={algorithm}", f"response={quoted(response)}"]
    if "opaque" in challenge:
        fields.append(f"opaque={quoted(challenge['opaque'])}")
    if qops:
        fields += ["qop=auth", f"nc={nc}", f"cnonce={quoted(cnonce)}"]
    return "Digest " + ", ".join(fields)


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


_TOKEN68 = re.compile(r"([A-Za-z0-9._~+/-]+=*)[ \t]*(?=,|$)")


REPLY_SHOWN = 200
"""How many characters of the store's reply an error shows (after escaping)."""


def shown_reply(text: str) -> str:
    """A line of the store's reply as an error may print it: every control, format and
    other invisible character escaped (an escape sequence, a right-to-left override, a
    NUL never reach the terminal), cut at :data:`REPLY_SHOWN` characters."""
    shown = escape_invisible(text)
    if len(shown) <= REPLY_SHOWN:
        return shown
    return f"{shown[:REPLY_SHOWN]}… ({len(text)} characters)"

"""Checked types of settings whose mistakes would otherwise surface only at start-up or first use.

Each is a plain type with a validator, so a bad value stops start-up with one line naming the
setting (``configuration error: SCO_HTTP__HOST: …``) instead of a crash deep in a client library.
"""

from __future__ import annotations

import ipaddress
import os
import re
import unicodedata
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, Field, SecretStr

_HOSTNAME = re.compile(
    r"(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
)
_REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}")
_CHANNEL = re.compile(r"[CDG][A-Z0-9_]{1,30}")
#: The longest a path's component (a file or directory name) may be, in bytes (Linux, macOS).
NAME_MAX = 255
#: The longest a whole path may be, in bytes.
PATH_MAX = 4096
#: The longest value an error line quotes, in characters.
QUOTE_MAX = 80
#: The longest interval, grace or delay in seconds a scheduled-job setting may have: a day.
MAX_SECONDS = 86_400


def quoted(value: object, *, limit: int = QUOTE_MAX) -> str:
    """``value`` in quotes for an error line: control characters escaped, at most ``limit`` characters.

    A line break is shown as ``\\n`` and a long value as ``'xxxx…' (5,000 characters)``, so a bad
    value can neither split the one error line nor make it megabytes long.
    """
    text = str(value)
    shown = text if len(text) <= limit else text[:limit]
    body = shown if shown.isprintable() else shown.encode("unicode_escape").decode("ascii")
    if len(text) > limit:
        return f"'{body}…' ({len(text):,} characters)"
    return f"'{body}'"


def _has_control(text: str) -> bool:
    return any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in text)


def check_host(value: str) -> str:
    """An IP address or a host name a server can listen on.

    Raises:
        ValueError: neither (``999.1.1.1``, ``bad host``).
    """
    text = value.strip()
    if re.fullmatch(r"[\d.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*", text):
        try:
            ipaddress.ip_address(text)
        except ValueError:
            raise ValueError(f"{quoted(text)} is not a valid IP address") from None
        return text
    if not _HOSTNAME.fullmatch(text):
        raise ValueError(f"{quoted(text)} is not an IP address or host name")
    return text


def check_region(value: str) -> str:
    """An AWS region name such as ``eu-west-1``.

    Raises:
        ValueError: not shaped like a region.
    """
    if not _REGION.fullmatch(value):
        raise ValueError(f"{quoted(value)} is not an AWS region such as us-east-1 or eu-west-2")
    return value


def _not_blank(value: object) -> object:
    """Before a path is made of the raw text: empty or blank would become ``.`` or a directory named ``'   '``."""
    if isinstance(value, str) and not value.strip():
        raise ValueError("is empty; give a path" if not value else f"{quoted(value)} is only blank characters")
    return value


def _empty_is_unset(value: object) -> object:
    """Before an optional path is made of the raw text: an empty value means unset (``VAR=`` in an env file)."""
    if isinstance(value, str) and not value:
        return None
    return _not_blank(value)


def check_path(value: Path) -> Path:
    """A path the operating system can use: no control characters, no name longer than 255 bytes.

    Raises:
        ValueError: naming what is wrong, the path quoted and cut short.
    """
    text = str(value)
    if _has_control(text):
        raise ValueError(f"{quoted(text)} contains a control character (a line break or tab?)")
    encoded = os.fsencode(text)
    if len(encoded) > PATH_MAX:
        raise ValueError(f"{quoted(text)} is longer than {PATH_MAX} bytes")
    longest = max((part for part in encoded.split(b"/")), key=len, default=b"")
    if len(longest) > NAME_MAX:
        raise ValueError(f"{quoted(text)} has a name longer than {NAME_MAX} bytes")
    return value


def _stat_problem(value: Path) -> str | None:
    """Why ``value`` cannot even be looked at (None when it can, whether it exists or not)."""
    try:
        value.exists()
    except OSError as exc:
        return f"{quoted(value)} cannot be used ({exc.strerror or exc})"
    return None


def check_directory(value: Path) -> Path:
    """A path that is a directory or can become one (nothing that is not a directory is there).

    Raises:
        ValueError: a file (or something else) is at the path, or the path cannot be used at all.
    """
    check_path(value)
    problem = _stat_problem(value)
    if problem is not None:
        raise ValueError(problem)
    if value.exists() and not value.is_dir():
        raise ValueError(f"{value} exists and is not a directory")
    return value


def check_file_path(value: Path) -> Path:
    """A path that is a file or can become one (no directory is there).

    Raises:
        ValueError: a directory is at the path, or the path cannot be used at all.
    """
    check_path(value)
    problem = _stat_problem(value)
    if problem is not None:
        raise ValueError(problem)
    if value.is_dir():
        raise ValueError(f"{quoted(value)} is a directory; give the path of a file")
    return value


def check_token(value: SecretStr) -> SecretStr:
    """A token or secret as Slack and HTTP headers carry it: printable, without spaces or line breaks.

    The value is never quoted in the error: it is a secret.

    Raises:
        ValueError: it holds a space, a line break or another character that cannot be in a header.
    """
    secret = value.get_secret_value()
    if secret and (not secret.isprintable() or any(c.isspace() for c in secret) or not secret.isascii()):
        raise ValueError(
            "holds a space, a line break or another character a token cannot have (a stray newline "
            "from a file?); the value is not shown"
        )
    return value


def _api_token_set(value: SecretStr) -> SecretStr:
    if not value.get_secret_value():
        raise ValueError("is empty; unset it to turn the HTTP API off")
    return value


def _named_api_tokens(value: dict[str, SecretStr]) -> dict[str, SecretStr]:
    for name, token in value.items():
        if not name.strip() or not name.isprintable():
            raise ValueError("each token needs a name (printable, not blank)")
        if not token.get_secret_value():
            raise ValueError(f"the token named {quoted(name)} is empty")
    return value


def check_channel_id(value: str) -> str:
    """A Slack channel id (``C…``, ``G…``, ``D…``).

    Raises:
        ValueError: a name (``#ops``), a list in one string (``C1,C2``) or another shape.
    """
    if not _CHANNEL.fullmatch(value):
        raise ValueError(f"{quoted(value)} is not a Slack channel id such as C0123ABCD")
    return value


def check_redis_url(value: str) -> str:
    """A ``redis://``, ``rediss://`` or ``unix://`` URL with a host (and a numeric port and database).

    Raises:
        ValueError: another scheme, no host, a port or database that is not a number.
    """
    if not value.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError("must start with redis://, rediss:// or unix://")
    parts = urlsplit(value)
    if parts.scheme == "unix":
        if not parts.path:
            raise ValueError("a unix:// URL needs a socket path")
        return value
    try:
        port = parts.port
    except ValueError:
        raise ValueError("the port is not a number from 0 to 65535") from None
    if not parts.hostname or (port is not None and port == 0):
        raise ValueError("needs a host (redis://host:6379/0)")
    database = parts.path.strip("/")
    if database and not database.isdigit():
        raise ValueError(f"the database {quoted(database)} is not a number")
    return value


#: Where a server listens.
HostAddress = Annotated[str, AfterValidator(check_host)]
#: An AWS region name.
AwsRegion = Annotated[str, AfterValidator(check_region)]
#: A directory, existing or to be created (not empty, not blank).
DirectoryPath = Annotated[Path, BeforeValidator(_not_blank), AfterValidator(check_directory)]
#: A file, existing or to be created (not empty, not blank, not a directory).
FileLocation = Annotated[Path, BeforeValidator(_not_blank), AfterValidator(check_file_path)]
#: An optional file whose empty value means unset (blank is refused).
OptionalFileLocation = Annotated[FileLocation | None, BeforeValidator(_empty_is_unset)]
#: A token or secret: printable ASCII without spaces or line breaks.
Token = Annotated[SecretStr, AfterValidator(check_token)]
#: The HTTP API's bearer token: a token, not empty.
ApiToken = Annotated[SecretStr, AfterValidator(check_token), AfterValidator(_api_token_set)]
#: Named bearer tokens of the HTTP API: each name printable and not blank, each token set.
NamedApiTokens = Annotated[dict[str, Token], AfterValidator(_named_api_tokens)]
#: Seconds between runs of a scheduled job, or a grace: finite, at most a day.
JobSeconds = Annotated[float, Field(ge=1, le=MAX_SECONDS, allow_inf_nan=False)]
#: A Slack channel id.
ChannelId = Annotated[str, AfterValidator(check_channel_id)]
#: Seconds to wait before a retry: zero or more, at most a day.
RetryDelay = Annotated[float, Field(ge=0, le=86_400)]

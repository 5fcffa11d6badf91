"""Checked types of settings whose mistakes would otherwise surface only at start-up or first use.

Each is a plain type with a validator, so a bad value stops start-up with one line naming the
setting (``configuration error: SCO_HTTP__HOST: …``) instead of a crash deep in a client library.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field

_HOSTNAME = re.compile(
    r"(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
)
_REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}")
_CHANNEL = re.compile(r"[CDG][A-Z0-9_]{1,30}")


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
            raise ValueError(f"{text!r} is not a valid IP address") from None
        return text
    if not _HOSTNAME.fullmatch(text):
        raise ValueError(f"{text!r} is not an IP address or host name")
    return text


def check_region(value: str) -> str:
    """An AWS region name such as ``eu-west-1``.

    Raises:
        ValueError: not shaped like a region.
    """
    if not _REGION.fullmatch(value):
        raise ValueError(f"{value!r} is not an AWS region such as us-east-1 or eu-west-2")
    return value


def check_directory(value: Path) -> Path:
    """A path that is a directory or can become one (nothing that is not a directory is there).

    Raises:
        ValueError: a file (or something else) is at the path.
    """
    if value.exists() and not value.is_dir():
        raise ValueError(f"{value} exists and is not a directory")
    return value


def check_channel_id(value: str) -> str:
    """A Slack channel id (``C…``, ``G…``, ``D…``).

    Raises:
        ValueError: a name (``#ops``), a list in one string (``C1,C2``) or another shape.
    """
    if not _CHANNEL.fullmatch(value):
        raise ValueError(f"{value!r} is not a Slack channel id such as C0123ABCD")
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
        raise ValueError(f"the database {database!r} is not a number")
    return value


#: Where a server listens.
HostAddress = Annotated[str, AfterValidator(check_host)]
#: An AWS region name.
AwsRegion = Annotated[str, AfterValidator(check_region)]
#: A directory, existing or to be created.
DirectoryPath = Annotated[Path, AfterValidator(check_directory)]
#: A Slack channel id.
ChannelId = Annotated[str, AfterValidator(check_channel_id)]
#: Seconds to wait before a retry: zero or more, at most a day.
RetryDelay = Annotated[float, Field(ge=0, le=86_400)]

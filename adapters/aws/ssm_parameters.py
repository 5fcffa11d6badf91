"""SsmParameterReader: the parameters under one SSM Parameter Store path, decrypted (``GetParametersByPath``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError
from pydantic import SecretStr

from domain.errors import ConfigError


@dataclass(frozen=True)
class StoredParameter:
    """One parameter as Parameter Store holds it; the value stays a ``SecretStr``."""

    name: str
    type: str
    value: SecretStr


class SsmParameterReader:
    """Reads the direct children of an SSM path with ``WithDecryption=True``.

    Args:
        ssm: a boto3 ``ssm`` client.
    """

    def __init__(self, ssm: Any) -> None:
        self._ssm = ssm

    @classmethod
    def from_endpoint(cls, *, region: str, endpoint_url: str | None) -> SsmParameterReader:
        """A client for a region, optionally through a custom endpoint (moto, a VPC endpoint)."""
        config = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=10)
        session = boto3.session.Session(region_name=region)
        return cls(session.client("ssm", endpoint_url=endpoint_url, config=config))

    def read_path(self, path: str) -> list[StoredParameter]:
        """Every parameter directly under ``path`` (all pages), values decrypted and kept as ``SecretStr``.

        Raises:
            ConfigError: the path cannot be read (permissions, KMS, endpoint); the message names
                the path and AWS's error code, never a value.
        """
        found: list[StoredParameter] = []
        kwargs: dict[str, Any] = {"Path": path, "Recursive": False, "WithDecryption": True, "MaxResults": 10}
        try:
            while True:
                page = self._ssm.get_parameters_by_path(**kwargs)
                found.extend(
                    StoredParameter(name=p["Name"], type=p["Type"], value=SecretStr(p["Value"]))
                    for p in page.get("Parameters", [])
                )
                token = page.get("NextToken")
                if not token:
                    return found
                kwargs["NextToken"] = token
        except ClientError as exc:
            err = exc.response.get("Error", {})
            code = str(err.get("Code", "Unknown"))
            raise ConfigError(f"cannot read SSM parameters under {path}: {code}: {err.get('Message', '')}") from exc
        except (BotoCoreError, ResponseParserError) as exc:
            raise ConfigError(f"cannot read SSM parameters under {path}: {exc}") from exc

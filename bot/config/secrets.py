"""Secrets from SSM Parameter Store: the Slack tokens, signing secret and LLM key, read once at start-up.

With ``SCO_SECRETS__SSM_PATH`` set (e.g. ``/smartcloudops/prod/``), the bot reads the
SecureString parameters directly under that path with ``GetParametersByPath`` and
``WithDecryption``, and fills these settings from them:

====================  =====================  ==========================================
parameter name        setting                environment variable it stands in for
====================  =====================  ==========================================
slack_bot_token       slack.bot_token        SLACK_BOT_TOKEN / SCO_SLACK__BOT_TOKEN
slack_app_token       slack.app_token        SLACK_APP_TOKEN / SCO_SLACK__APP_TOKEN
slack_signing_secret  slack.signing_secret   SLACK_SIGNING_SECRET / SCO_SLACK__SIGNING_SECRET
llm_api_key           llm.api_key            SCO_LLM__API_KEY
====================  =====================  ==========================================

Precedence: **the environment wins**. A value set in the environment is an explicit,
local decision (a rotation being tested on one host, a developer's own token); SSM fills
only what the environment left unset. Each secret taken from SSM while the environment
also set it is logged by name (``secret_env_overrides_ssm``) so a stale variable cannot
shadow a rotated parameter unnoticed. Values never leave ``SecretStr`` and are never logged.

Refused at start-up, with one line naming the parameter: a parameter that is not a
SecureString, one still holding Terraform's placeholder, an empty value, and a path with
none of the four names under it (a typo in the path). Other parameters under the path
(Grafana's password, Alertmanager's webhook) are not read into the bot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

import structlog
from pydantic import SecretStr

from bot.config.setting_types import check_token
from domain.errors import ConfigError

if TYPE_CHECKING:
    from adapters.aws.ssm_parameters import StoredParameter
    from bot.config.settings import Settings

log = structlog.get_logger(__name__)

#: Parameter name under the path → (settings section, field).
SECRET_PARAMETERS: Mapping[str, tuple[str, str]] = {
    "slack_bot_token": ("slack", "bot_token"),
    "slack_app_token": ("slack", "app_token"),
    "slack_signing_secret": ("slack", "signing_secret"),
    "llm_api_key": ("llm", "api_key"),
}

#: The value ``terraform/ssm.tf`` creates each parameter with, before an operator sets the real one.
TERRAFORM_PLACEHOLDER = "placeholder-set-out-of-band"


class ParameterSource(Protocol):
    """Reads the parameters directly under a path (``SsmParameterReader`` over boto3)."""

    def read_path(self, path: str) -> Sequence[StoredParameter]:
        """Every parameter under ``path``, decrypted."""
        ...


def secrets_from_parameters(path: str, parameters: Sequence[StoredParameter]) -> dict[str, SecretStr]:
    """The known secrets among ``parameters``, by parameter name, after checking each one.

    Args:
        path: the path they were read from (ends with ``/``).
        parameters: what Parameter Store returned.

    Returns:
        Parameter name (``slack_bot_token``…) → value, only for the names in ``SECRET_PARAMETERS``.

    Raises:
        ConfigError: a known parameter is not a SecureString, is empty or still holds the
            Terraform placeholder; or none of the known names is under ``path``.
    """
    found: dict[str, SecretStr] = {}
    for parameter in parameters:
        name = parameter.name.removeprefix(path)
        if name not in SECRET_PARAMETERS:
            continue
        if parameter.type != "SecureString":
            raise ConfigError(f"SSM parameter {parameter.name} is a {parameter.type}; store secrets as SecureString")
        value = parameter.value.get_secret_value().strip()
        if not value:
            raise ConfigError(f"SSM parameter {parameter.name} is empty")
        if value == TERRAFORM_PLACEHOLDER:
            raise ConfigError(f"SSM parameter {parameter.name} still holds Terraform's placeholder; set the real value")
        try:
            check_token(SecretStr(value))
        except ValueError as exc:
            raise ConfigError(f"SSM parameter {parameter.name} {exc}") from None
        found[name] = SecretStr(value)
    if not found:
        raise ConfigError(f"no secrets under SSM path {path} (expected some of {', '.join(SECRET_PARAMETERS)})")
    return found


def apply_secrets(settings: Settings, secrets: Mapping[str, SecretStr]) -> Settings:
    """A copy of ``settings`` with each secret filled in where the environment left it unset.

    Args:
        settings: settings read from the environment.
        secrets: parameter name → value, from ``secrets_from_parameters``.

    Returns:
        New settings; ``settings`` itself is not changed.
    """
    sections: dict[str, dict[str, SecretStr]] = {}
    from_ssm: list[str] = []
    kept_from_env: list[str] = []
    for name, value in secrets.items():
        section, field = SECRET_PARAMETERS[name]
        if getattr(getattr(settings, section), field) is not None:
            kept_from_env.append(name)
            continue
        sections.setdefault(section, {})[field] = value
        from_ssm.append(name)
    for name in kept_from_env:
        log.warning("secret_env_overrides_ssm", parameter=name)
    log.info("secrets_loaded", source="ssm", parameters=sorted(from_ssm))
    updates = {section: getattr(settings, section).model_copy(update=fields) for section, fields in sections.items()}
    return settings.model_copy(update=updates)


def load_secrets(settings: Settings, source: ParameterSource) -> Settings:
    """Settings with the secrets under ``settings.secrets.ssm_path`` filled in (unchanged without a path).

    Raises:
        ConfigError: the path cannot be read, or a parameter is refused (see ``secrets_from_parameters``).
    """
    path = settings.secrets.ssm_path
    if path is None:
        return settings
    return apply_secrets(settings, secrets_from_parameters(path, source.read_path(path)))


def secret_values(settings: Settings) -> list[str]:
    """Every configured secret value: each ``SecretStr`` setting (from the environment or SSM) and
    the password of the Redis URL, for the start-up ``SecretRedactor``."""
    from urllib.parse import urlsplit

    values: list[str] = []
    for section_name in type(settings).model_fields:
        section = getattr(settings, section_name)
        for name in type(section).model_fields:
            value = getattr(section, name)
            if isinstance(value, SecretStr):
                values.append(value.get_secret_value())
            elif isinstance(value, dict):  # a map of named secrets (the HTTP API's tokens)
                values.extend(v.get_secret_value() for v in value.values() if isinstance(v, SecretStr))
    if settings.redis.url:
        password = urlsplit(settings.redis.url).password
        if password:
            values.append(password)
    return values

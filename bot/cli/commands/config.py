"""Reading Settings for a command, turning validation errors into one clear line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import ValidationError

from domain.errors import ConfigError

if TYPE_CHECKING:
    from bot.config.settings import Settings


def load_settings() -> Settings:
    """Settings from the environment, with secrets from SSM Parameter Store when ``SCO_SECRETS__SSM_PATH`` is set.

    Raises:
        ConfigError: naming the variable (or SSM parameter) and what is wrong with it.
    """
    from bot.config.settings import Settings

    try:
        settings = Settings()
    except ValidationError as exc:
        err = exc.errors()[0]
        where = "__".join(str(p).upper() for p in err["loc"])
        raise ConfigError(f"SCO_{where}: {err['msg']}") from None
    if settings.secrets.ssm_path is None:
        return settings
    # Secrets from SSM Parameter Store (SCO_SECRETS__SSM_PATH); the environment wins (bot/config/secrets.py).
    from adapters.aws.ssm_parameters import SsmParameterReader
    from bot.config.secrets import load_secrets

    endpoint = str(settings.aws.endpoint_url) if settings.aws.endpoint_url else None
    return load_secrets(settings, SsmParameterReader.from_endpoint(region=settings.aws.region, endpoint_url=endpoint))

"""Reading Settings for a command, turning every kind of bad value into one clear line."""

from __future__ import annotations

import json
import os
import re
from typing import TYPE_CHECKING, Any, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_settings import SettingsError

from domain.errors import ConfigError

if TYPE_CHECKING:
    from bot.config.settings import Settings

_PREFIX = "SCO_"


def _setting_name(loc: tuple[int | str, ...]) -> str:
    """The environment variable of an error's location: the section and field (deeper parts are map keys).

    A Slack secret set under Slack's own name (``SLACK_BOT_TOKEN``) and not as ``SCO_SLACK__*`` is named so.
    """
    from bot.config.settings import SLACK_ENV_NAMES

    name = _PREFIX + "__".join(str(p).upper() for p in loc[:2])
    for slack_name, (section, field) in SLACK_ENV_NAMES.items():
        if tuple(str(p) for p in loc[:2]) == (section, field) and name not in os.environ and slack_name in os.environ:
            return slack_name
    return name


def _is_structured(annotation: Any) -> bool:
    """True for list, set, tuple and dict settings (read from the environment as JSON)."""
    if get_origin(annotation) in (list, set, tuple, dict):
        return True
    return any(_is_structured(arg) for arg in get_args(annotation))


def _json_refusal(section: str) -> str:
    """``SETTING: reason`` for the structured setting of ``section`` whose variable is not JSON."""
    from bot.config.settings import Settings

    model = Settings.model_fields[section].annotation
    fields = model.model_fields if isinstance(model, type) and issubclass(model, BaseModel) else {}
    for name, info in fields.items():
        variable = f"{_PREFIX}{section.upper()}__{name.upper()}"
        raw = next((v for k, v in os.environ.items() if k.upper() == variable), None)
        if raw is None or not _is_structured(info.annotation):
            continue
        try:
            json.loads(raw)
        except json.JSONDecodeError as exc:
            shape = '{"key": value}' if get_origin(info.annotation) is dict else '["a", "b"]'
            return f"{variable}: not valid JSON ({exc.msg} at character {exc.pos}); write it as {shape}"
    return f"{_PREFIX}{section.upper()}: a value could not be parsed"


def settings_from_environment() -> Settings:
    """Settings from the ``SCO_*`` (and Slack's) environment variables, without SSM.

    Raises:
        ConfigError: ``SETTING: reason`` for the first wrong value (bad JSON in a list or map
            setting included).
    """
    from bot.config.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        err = exc.errors()[0]
        deeper = [str(p) for p in err["loc"][2:]]
        where = f" ({'.'.join(deeper)})" if deeper else ""
        raise ConfigError(f"{_setting_name(err['loc'])}{where}: {err['msg']}") from None
    except SettingsError as exc:
        found = re.search(r'field "(\w+)"', str(exc))
        raise ConfigError(_json_refusal(found.group(1)) if found else f"{_PREFIX}*: {exc}") from None


def load_settings() -> Settings:
    """Settings from the environment, with secrets from SSM Parameter Store when ``SCO_SECRETS__SSM_PATH`` is set.

    Raises:
        ConfigError: naming the variable (or SSM parameter) and what is wrong with it.
    """
    settings = settings_from_environment()
    if settings.secrets.ssm_path is None:
        return settings
    # Secrets from SSM Parameter Store (SCO_SECRETS__SSM_PATH); the environment wins (bot/config/secrets.py).
    from adapters.aws.ssm_parameters import SsmParameterReader
    from bot.config.secrets import load_secrets

    endpoint = str(settings.aws.endpoint_url) if settings.aws.endpoint_url else None
    return load_secrets(settings, SsmParameterReader.from_endpoint(region=settings.aws.region, endpoint_url=endpoint))

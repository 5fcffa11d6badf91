"""Reading Settings for a command, turning validation errors into one clear line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import ValidationError

from domain.errors import ConfigError

if TYPE_CHECKING:
    from bot.settings import Settings


def load_settings() -> Settings:
    """Settings from the environment.

    Raises:
        ConfigError: naming the variable and what is wrong with it.
    """
    from bot.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        err = exc.errors()[0]
        where = "__".join(str(p).upper() for p in err["loc"])
        raise ConfigError(f"SCO_{where}: {err['msg']}") from None

"""The message catalog: every sentence a person reads, in Bahasa Indonesia and English."""

from __future__ import annotations

import logging
from typing import Any

from bot.i18n import en, id

DEFAULT_LANGUAGE = "id"
CATALOGS: dict[str, dict[str, str]] = {"id": id.MESSAGES, "en": en.MESSAGES}
log = logging.getLogger(__name__)


def t(key: str, lang: str | None = None, /, **params: Any) -> str:
    """The message `key` in `lang` (falling back to Indonesian), formatted with `params`."""
    catalog = CATALOGS.get(lang or DEFAULT_LANGUAGE, CATALOGS[DEFAULT_LANGUAGE])
    template = catalog.get(key) or CATALOGS[DEFAULT_LANGUAGE].get(key)
    if template is None:
        log.error("missing catalog key %s", key)
        return key
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        log.error("catalog key %s could not be formatted", key)
        return template

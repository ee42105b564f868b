"""The report's texts in Finnish and English (data/messages.yaml)."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml


@lru_cache(maxsize=1)
def messages() -> dict[str, dict[str, str]]:
    text = (resources.files("smartspec.report") / "data" / "messages.yaml").read_text(encoding="utf-8")
    return dict(yaml.safe_load(text))


def translator(lang: str) -> Callable[..., str]:
    strings = messages()

    def translate(key: str, **values: Any) -> str:
        return strings[key][lang].format(**values)

    return translate

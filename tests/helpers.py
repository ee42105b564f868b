"""Small helpers the tests share: building the CORDIS zip the way the EU ships it, running the CLI."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from smartspec import Observatory
from smartspec.cli.main import main

FIXTURES = Path(__file__).parent / "fixtures"


def cordis_zip(target: Path, *, replace: dict[str, str] | None = None) -> Path:
    """The fixture tables zipped like cordis-HORIZONprojects-csv.zip, optionally with edited members."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in sorted((FIXTURES / "cordis_he").iterdir()):
            text = member.read_text(encoding="utf-8")
            if replace and member.name in replace:
                text = replace[member.name]
            archive.writestr(member.name, text.encode("utf-8"))
    return target


def cli(*args: str) -> int:
    return main([str(arg) for arg in args])


def observe(engine: Engine, **kwargs: Any) -> Observatory:
    """The facade over the database a test's engine opened."""
    return Observatory(engine=engine, **kwargs)

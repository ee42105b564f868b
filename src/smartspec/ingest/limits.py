"""How big an input may be: the limits every reader enforces, and the error that names the setting to raise.

A file over a limit is refused as soon as the limit is known to be crossed (for a zip member or a plain file:
before parsing, from the sizes the file system or the zip's central directory gives; for a gzip stream: as
soon as the inflated bytes or the ratio cross the limit while streaming), so a hostile upload costs at most
the limit in time and a constant amount of memory.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from smartspec.errors import InputError, Location, Problem

if TYPE_CHECKING:
    from smartspec.config import Settings

KB = 1024
MB = 1024 * 1024
# A compression ratio says nothing about a small member: a few KB of repeated CSV rows compress 200-fold.
# The ratio limit applies once a member inflates beyond this many bytes.
RATIO_FLOOR = 1 * MB


@dataclass(frozen=True)
class Limits:
    """The input limits; the defaults are the settings' defaults (library callers that pass nothing get them)."""

    max_inflated_mb: int = 1024
    max_zip_ratio: int = 100
    max_field_kb: int = 1024
    max_row_kb: int = 4096
    max_rows: int = 5_000_000
    max_xlsx_shared_strings_mb: int = 100

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(**{f.name: getattr(settings, f.name) for f in fields(cls)})

    @property
    def inflated_bytes(self) -> int:
        return self.max_inflated_mb * MB

    @property
    def field_chars(self) -> int:
        return self.max_field_kb * KB

    @property
    def row_bytes(self) -> int:
        return self.max_row_kb * KB

    @property
    def shared_strings_bytes(self) -> int:
        return self.max_xlsx_shared_strings_mb * MB


DEFAULT_LIMITS = Limits()


def over_limit(limit: str, value: int, unit: str, what: str, where: Location) -> InputError:
    """The error for an input over ``limit``: what was too big, where, and the variable that raises the limit."""
    variable = f"SMARTSPEC_{limit.upper()}"
    return InputError(
        f"{where.path}: {what}, over the limit {limit} = {value:,} {unit}; nothing was read",
        [Problem(f"{what} (limit {limit} = {value:,} {unit})", where)],
        hint=(
            f"if the file is genuine, raise the limit with the environment variable {variable} "
            f"(for example {variable}={value * 4}); otherwise the file is damaged or hostile: ask its sender"
        ),
    )

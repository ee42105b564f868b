"""Settings: each declared once, typed and described. Read from SMARTSPEC_* environment variables.

There is no module-level settings object: build one with ``Settings()`` where it is needed (the CLI does it
once per command) and pass it down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DB_FILE = "smartspec.db"


def _default_data_dir() -> Path | None:
    """../shared/data next to the working directory or any of its parents, when it exists."""
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        candidate = folder.parent / "shared" / "data"
        if candidate.is_dir():
            return candidate
    return None


class Settings(BaseSettings):
    """Every setting of smartspec. The environment variable is SMARTSPEC_ plus the upper-case name."""

    model_config = SettingsConfigDict(env_prefix="SMARTSPEC_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_DB_FILE}",
        description=(
            "SQLAlchemy URL of the store: a SQLite file (default ./smartspec.db) or "
            "postgresql+psycopg://user@host:5432/dbname"
        ),
    )
    data_dir: Path | None = Field(
        default_factory=_default_data_dir,
        description=(
            "Folder with the public source files (cordis_horizon_europe/, eura_structural_funds_fi/, …); "
            "defaults to ../shared/data when it exists"
        ),
    )
    strategy_file: Path | None = Field(
        default=None,
        description="Strategy YAML file; unset means the East and North Finland strategy shipped with smartspec",
    )
    normaliser: Literal["auto", "voikko", "simplemma", "snowball"] = Field(
        default="auto",
        description=(
            "Finnish normaliser of the classifier when a command does not name one: auto (Voikko where Debian's "
            "libvoikko1 and voikko-fi are installed, else simplemma, else Snowball), or one of them by name"
        ),
    )
    query_timeout_s: float = Field(
        default=30.0,
        gt=0,
        description="Time limit in seconds for queries whose shape users control (SQLite busy timeout too)",
    )
    progress: bool | None = Field(
        default=None,
        description="Show progress bars: true, false, or unset to show them only on a terminal",
    )
    public_read: bool = Field(
        default=True,
        description=(
            "Let anyone read the public pages and API without logging in (strategy, projects, indicators, report); "
            "false asks every reader to log in. Editing always needs an account"
        ),
    )
    secret_key: str | None = Field(
        default=None,
        description=(
            "Key that signs the web forms' CSRF tokens; unset: a random key each time the server starts, shared by "
            "the worker processes of `smartspec serve --workers N` (forms opened before a restart are refused and "
            "must be reloaded)"
        ),
    )
    max_upload_mb: int = Field(default=50, gt=0, description="Largest file in MB the web upload pages accept")
    session_idle_minutes: int = Field(
        default=30, gt=0, description="A login session ends after this many minutes without a request"
    )
    session_max_hours: int = Field(
        default=12, gt=0, description="A login session ends this many hours after login, however active"
    )
    login_max_failures: int = Field(
        default=5, gt=0, description="Wrong passwords for one account within login_window_minutes that lock it"
    )
    login_max_failures_per_address: int = Field(
        default=20,
        gt=0,
        description=(
            "Failed logins from one address (any accounts) within login_window_minutes that lock that address; "
            "higher than per account because offices share an address"
        ),
    )
    login_window_minutes: int = Field(
        default=15, gt=0, description="The window in which failed logins are counted for throttling"
    )
    login_lockout_minutes: int = Field(
        default=15, gt=0, description="How long an account or address stays locked after too many failed logins"
    )
    password_min_length: int = Field(default=10, ge=8, description="The shortest password an account may have")

    # --- Input limits (issue #15): what one imported file may hold. A file over a limit is refused at once, ---
    # --- with an error naming the limit and its environment variable. Defaults import every file in         ---
    # --- ../shared/data with a wide margin (largest: 27 MB inflated, 3.5 KB lines, 136k rows).              ---
    max_inflated_mb: int = Field(
        default=1024,
        gt=0,
        description="Largest size in MB of one file after decompression (a plain file, a gzip stream, a zip member)",
    )
    max_zip_ratio: int = Field(
        default=100,
        gt=0,
        description="Largest compression ratio of a zip member or gzip stream over 1 MB (zip bombs are 1000:1)",
    )
    max_field_kb: int = Field(default=1024, gt=0, description="Largest CSV field in KB")
    max_row_kb: int = Field(
        default=4096,
        gt=0,
        description="Largest CSV row in KB, all its fields and quoted line breaks included (bounds one line)",
    )
    max_rows: int = Field(default=5_000_000, gt=0, description="Most data rows one CSV file or sheet may have")
    max_xlsx_shared_strings_mb: int = Field(
        default=100,
        gt=0,
        description="Largest shared-strings part of an XLSX workbook in MB (openpyxl holds it in memory)",
    )

"""smartspec: the joint smart specialisation strategy of East and North Finland as software.

The library API, for scripting the platform in Python as easily as through the CLI::

    from smartspec import Observatory

    with Observatory("sqlite:///smartspec.db") as obs:
        obs.init()
        obs.import_file("cordis", Path("cordis-HORIZONprojects-csv.zip"))
        print(obs.stats().regions["FI1D9"].projects)
"""

from smartspec.config import Settings
from smartspec.errors import InputError, SmartspecError, StoreError, StrategyError
from smartspec.ingest import ImportResult, Option, Source, register, sources
from smartspec.strategy import Strategy, load_strategy

__version__ = "0.1.0"

__all__ = [
    "Actor",
    "ImportResult",
    "InputError",
    "Observatory",
    "Option",
    "Settings",
    "SmartspecError",
    "Source",
    "StoreError",
    "Strategy",
    "StrategyError",
    "__version__",
    "load_strategy",
    "register",
    "sources",
]


def __getattr__(name: str) -> object:
    """``Observatory`` and ``Actor`` load on first use: the facade brings the classifier's libraries (scikit-learn,
    SciPy) with it, which a script that only imports files does not need."""
    if name in ("Observatory", "Actor"):
        from smartspec import observatory

        return getattr(observatory, name)
    raise AttributeError(f"module 'smartspec' has no attribute {name!r}")

"""smartspec: the joint smart specialisation strategy of East and North Finland as software.

The library API, for scripting the platform in Python as easily as through the CLI::

    import smartspec
    strategy = smartspec.load_strategy()
    engine = smartspec.create_store_engine("sqlite:///smartspec.db")
    smartspec.upgrade(engine)
    smartspec.import_path(engine, "cordis", Path("cordis-HORIZONprojects-csv.zip"), strategy)
"""

from smartspec.config import Settings
from smartspec.errors import InputError, SmartspecError, StoreError, StrategyError
from smartspec.ingest import ImportResult, import_path, sources
from smartspec.store import create_store_engine, session_factory, sync_strategy, transaction, upgrade
from smartspec.store.backup import backup
from smartspec.store.queries import RegionFigures, region_figures
from smartspec.strategy import Strategy, load_strategy

__version__ = "0.1.0"

__all__ = [
    "ImportResult",
    "InputError",
    "RegionFigures",
    "Settings",
    "SmartspecError",
    "StoreError",
    "Strategy",
    "StrategyError",
    "__version__",
    "backup",
    "create_store_engine",
    "import_path",
    "load_strategy",
    "region_figures",
    "session_factory",
    "sources",
    "sync_strategy",
    "transaction",
    "upgrade",
]

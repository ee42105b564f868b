"""The facade: every operation a user has, as a method returning typed results.

``Observatory`` holds the settings, the database engine, the strategy, the classifier's toolkit and the loaded
model, each built once and kept for the life of the object. The command line, the web pages and scripts call the
same methods and add only presentation::

    from smartspec import Observatory

    with Observatory("sqlite:///smartspec.db") as obs:
        obs.init()
        obs.import_file("cordis", Path("cordis-HORIZONprojects-csv.zip"))
        print(obs.stats().regions["FI1D9"].projects)

Reads never write and never train: training the classifier is ``train()``; ``classify``, ``explain`` and
``review_queue`` use the stored model and fail with a message naming ``smartspec classify train`` when there is none.
"""

from __future__ import annotations

from smartspec.accounts import Actor
from smartspec.observatory.accounts import Accounts
from smartspec.observatory.core import (
    DEMO_SOURCES,
    REPORT_STEMS,
    AreaCounts,
    BackupResult,
    DemoResult,
    InitResult,
    ObservatoryCore,
    ReportFile,
    SourceInfo,
    find_inputs,
    report_year,
)
from smartspec.observatory.reads import Reads


class Observatory(Accounts, Reads):
    """The smart specialisation observatory over one database (see the module's docstring): the core operations
    (``core.py``), the read models of the pages and the API (``reads.py``) and the accounts (``accounts.py``)."""


__all__ = ["DEMO_SOURCES", "REPORT_STEMS", "Actor", "AreaCounts", "BackupResult", "DemoResult", "InitResult",
           "Observatory", "ObservatoryCore", "ReportFile", "SourceInfo", "find_inputs", "report_year"]  # fmt: skip

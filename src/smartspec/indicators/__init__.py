"""Monitoring: the strategy's seven goals as indicators per region and year, with the records behind each.

Each goal's indicators live in their own module and register themselves under their catalogue id; importing this
package registers them all.
"""

from smartspec.indicators import clusters, cooperation, coverage, funding, networks, outreach  # noqa: F401
from smartspec.indicators.base import INDICATORS, Value, indicator
from smartspec.indicators.catalogue import Catalogue, Indicator, load_catalogue
from smartspec.indicators.facts import Facts, load_facts
from smartspec.indicators.reference import Reference, load_reference
from smartspec.indicators.results import Alert, Computed, Indicators, IndicatorValue
from smartspec.indicators.service import alerts, compute, compute_and_store, require_stored, stored_values

__all__ = ["INDICATORS", "Alert", "Catalogue", "Computed", "Facts", "Indicator", "IndicatorValue", "Indicators",
           "Reference", "Value", "alerts", "compute", "compute_and_store", "indicator", "load_catalogue",
           "load_facts", "load_reference", "require_stored", "stored_values"]  # fmt: skip

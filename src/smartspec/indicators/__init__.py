"""Monitoring: the strategy's seven goals as indicators per region and year, with the records behind each."""

from smartspec.indicators.catalogue import load_catalogue, load_population
from smartspec.indicators.compute import FUNCTIONS, Value
from smartspec.indicators.service import alerts, compute, compute_and_store, stored_values

__all__ = ["FUNCTIONS", "Value", "alerts", "compute", "compute_and_store", "load_catalogue", "load_population",
           "stored_values"]  # fmt: skip

"""Tests of the Netra backend, in tiers."""

"""Netra backend: the example monorepo phasegate migrates off the deprecated WebSocket factory."""

"""phasegate: phased, gated, reversible migrations off deprecated Python APIs."""

from __future__ import annotations

__version__ = "0.1.0"

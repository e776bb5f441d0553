"""geoclaims: geopolitical claims from news as a knowledge graph with character-level provenance."""

from __future__ import annotations

__version__ = "0.1.0"

"""Where the project keeps its data by default: the raw reports, the published
warehouse and the parse cache (every function that uses them takes them as arguments)."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RAW_DIR = PROJECT_ROOT / "data" / "raw"
WAREHOUSE_DIR = PROJECT_ROOT / "data" / "warehouse"
CACHE_DIR = PROJECT_ROOT / "data" / "cache"

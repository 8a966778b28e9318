"""`make setup` step: write the understanding layer's derived data under build/ (the word-rarity table)."""

from __future__ import annotations

from .words import build_rarity_table

if __name__ == "__main__":
    print(f"word rarity table written to {build_rarity_table()}")

"""Rasa input channels with the checks every resident message passes first (see guard.py)."""

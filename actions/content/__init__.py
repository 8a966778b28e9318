"""Consultation content: the YAML format officers write, its validation, and loading it into the store."""

"""Exports of submitted responses (CSV, Excel, JSON, JSON Lines), shared by the CLI and the portal."""

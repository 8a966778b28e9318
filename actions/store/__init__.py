"""The store: SQLAlchemy models, engine/session handling, migrations and the repository API."""

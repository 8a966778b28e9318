"""Alembic environment: runs migrations on a connection passed in by migrate.upgrade(), or on the configured URL."""

from alembic import context
from sqlalchemy import create_engine

from actions.store.models import Base

config = context.config
target_metadata = Base.metadata


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Ignore tables we don't own, such as Rasa's tracker-store ``events`` table."""
    return not (type_ == "table" and reflected and compare_to is None)


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True, include_object=include_object
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"), future=True)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True, include_object=include_object)
        with context.begin_transaction():
            context.run_migrations()


run_migrations()

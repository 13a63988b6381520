"""Alembic environment: always run programmatically by controlroom.journal.migrate with a live
connection in config.attributes["connection"]."""
from alembic import context

from controlroom.journal.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()

"""The revisions, oldest first: 0001 adopts the schema the releases before Alembic created, later ones change it."""

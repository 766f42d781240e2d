"""Write a new revision: ``python -m allocations.state.migrations "what changes"``, for developers.

It compares the models with the service's schema in the database at ``STATE_DATABASE_URL`` (else
``DATABASE_URL``), first upgraded to head, and writes what differs into ``versions/`` (autogenerate); read and
edit the file before committing it.
"""

from __future__ import annotations

import os
import sys

from alembic import command

from allocations.database import make_engine
from allocations.state.schema import alembic_config, head_revision, upgrade_state_schema


def main(message: str) -> None:
    """Upgrade the configured database to head, then autogenerate the next revision from the models."""
    url = os.environ.get("STATE_DATABASE_URL") or os.environ["DATABASE_URL"]
    engine = make_engine(url, pool_size=1)
    try:
        upgrade_state_schema(engine)
        number = f"{int(head_revision()) + 1:04d}"
        with engine.begin() as connection:
            command.revision(alembic_config(connection), message, autogenerate=True, rev_id=number)
    finally:
        engine.dispose()


if __name__ == "__main__":
    main(" ".join(sys.argv[1:]) or "change")

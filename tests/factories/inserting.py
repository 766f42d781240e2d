"""Committed Core inserts of Delius rows, and reference data looked up (or added) by code."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import Engine, insert, select

from allocations.delius.models import LicenceConditionMainCategory, ReferenceDataMaster, StandardReference, User

numbers = itertools.count(1)


class RowInserter:
    """Inserts one row per call, each in a transaction of its own, as the user named ``delius_username``."""

    def __init__(self, engine: Engine, delius_username: str) -> None:
        self.engine = engine
        with engine.connect() as c:
            self.user_id = c.execute(
                select(User.user_id).where(User.distinguished_name == delius_username)
            ).scalar_one()

    def _insert(self, model: Any, **values: Any) -> int:
        key = next(iter(model.__table__.primary_key.columns))
        with self.engine.begin() as c:
            return int(c.execute(insert(model).values(**values).returning(key)).scalar_one())

    def reference_id(self, dataset: str, code: str) -> int:
        with self.engine.connect() as c:
            return c.execute(
                select(StandardReference.standard_reference_list_id)
                .join(ReferenceDataMaster)
                .where(ReferenceDataMaster.code_set_name == dataset, StandardReference.code_value == code)
            ).scalar_one()

    def _category_id(self, model: Any, code: str | None) -> int | None:
        if code is None:
            return None
        key = next(iter(model.__table__.primary_key.columns))
        with self.engine.connect() as c:
            return c.execute(select(key).where(model.code == code)).scalar_one()

    def reference(self, dataset: str, code: str, description: str) -> int:
        """A code of ``dataset``, created with the dataset when missing (reference data is kept across tests)."""
        with self.engine.connect() as c:
            master = c.execute(
                select(ReferenceDataMaster.reference_data_master_id).where(ReferenceDataMaster.code_set_name == dataset)
            ).scalar_one_or_none()
        if master is None:
            master = self._insert(ReferenceDataMaster, code_set_name=dataset)
        with self.engine.connect() as c:
            found = c.execute(
                select(StandardReference.standard_reference_list_id).where(
                    StandardReference.reference_data_master_id == master, StandardReference.code_value == code
                )
            ).scalar_one_or_none()
        if found is not None:
            return int(found)
        return self._insert(
            StandardReference, reference_data_master_id=master, code_value=code, code_description=description
        )

    def lic_condition_category(self, code: str, description: str) -> int:
        """A licence condition main category (reference data: kept across tests, so found when it exists)."""
        with self.engine.connect() as c:
            found = c.execute(
                select(LicenceConditionMainCategory.lic_cond_type_main_cat_id).where(
                    LicenceConditionMainCategory.code == code
                )
            ).scalar_one_or_none()
        if found is not None:
            return int(found)
        return self._insert(LicenceConditionMainCategory, code=code, description=description)

"""Builders of Delius scenarios for tests, and readers of what an allocation wrote."""

from factories.builder import DeliusBuilder
from factories.details import allocate, apply, detail_of, person_detail, person_event
from factories.reading import audit_rows, contact_rows, read_rows
from factories.rows import CREATED, START, Case, ProviderRow, Sentence, StaffRow, TeamRow

__all__ = [
    "CREATED",
    "START",
    "Case",
    "DeliusBuilder",
    "ProviderRow",
    "Sentence",
    "StaffRow",
    "TeamRow",
    "allocate",
    "apply",
    "audit_rows",
    "contact_rows",
    "detail_of",
    "person_detail",
    "person_event",
    "read_rows",
]

"""Declarative base and column helpers shared by every Delius model (default schema, dialect-neutral)."""

from datetime import datetime

from sqlalchemy import CHAR, BigInteger, DateTime, Integer, MetaData, Sequence
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

metadata = MetaData()


class Base(DeclarativeBase):
    """Declarative base for Delius tables, which live in the database's default schema."""

    metadata = metadata


def id_column(sequence: str) -> Mapped[int]:
    """A primary key filled from a named sequence, as Delius does on Oracle."""
    return mapped_column(BigInteger, Sequence(sequence, metadata=metadata), primary_key=True)


def flag_column(default: int = 0) -> Mapped[int]:
    """An integer 0/1 flag (``soft_deleted``, ``active_flag``, ``trust_provider_flag``)."""
    return mapped_column(Integer, default=default, server_default=str(default), nullable=False)


def yes_no_column(default: str = "N") -> Mapped[str]:
    """A CHAR(1) Y/N flag (``sensitive``, ``sensitive_contact``)."""
    return mapped_column(CHAR(1), default=default, server_default=default, nullable=False)


def timestamp_column(*, nullable: bool = True) -> Mapped[datetime]:
    """A timezone-aware timestamp; Delius dates carry a time of day."""
    return mapped_column(DateTime(timezone=True), nullable=nullable)

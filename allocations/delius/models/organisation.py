"""Providers (probation areas), teams, staff and team membership."""

from datetime import datetime

from sqlalchemy import CHAR, BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from allocations.delius.models.base import Base, id_column, timestamp_column


class ProbationArea(Base):
    """A provider, e.g. ``N02`` North East."""

    __tablename__ = "probation_area"

    probation_area_id: Mapped[int] = id_column("probation_area_id_seq")
    code: Mapped[str] = mapped_column(CHAR(3), unique=True)
    description: Mapped[str] = mapped_column(String(500))


class Team(Base):
    """A team of a provider; ended teams cannot receive allocations."""

    __tablename__ = "team"

    team_id: Mapped[int] = id_column("team_id_seq")
    code: Mapped[str] = mapped_column(CHAR(6), unique=True)
    description: Mapped[str] = mapped_column(String(500))
    probation_area_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("probation_area.probation_area_id"))
    end_date: Mapped[datetime | None] = timestamp_column()


class Staff(Base):
    """A member of staff, known to Workload by ``officer_code``."""

    __tablename__ = "staff"

    staff_id: Mapped[int] = id_column("staff_id_seq")
    officer_code: Mapped[str] = mapped_column(CHAR(7), unique=True)
    forename: Mapped[str] = mapped_column(String(35))
    forename2: Mapped[str | None] = mapped_column(String(35))
    surname: Mapped[str] = mapped_column(String(35))
    end_date: Mapped[datetime | None] = timestamp_column()
    staff_grade_id: Mapped[int | None] = mapped_column(BigInteger)


class StaffTeam(Base):
    """Membership of a staff member in a team."""

    __tablename__ = "staff_team"

    staff_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("staff.staff_id"), primary_key=True)
    team_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("team.team_id"), primary_key=True)

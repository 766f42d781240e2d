"""What an allocation leaves behind: contacts (case history), IAPS flags and audited interactions."""

from datetime import date, datetime

from sqlalchemy import CHAR, BigInteger, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from allocations.delius.models.base import Base, flag_column, id_column, timestamp_column, yes_no_column
from allocations.delius.models.managers import _Audited


class Contact(_Audited, Base):
    """A case-history entry (``ETOM``, ``ETOS``, ``ETRC``, ``ROC``, ``SPO``, ``SPOD03`` here)."""

    __tablename__ = "contact"

    contact_id: Mapped[int] = id_column("contact_id_seq")
    offender_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("offender.offender_id"), index=True)
    event_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("event.event_id"))
    rqmnt_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("rqmnt.rqmnt_id"))
    lic_condition_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("lic_condition.lic_condition_id"))
    contact_type_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("r_contact_type.contact_type_id"))
    notes: Mapped[str | None] = mapped_column(Text)
    contact_date: Mapped[date] = mapped_column(Date)
    contact_start_time: Mapped[datetime | None] = timestamp_column()
    staff_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("staff.staff_id"))
    staff_employee_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("staff.staff_id"))
    team_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("team.team_id"))
    probation_area_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("probation_area.probation_area_id"))
    sensitive: Mapped[str] = yes_no_column()
    trust_provider_team_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("team.team_id"))
    trust_provider_flag: Mapped[int] = flag_column()
    partition_area_id: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    soft_deleted: Mapped[int] = flag_column()


class IapsOffender(Base):
    """Marks a person as having an accredited programme requirement (for IAPS)."""

    __tablename__ = "iaps_offender"

    offender_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("offender.offender_id"), primary_key=True)
    iaps_flag: Mapped[int] = mapped_column(Integer)


class IapsEvent(Base):
    """Marks an event as having an accredited programme requirement."""

    __tablename__ = "iaps_event"

    event_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("event.event_id"), primary_key=True)
    iaps_flag: Mapped[int] = mapped_column(Integer)


class IapsRequirement(Base):
    """Marks a requirement as an accredited programme."""

    __tablename__ = "iaps_rqmnt"

    rqmnt_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("rqmnt.rqmnt_id"), primary_key=True)
    iaps_flag: Mapped[int] = mapped_column(Integer)


class AuditedInteraction(Base):
    """One audited service call: pass (``P``) or fail (``F``) with its parameters."""

    __tablename__ = "audited_interaction"

    business_interaction_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("business_interaction.business_interaction_id"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("user_.user_id"), primary_key=True)
    date_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    outcome: Mapped[str] = mapped_column(CHAR(1))
    interaction_parameters: Mapped[str | None] = mapped_column(String(500))

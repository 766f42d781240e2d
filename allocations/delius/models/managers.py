"""Who manages what: person, order, requirement and licence-condition managers, ROs and prison managers."""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from allocations.delius.models.base import Base, flag_column, id_column, timestamp_column


class _Audited:
    """Row version and who/when columns Delius keeps on the rows this service writes."""

    row_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0", nullable=False)
    created_datetime: Mapped[datetime] = timestamp_column(nullable=False)
    last_updated_datetime: Mapped[datetime] = timestamp_column(nullable=False)
    created_by_user_id: Mapped[int] = mapped_column(BigInteger)
    last_updated_user_id: Mapped[int] = mapped_column(BigInteger)


class _ManagerColumns(_Audited):
    """The common manager columns (spec §4.1); a manager covers [allocation_date, end_date)."""

    staff_employee_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("staff.staff_id"))
    trust_provider_team_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("team.team_id"))
    trust_provider_flag: Mapped[int] = flag_column()
    allocation_date: Mapped[datetime] = timestamp_column(nullable=False)
    end_date: Mapped[datetime | None] = timestamp_column()
    active_flag: Mapped[int] = flag_column(1)
    probation_area_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("probation_area.probation_area_id"))
    partition_area_id: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    allocation_reason_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("r_standard_reference_list.standard_reference_list_id")
    )
    soft_deleted: Mapped[int] = flag_column()


class OffenderManager(_ManagerColumns, Base):
    """The person's community manager."""

    __tablename__ = "offender_manager"

    offender_manager_id: Mapped[int] = id_column("offender_manager_id_seq")
    offender_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("offender.offender_id"), index=True)
    team_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("team.team_id"))
    allocation_staff_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("staff.staff_id"))


class OrderManager(_ManagerColumns, Base):
    """An event's (order's) manager."""

    __tablename__ = "order_manager"

    order_manager_id: Mapped[int] = id_column("order_manager_id_seq")
    event_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("event.event_id"), index=True)
    transfer_reason_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("r_transfer_reason.transfer_reason_id")
    )
    allocation_team_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("team.team_id"))
    allocation_staff_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("staff.staff_id"))


class RequirementManager(_ManagerColumns, Base):
    """A requirement's manager."""

    __tablename__ = "rqmnt_manager"

    rqmnt_manager_id: Mapped[int] = id_column("rqmnt_manager_id_seq")
    rqmnt_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("rqmnt.rqmnt_id"), index=True)
    transfer_reason_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("r_transfer_reason.transfer_reason_id")
    )
    allocated_team_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("team.team_id"))
    allocated_staff_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("staff.staff_id"))


class LicenceConditionManager(_ManagerColumns, Base):
    """A licence condition's manager."""

    __tablename__ = "lic_condition_manager"

    lic_condition_manager_id: Mapped[int] = id_column("lic_condition_manager_id_seq")
    lic_condition_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("lic_condition.lic_condition_id"), index=True)
    transfer_reason_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("r_transfer_reason.transfer_reason_id")
    )
    allocated_team_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("team.team_id"))
    allocated_staff_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("staff.staff_id"))


class PrisonOffenderManager(Base):
    """A person's prison offender manager; an RO may point to one instead of a community manager."""

    __tablename__ = "prison_offender_manager"

    prison_offender_manager_id: Mapped[int] = id_column("prison_offender_manager_id_seq")
    offender_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("offender.offender_id"))
    probation_area_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("probation_area.probation_area_id"))
    allocation_team_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("team.team_id"))
    allocation_staff_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("staff.staff_id"))


class ResponsibleOfficer(_Audited, Base):
    """The responsible officer: one open row per person, pointing at a community or prison manager."""

    __tablename__ = "responsible_officer"

    responsible_officer_id: Mapped[int] = id_column("responsible_officer_id_seq")
    offender_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("offender.offender_id"), index=True)
    offender_manager_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("offender_manager.offender_manager_id")
    )
    prison_offender_manager_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("prison_offender_manager.prison_offender_manager_id")
    )
    start_date: Mapped[datetime] = timestamp_column(nullable=False)
    end_date: Mapped[datetime | None] = timestamp_column()

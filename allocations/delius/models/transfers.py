"""Inter-provider transfer requests; read only, to detect pending ones that block an allocation."""

from sqlalchemy import BigInteger, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from allocations.delius.models.base import Base, flag_column, id_column

_STATUS = "r_standard_reference_list.standard_reference_list_id"


class OffenderTransfer(Base):
    """A transfer of a person."""

    __tablename__ = "offender_transfer"

    offender_transfer_id: Mapped[int] = id_column("offender_transfer_id_seq")
    offender_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("offender.offender_id"))
    transfer_status_id: Mapped[int] = mapped_column(BigInteger, ForeignKey(_STATUS))
    soft_deleted: Mapped[int] = flag_column()


class OrderTransfer(Base):
    """A transfer of an event."""

    __tablename__ = "order_transfer"

    order_transfer_id: Mapped[int] = id_column("order_transfer_id_seq")
    event_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("event.event_id"))
    transfer_status_id: Mapped[int] = mapped_column(BigInteger, ForeignKey(_STATUS))
    soft_deleted: Mapped[int] = flag_column()


class RequirementTransfer(Base):
    """A transfer of a requirement."""

    __tablename__ = "rqmnt_transfer"

    rqmnt_transfer_id: Mapped[int] = id_column("rqmnt_transfer_id_seq")
    rqmnt_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("rqmnt.rqmnt_id"))
    transfer_status_id: Mapped[int] = mapped_column(BigInteger, ForeignKey(_STATUS))
    soft_deleted: Mapped[int] = flag_column()


class LicenceConditionTransfer(Base):
    """A transfer of a licence condition."""

    __tablename__ = "lic_condition_transfer"

    lic_condition_transfer_id: Mapped[int] = id_column("lic_condition_transfer_id_seq")
    lic_condition_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("lic_condition.lic_condition_id"))
    transfer_status_id: Mapped[int] = mapped_column(BigInteger, ForeignKey(_STATUS))
    soft_deleted: Mapped[int] = flag_column()

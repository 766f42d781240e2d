"""Reference data: code sets and codes, transfer reasons, contact types, business interactions, users."""

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from allocations.delius.models.base import Base, id_column, yes_no_column


class ReferenceDataMaster(Base):
    """A code set (dataset) such as ``OM ALLOCATION REASON``."""

    __tablename__ = "r_reference_data_master"

    reference_data_master_id: Mapped[int] = id_column("reference_data_master_id_seq")
    code_set_name: Mapped[str] = mapped_column(String(100), unique=True)


class StandardReference(Base):
    """A code within a code set."""

    __tablename__ = "r_standard_reference_list"

    standard_reference_list_id: Mapped[int] = id_column("standard_reference_list_id_seq")
    code_value: Mapped[str] = mapped_column(String(100))
    code_description: Mapped[str] = mapped_column(String(500))
    reference_data_master_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("r_reference_data_master.reference_data_master_id")
    )


class TransferReason(Base):
    """Why a component manager changed (``CASE ORDER``, ``COMPONENT``)."""

    __tablename__ = "r_transfer_reason"

    transfer_reason_id: Mapped[int] = id_column("transfer_reason_id_seq")
    code: Mapped[str] = mapped_column(String(100), unique=True)


class ContactType(Base):
    """A kind of case-history entry, with its own sensitivity."""

    __tablename__ = "r_contact_type"

    contact_type_id: Mapped[int] = id_column("contact_type_id_seq")
    code: Mapped[str] = mapped_column(String(20), unique=True)
    description: Mapped[str | None] = mapped_column(String(500))
    sensitive_contact: Mapped[str] = yes_no_column()


class RequirementMainCategory(Base):
    """Requirement main category (``7`` accredited programme, ``RM38``)."""

    __tablename__ = "r_rqmnt_type_main_category"

    rqmnt_type_main_category_id: Mapped[int] = id_column("rqmnt_type_main_category_id_seq")
    code: Mapped[str] = mapped_column(String(20), unique=True)
    description: Mapped[str] = mapped_column(String(500))


class AdRequirementMainCategory(Base):
    """Additional requirement main category."""

    __tablename__ = "r_ad_rqmnt_type_main_category"

    ad_rqmnt_type_main_category_id: Mapped[int] = id_column("ad_rqmnt_type_main_category_id_seq")
    code: Mapped[str] = mapped_column(String(20), unique=True)
    description: Mapped[str] = mapped_column(String(500))


class LicenceConditionMainCategory(Base):
    """Licence condition main category; its description names the condition in an ignorable pending transfer."""

    __tablename__ = "r_lic_cond_type_main_cat"

    lic_cond_type_main_cat_id: Mapped[int] = id_column("lic_cond_type_main_cat_id_seq")
    code: Mapped[str] = mapped_column(String(20), unique=True)
    description: Mapped[str] = mapped_column(String(500))


class BusinessInteraction(Base):
    """An auditable interaction (``CABI231`` ...), enabled from ``enabled_date``."""

    __tablename__ = "business_interaction"

    business_interaction_id: Mapped[int] = id_column("business_interaction_id_seq")
    business_interaction_code: Mapped[str] = mapped_column(String(20), unique=True)
    description: Mapped[str | None] = mapped_column(String(500))
    enabled_date: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class User(Base):
    """A Delius user; the service's own is found by ``distinguished_name``."""

    __tablename__ = "user_"

    user_id: Mapped[int] = id_column("user_id_seq")
    distinguished_name: Mapped[str] = mapped_column(String(255), unique=True)

"""Who sees and who changes what: the one place that knows.

A `Scope` is the caller's reach, resolved once per request from the `Principal` into plain id sets (the
catalogue domain resolves regions into ids through `backend.core.reach.build_scope`:
`backend.catalogue.queries.resolve_scope`). Every object of every
domain hangs off one of these: a facility, an operator, a supplier (a service belongs to one facility and one
supplier; a booking, review, rectification or complaint to a service or facility). Core knows no domain table:
the SQL helpers take the column to restrict.

The rules:
- admin: sees and changes everything;
- regulator (street, district, city): sees the facilities in its region's communities and the operators and
  suppliers that serve them; a district or city regulator also sees the operators registered in its region
  and the suppliers they introduced. It changes the facilities in its region (and may hand one to an operator
  registered in a district its region touches); operator-level objects (the operator, its staff accounts, its
  suppliers) are changed only by a district or city regulator whose region contains the operator's
  registration district; a street regulator changes no operator-level object;
- operator staff: sees and changes its operator, its facilities and the suppliers it introduced;
- supplier staff: sees and changes its supplier and acts on its own services; sees the facilities that
  host them;
- resident: only their own objects;
- staff accounts: an admin manages every account, a regulator the operator staff of the operators it may
  change, operator staff the supplier staff of the suppliers it may change.

Objects outside the scope answer 404 (the caller may not know they exist); see `require`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from backend.core.access import Principal, RegionLevel, Role
from backend.core.errors import AppError

_NONE: frozenset[uuid.UUID] = frozenset()


def _ids(values: Iterable[uuid.UUID | None]) -> frozenset[uuid.UUID]:
    return frozenset(v for v in values if v is not None)


@dataclass(frozen=True, slots=True)
class RegionFacts:
    """What the catalogue knows about a regulator's region, as ids (filled by `resolve_scope`)."""

    community_ids: frozenset[uuid.UUID] = _NONE
    street_ids: frozenset[uuid.UUID] = _NONE
    district_ids: frozenset[uuid.UUID] = _NONE


@dataclass(frozen=True, slots=True)
class Scope:
    """The caller's reach. Build it with the class methods below (or `resolve_scope`), never by hand."""

    principal: Principal | None
    unlimited: bool = False
    facilities: frozenset[uuid.UUID] = _NONE
    changeable_facilities: frozenset[uuid.UUID] = _NONE
    operators: frozenset[uuid.UUID] = _NONE
    changeable_operators: frozenset[uuid.UUID] = _NONE
    suppliers: frozenset[uuid.UUID] = _NONE
    changeable_suppliers: frozenset[uuid.UUID] = _NONE
    assignable_operators: frozenset[uuid.UUID] = _NONE
    region: RegionFacts = field(default_factory=RegionFacts)

    # ------------------------------------------------------------------ construction

    @classmethod
    def nothing(cls, principal: Principal | None = None) -> Scope:
        return cls(principal=principal)

    @classmethod
    def admin(cls, principal: Principal) -> Scope:
        return cls(principal=principal, unlimited=True)

    @classmethod
    def for_operator(
        cls, principal: Principal, *, facility_ids: Iterable[uuid.UUID], supplier_ids: Iterable[uuid.UUID]
    ) -> Scope:
        own = _ids([principal.operator_id])
        facilities, suppliers = _ids(facility_ids), _ids(supplier_ids)
        return cls(
            principal=principal,
            facilities=facilities,
            changeable_facilities=facilities,
            operators=own,
            changeable_operators=own,
            suppliers=suppliers,
            changeable_suppliers=suppliers,
        )

    @classmethod
    def for_supplier(cls, principal: Principal, *, hosting_facility_ids: Iterable[uuid.UUID]) -> Scope:
        own = _ids([principal.supplier_id])
        return cls(
            principal=principal,
            facilities=_ids(hosting_facility_ids),
            suppliers=own,
            changeable_suppliers=own,
        )

    @classmethod
    def for_regulator(
        cls,
        principal: Principal,
        *,
        region: RegionFacts,
        facility_ids: Iterable[uuid.UUID],
        serving_operator_ids: Iterable[uuid.UUID],
        registered_operator_ids: Iterable[uuid.UUID],
        serving_supplier_ids: Iterable[uuid.UUID],
        registered_supplier_ids: Iterable[uuid.UUID],
    ) -> Scope:
        """`serving_*`: operators and suppliers active in the region's facilities; `registered_*`: operators
        registered in a district the region touches (a street: its own district) and the suppliers they
        introduced. A street regulator sees only who serves its street, and may hand its street's facilities
        to an operator registered in its district; only a district or city regulator sees and changes the
        operators registered in its region and their suppliers."""
        facilities = _ids(facility_ids)
        registered_ops, registered_sups = _ids(registered_operator_ids), _ids(registered_supplier_ids)
        if principal.region_level not in (RegionLevel.district, RegionLevel.city):
            managed_ops, managed_sups = _NONE, _NONE
        else:
            managed_ops, managed_sups = registered_ops, registered_sups
        return cls(
            principal=principal,
            facilities=facilities,
            changeable_facilities=facilities,
            operators=_ids(serving_operator_ids) | managed_ops,
            changeable_operators=managed_ops,
            suppliers=_ids(serving_supplier_ids) | managed_sups,
            changeable_suppliers=managed_sups,
            assignable_operators=registered_ops,
            region=region,
        )

    # ------------------------------------------------------------------ who is asking

    @property
    def role(self) -> Role | None:
        return self.principal.role if self.principal else None

    @property
    def is_regulator(self) -> bool:
        return self.role == Role.regulator

    @property
    def region_level(self) -> RegionLevel | None:
        return self.principal.region_level if self.principal else None

    @property
    def resident_id(self) -> uuid.UUID | None:
        return self.principal.id if self.principal and self.role == Role.resident else None

    @property
    def own_supplier_id(self) -> uuid.UUID | None:
        return self.principal.supplier_id if self.principal and self.role == Role.supplier_staff else None

    # ------------------------------------------------------------------ predicates

    def sees_facility(self, facility_id: uuid.UUID | None) -> bool:
        return self.unlimited or facility_id in self.facilities

    def may_change_facility(self, facility_id: uuid.UUID | None) -> bool:
        return self.unlimited or facility_id in self.changeable_facilities

    def sees_operator(self, operator_id: uuid.UUID | None) -> bool:
        return self.unlimited or operator_id in self.operators

    def may_change_operator(self, operator_id: uuid.UUID | None) -> bool:
        """The operator itself and its operator-level objects: its staff accounts, its suppliers' records."""
        return self.unlimited or operator_id in self.changeable_operators

    def may_register_in_district(self, district_id: uuid.UUID | None) -> bool:
        """Operators are registered with a district: by a district or city regulator whose region holds it."""
        if self.unlimited:
            return True
        manages = self.is_regulator and self.region_level in (RegionLevel.district, RegionLevel.city)
        return manages and district_id in self.region.district_ids

    def may_assign_operator(self, operator_id: uuid.UUID | None) -> bool:
        """Whether a facility the caller may change can be handed to this operator (regulators: operators
        registered in a district their region touches)."""
        return self.unlimited or operator_id in self.assignable_operators

    def sees_supplier(self, supplier_id: uuid.UUID | None) -> bool:
        return self.unlimited or supplier_id in self.suppliers

    def may_change_supplier(self, supplier_id: uuid.UUID | None) -> bool:
        return self.unlimited or supplier_id in self.changeable_suppliers

    def sees_service(self, facility_id: uuid.UUID | None, supplier_id: uuid.UUID | None) -> bool:
        """Objects attached to a service (its bookings, reviews, rectifications, complaints): the supplier's
        staff see their own services; operator staff and regulators see what happens in their facilities."""
        if self.unlimited:
            return True
        if self.role == Role.supplier_staff:
            return supplier_id is not None and supplier_id == self.own_supplier_id
        return facility_id in self.facilities

    def owns(self, resident_id: uuid.UUID | None) -> bool:
        """The resident who owns the object (a booking, a review, a complaint); never staff."""
        own = self.resident_id
        return own is not None and resident_id == own

    def sees_service_object(
        self, resident_id: uuid.UUID | None, facility_id: uuid.UUID | None, supplier_id: uuid.UUID | None
    ) -> bool:
        """A resident's object attached to a service (a booking, a review, a complaint): the resident who
        owns it, and the staff who see the service (`sees_service`)."""
        own = self.resident_id
        if own is not None:
            return resident_id == own
        return self.sees_service(facility_id, supplier_id)

    def acts_for_service(self, supplier_id: uuid.UUID | None) -> bool:
        """Only the service's own supplier staff act on it (open slots, check in, reply to reviews)."""
        return supplier_id is not None and supplier_id == self.own_supplier_id

    def acts_for_operator(self, operator_id: uuid.UUID | None) -> bool:
        """Only the operator's own staff act as that operator (answer what is addressed to it)."""
        p = self.principal
        return (
            operator_id is not None
            and p is not None
            and p.role == Role.operator_staff
            and (p.operator_id == operator_id)
        )

    def sees_community(self, community_id: uuid.UUID | None) -> bool:
        return self.unlimited or community_id in self.region.community_ids

    def sees_region(self, level: RegionLevel, region_id: uuid.UUID) -> bool:
        """A whole street, district or city: inside a regulator's own region (or anything, for an admin)."""
        if self.unlimited:
            return True
        if not self.is_regulator or self.principal is None:
            return False
        if level == RegionLevel.street:
            return region_id in self.region.street_ids
        if level == RegionLevel.district:
            return region_id in self.region.district_ids and self.region_level != RegionLevel.street
        return self.region_level == RegionLevel.city and self.principal.region_id == region_id

    def may_record_entitlement(self, community_id: uuid.UUID | None) -> bool:
        """低保 / disability of a resident's beneficiary: a district or city regulator (whose region holds the
        resident's chosen community, if they chose one), or the street office of that community."""
        if self.unlimited:
            return True
        if not self.is_regulator:
            return False
        if self.region_level == RegionLevel.street:
            return community_id is not None and community_id in self.region.community_ids
        return community_id is None or community_id in self.region.community_ids

    def may_manage_account(
        self, role: Role, supplier_id: uuid.UUID | None, operator_id: uuid.UUID | None
    ) -> bool:
        """Whether the caller may create, see or (de)activate a staff account of this role and organisation:
        an admin any; a regulator operator staff of an operator it may change; operator staff supplier staff
        of a supplier it may change."""
        if self.unlimited:
            return True
        if role == Role.operator_staff and self.is_regulator:
            return operator_id is not None and self.may_change_operator(operator_id)
        if role == Role.supplier_staff and self.role == Role.operator_staff:
            return supplier_id is not None and self.may_change_supplier(supplier_id)
        return False

    def may_decide_for_facility(self, facility_id: uuid.UUID | None) -> bool:
        """Decisions the platform or the street office takes (appeals, moderation, mediation, approvals):
        a regulator whose region holds the facility, or an admin; never the operator or the supplier."""
        return self.unlimited or (self.is_regulator and facility_id in self.facilities)

    def is_street_office_of(self, facility_id: uuid.UUID | None) -> bool:
        """Decisions the law gives the street office itself (Wuhan art. 14: consent to suspending a
        subsidised service): a street regulator whose street holds the facility, or an admin; not a district
        or city regulator, never the operator or the supplier."""
        if self.unlimited:
            return True
        street = self.is_regulator and self.region_level == RegionLevel.street
        return street and facility_id in self.facilities

    def may_publish_rules(self, city_id: uuid.UUID | None, district_id: uuid.UUID | None = None) -> bool:
        """Rules a city or one of its districts sets (rulesets): the city's regulator for the city or any of
        its districts, a district regulator for its own district, or an admin; never a street office."""
        if self.unlimited:
            return True
        if not self.is_regulator or self.principal is None or city_id is None:
            return False
        if self.region_level == RegionLevel.city:
            return self.principal.region_id == city_id and (
                district_id is None or district_id in self.region.district_ids
            )
        if self.region_level == RegionLevel.district:
            return district_id is not None and district_id == self.principal.region_id
        return False

    def may_decide_for_supplier(self, supplier_id: uuid.UUID | None) -> bool:
        """`may_decide_for_facility` for an object attached to a supplier but no facility: a regulator who
        sees the supplier, or an admin."""
        return self.unlimited or (self.is_regulator and supplier_id in self.suppliers)

    def may_decide_for_operator(self, operator_id: uuid.UUID | None) -> bool:
        """Decisions about an operator as a whole (accepting or returning its reports): a regulator who
        sees the operator (it serves or is registered in the region), or an admin; never operator or
        supplier staff."""
        return self.unlimited or (self.is_regulator and operator_id in self.operators)

    def may_evaluate_operator(self, operator_id: uuid.UUID | None, level: RegionLevel) -> bool:
        """An operator's yearly evaluation, by the evaluator level its ruleset names (Chongqing art. 15,
        Baotou art. 44): a street office over a street the operator serves, or a district or city regulator
        where the operator is registered, at exactly that level; or an admin."""
        if self.unlimited:
            return True
        if not self.is_regulator or self.region_level != level or operator_id is None:
            return False
        return operator_id in (self.operators if level == RegionLevel.street else self.changeable_operators)

    def require(self, allowed: bool, not_found: AppError) -> None:
        """Raise `not_found` (a 404 of the caller's domain) unless `allowed`."""
        if not allowed:
            raise not_found

    # ------------------------------------------------------------------ SQL

    @staticmethod
    def _in(column: Any, ids: frozenset[uuid.UUID]) -> ColumnElement[bool]:
        return sa.false() if not ids else column.in_(sorted(ids))

    def facility_filter(self, facility_column: Any) -> ColumnElement[bool]:
        return sa.true() if self.unlimited else self._in(facility_column, self.facilities)

    def operator_filter(self, operator_column: Any) -> ColumnElement[bool]:
        return sa.true() if self.unlimited else self._in(operator_column, self.operators)

    def supplier_filter(self, supplier_column: Any) -> ColumnElement[bool]:
        return sa.true() if self.unlimited else self._in(supplier_column, self.suppliers)

    def service_filter(self, facility_column: Any, supplier_column: Any) -> ColumnElement[bool]:
        """The SQL twin of `sees_service` for a query over service-attached rows."""
        if self.unlimited:
            return sa.true()
        if self.role == Role.supplier_staff:
            own = self.own_supplier_id
            return sa.false() if own is None else supplier_column == own
        return self._in(facility_column, self.facilities)

    def account_filter(
        self, role_column: Any, operator_column: Any, supplier_column: Any
    ) -> ColumnElement[bool]:
        """Staff accounts a caller lists: an admin all; a regulator the operator staff it manages; operator
        staff their operator's staff and the staff of the suppliers it may change."""
        if self.unlimited:
            return sa.true()
        if self.is_regulator:
            return sa.and_(
                role_column == Role.operator_staff.value, self._in(operator_column, self.changeable_operators)
            )
        if self.role == Role.operator_staff:
            return sa.or_(
                self._in(operator_column, self.changeable_operators),
                self._in(supplier_column, self.changeable_suppliers),
            )
        return sa.false()

    def resident_filter(self, resident_column: Any) -> ColumnElement[bool]:
        own = self.resident_id
        return sa.false() if own is None else resident_column == own

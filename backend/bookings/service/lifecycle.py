"""A booking's life: confirmed -> checked_in -> completed, or cancelled, or no_show.

Each move is made by the right actor only (`rules.TRANSITIONS`: the service's own supplier staff, and for
a cancellation the resident who owns the booking; asked of the caller's `Scope`), with a conditional UPDATE
on the current status so two concurrent moves cannot both win, and is recorded with its actor and time.
Cancelling frees the place and gives it to the first in line, in the same transaction.
"""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.bookings import cache, rules
from backend.bookings import repository as repo
from backend.bookings import repository_bookings as brepo
from backend.bookings.errors import CancelWindowClosed, CheckInTooEarly, IllegalTransition, SlotNotStarted
from backend.bookings.models import BookingStatus
from backend.bookings.rules import Action
from backend.bookings.schemas import BookingPublic
from backend.bookings.service.common import public_from_view, require_visible
from backend.bookings.service.waitlist import promote
from backend.catalogue.queries import resolve_scope
from backend.core.access import Principal
from backend.core.clock import shanghai_iso, utcnow
from backend.core.errors import Unprocessable
from backend.core.i18n import Msg
from backend.notifications import messages
from backend.notifications.service import MessageKind, enqueue


class ReasonRequired(Unprocessable):
    code = "reason_required"
    title = Msg("服务方取消预约须说明原因", "A supplier must give a reason to cancel")


async def transition(
    session: AsyncSession,
    principal: Principal,
    booking_id: uuid.UUID,
    action: Action,
    reason: str | None = None,
) -> BookingPublic:
    """Move a booking by `action` as `principal`."""
    move = rules.TRANSITIONS[action]
    locked = await brepo.get_view(session, booking_id, for_update=True)
    view = await require_visible(session, principal, locked)
    scope = await resolve_scope(session, principal)
    as_supplier = scope.acts_for_service(view.supplier_id)
    as_owner = move.by_owner and scope.owns(view.resident_id)
    if not (as_supplier or as_owner) or BookingStatus(view.status) not in move.sources:
        raise IllegalTransition(extra={"booking_status": view.status})
    now = utcnow()
    if action == Action.no_show and now < view.start_at:
        raise SlotNotStarted()
    if action == Action.check_in and rules.local_date(now) < rules.local_date(view.start_at):
        raise CheckInTooEarly()
    if action == Action.cancel:
        if as_owner:
            deadline = rules.cancel_deadline(view.start_at, view.cancel_cutoff_minutes)
            if now > deadline:
                raise CancelWindowClosed(extra={"deadline": shanghai_iso(deadline)})
        elif not reason:
            raise ReasonRequired()
    if not await brepo.change_status(session, booking_id, move.sources, move.to, now, reason=reason):
        raise IllegalTransition()  # moved by someone else since we read it
    await brepo.insert_event(
        session,
        booking_id,
        view.status,
        move.to.value,
        principal.role.value,
        principal.id,
        now,
        reason=reason,
    )
    if move.to == BookingStatus.cancelled:
        await repo.free_place(session, view.slot_id, now)
        if now < view.start_at:
            await promote(session, view.slot_id, now)
        if as_supplier:
            await enqueue(
                session,
                view.resident_id,
                MessageKind.booking_cancelled,
                messages.booking_data(view.service_name, view.start_at, reason or ""),
                page=messages.booking_page(booking_id),
            )
        cache.invalidate_after_commit(session, view.service_id)
    updated = await brepo.get_view(session, booking_id)
    return public_from_view(await require_visible(session, principal, updated))

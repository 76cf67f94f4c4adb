"""Booking services by subject: slots, bookings, lifecycle, waitlist, suspensions."""

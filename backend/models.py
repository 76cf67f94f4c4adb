"""Every table model, imported once so the metadata (and Alembic) sees them all."""

from backend.accounts import models as accounts_models  # noqa: F401
from backend.audit import models as audit_models  # noqa: F401
from backend.bookings import models as bookings_models  # noqa: F401
from backend.catalogue import models as catalogue_models  # noqa: F401
from backend.complaints import models as complaints_models  # noqa: F401
from backend.core import idempotency_records as idempotency_models  # noqa: F401
from backend.core.jobs import JobRun
from backend.grading import models as grading_models  # noqa: F401
from backend.notifications import models as notifications_models  # noqa: F401
from backend.oversight import models as oversight_models  # noqa: F401
from backend.reviews import models as reviews_models  # noqa: F401
from backend.rulesets import models as rulesets_models  # noqa: F401
from backend.workdays import models as workdays_models  # noqa: F401

__all__ = ["JobRun"]

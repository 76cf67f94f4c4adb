"""The official working-day calendar (工作日): weekends, public holidays and adjusted working days (调休).

A low-level domain (it depends on core only) that other domains use for deadlines counted in working days:
`backend.workdays.queries.add_working_days`. The table holds every day of each year it knows; it is seeded
from the `chinese-calendar` package (the migration, `make migrate`, the demo) and extended year by year with
`python -m backend.workdays load --year 2027 [--file official.json]`. A year it does not know never crashes a
deadline: it counts weekends only and marks the deadline `provisional` (see `queries`), and a scheduled check
warns from November of the year before (`jobs`).
"""

"""好差评: residents' reviews of completed bookings, text checks and moderation, supplier replies, follow-ups
(追评), appeals (申诉), not-genuine flags, the rectification (整改) a bad review opens, the public figures.

Layering: reviews sits above bookings (it reads `bookings.queries`, `accounts.queries`, `catalogue.queries`,
`workdays.queries` and `notifications.service`, never their tables). Its own public reads for the domains
above (grading, console) are in `reviews.queries`. The public figures reach the catalogue's pages through
the catalogue's figures hook (`backend.catalogue.figures`), registered by `backend.reviews.figures.register`.
"""

"""`python -m backend`: serve the API on HOST:PORT with uvicorn."""

import uvicorn

from backend.core.settings import get_settings

if __name__ == "__main__":
    settings = get_settings()
    # proxy_headers=False: uvicorn would believe X-Forwarded-For from 127.0.0.1; the app decides whom to
    # trust (TRUSTED_PROXIES, see backend.core.clientip).
    uvicorn.run(
        "backend.main:app", host=settings.host, port=settings.port, proxy_headers=False, log_config=None
    )

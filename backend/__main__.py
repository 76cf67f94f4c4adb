"""`python -m backend`: serve the API on HOST:PORT with uvicorn."""

import uvicorn

from backend.core.settings import get_settings

if __name__ == "__main__":
    settings = get_settings()
    uvicorn.run(
        "backend.main:app", host=settings.host, port=settings.port, proxy_headers=True, log_config=None
    )

"""Mount the console's static files and the self-hosted Swagger UI on the app (called by `create_app`)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).parent / "static"
STATIC_PATH = "/console/static"
DOCS_PATH = "/docs"
OAUTH2_REDIRECT_PATH = "/docs/oauth2-redirect"


def install_console(app: FastAPI, *, openapi_url: str) -> None:
    """Serve `/console/` (pages and vendored assets) and `/docs` from local files only."""
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR), name="console-static")

    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} · 接口文档",
            swagger_js_url=f"{STATIC_PATH}/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url=f"{STATIC_PATH}/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url=f"{STATIC_PATH}/vendor/swagger-ui/favicon-32x32.png",
            oauth2_redirect_url=OAUTH2_REDIRECT_PATH,
            # The default "validatorUrl" asks a public server to validate the schema: never leave the host.
            swagger_ui_parameters={"validatorUrl": None},
        )

    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    async def console_index() -> RedirectResponse:
        return RedirectResponse(f"{STATIC_PATH}/index.html")

    app.add_api_route(DOCS_PATH, swagger_ui, include_in_schema=False)
    app.add_api_route(OAUTH2_REDIRECT_PATH, swagger_ui_redirect, include_in_schema=False)
    app.add_api_route("/console", console_index, include_in_schema=False)
    app.add_api_route("/console/", console_index, include_in_schema=False)

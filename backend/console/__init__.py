"""The staff console (`/console/`) and the offline API docs (`/docs`): static pages served by the app.

Everything the pages load is served from here (vendored ECharts and Swagger UI, see
`static/vendor/*/VERSION`): deployments in China may have no internet, so no page may depend on a CDN.
"""

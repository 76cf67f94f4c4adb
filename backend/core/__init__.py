"""Shared plumbing: settings, database, Redis, security, errors, HTTP client."""

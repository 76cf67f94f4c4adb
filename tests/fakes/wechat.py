"""Fake WeChat server fixture (filled in by the WeChat work)."""

"""WeChat server APIs: login, phone number, subscription messages, text check (see client.py)."""

"""WeChat server APIs: login, phone number, subscription messages, text check (provider.get_wechat())."""

"""The rules of the reviews domain, one module per concern (services never commit)."""

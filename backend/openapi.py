"""`python -m backend.openapi`: print the app's OpenAPI document, stable and readable."""

import json
import sys

from backend.main import create_app

if __name__ == "__main__":
    spec = create_app(start_scheduler=False).openapi()
    sys.stdout.write(json.dumps(spec, ensure_ascii=False, indent=2, sort_keys=False) + "\n")

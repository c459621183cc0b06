"""Write the desk API's OpenAPI document to docs/openapi.json (a test checks it matches what the API serves).

    python -m infra.openapi
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "docs" / "openapi.json"


def main() -> None:
    from desk.app import openapi_json

    OUT.write_text(json.dumps(json.loads(openapi_json()), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()

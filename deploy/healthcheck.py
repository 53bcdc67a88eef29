"""The container's health check: exit 0 when /healthz answers 200 on PORT, else 1.

Python, because the slim base image has no curl; it reads PORT as the bot does (default 3000).
"""

from __future__ import annotations

import http.client
import os
import sys


def main() -> int:
    port = os.environ.get("PORT", "").strip() or "3000"
    connection = http.client.HTTPConnection("127.0.0.1", int(port), timeout=4)
    try:
        connection.request("GET", "/healthz")
        return 0 if connection.getresponse().status == 200 else 1
    except (OSError, ValueError):
        return 1
    finally:
        connection.close()


if __name__ == "__main__":
    sys.exit(main())

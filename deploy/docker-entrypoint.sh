#!/bin/sh
# What the container runs: migrate DATABASE_URL, then serve HTTP on PORT. `exec` hands the
# process over to the server, so the SIGTERM of `docker stop` reaches it and it stops gracefully.
set -eu
cd "$(dirname "$0")/.."
python app.py db upgrade
exec python app.py serve "$@"

# syntax=docker/dockerfile:1
# The bot in HTTP mode: migrates DATABASE_URL, then serves on PORT, as a user without privileges.
# Build: docker build -t security-bot .   Run with PostgreSQL: docker compose up (compose.yaml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=3000 \
    DATABASE_URL=sqlite:////var/lib/security-bot/security-bot.db

# tzdata: the system's zone database, so log times and the members' local times agree.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --shell /usr/sbin/nologin \
        --home-dir /var/lib/security-bot --create-home security-bot

WORKDIR /app
# The dependencies first, exactly as locked (every file checked against its hash), so a change to
# the code alone reuses this layer.
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps --requirement requirements.lock
# Then the project itself, without dependencies: they are all installed above.
COPY . .
RUN pip install --no-deps . && rm -rf build ./*.egg-info

# An SQLite database and the mail outbox (without SMTP_URL) are kept here; compose uses PostgreSQL.
VOLUME ["/var/lib/security-bot"]
USER 10001:10001
EXPOSE 3000
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "deploy/healthcheck.py"]
ENTRYPOINT ["/app/deploy/docker-entrypoint.sh"]

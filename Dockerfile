# syntax=docker/dockerfile:1
# One image for every UnionHub service; docker-compose.yml picks the service with `command`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UNIONHUB_DATA_DIR=/var/lib/unionhub \
    UNIONHUB_HOST=0.0.0.0

WORKDIR /src

# Third-party dependencies first, read from pyproject.toml alone, so that editing the code does
# not reinstall them. (All pinned packages ship manylinux wheels: no compiler needed.)
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

# The project itself. Only what the distribution packages is copied (no .venv, .git or tests).
# README.m[d]: the readme named in pyproject.toml, copied when present.
COPY pyproject.toml README.m[d] ./
COPY shared ./shared
COPY services ./services
RUN pip install . \
 && cd / && rm -rf /src

RUN useradd --system --uid 10001 --user-group --create-home --home-dir /var/lib/unionhub \
        --shell /usr/sbin/nologin unionhub
USER unionhub
WORKDIR /var/lib/unionhub

# gateway 8000 (REST API under /api/v1), membership 8001, congress 8002, welfare 8003,
# events 8004, finance 8005: /healthz, /readyz and /metrics on each.
EXPOSE 8000 8001 8002 8003 8004 8005

CMD ["unionhub", "serve", "gateway", "--migrate"]

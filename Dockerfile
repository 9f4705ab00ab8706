# Image for the Intersections explorer, loader and every CLI command (see docker-compose.yml).
#
#   docker build -t intersections .
#   docker run --rm -p 127.0.0.1:8050:8050 -v "$PWD/workspace:/workspace" intersections
#   docker run --rm -v "$PWD/workspace:/workspace" intersections intersections validate
#
# Base pinned to an exact Python patch release and Debian release. Pin the digest too when you
# build for production: `docker buildx imagetools inspect python:3.11.14-slim-bookworm`, then
# FROM python:3.11.14-slim-bookworm@sha256:<digest> (not recorded here: no registry access
# where this file was written).
FROM python:3.11.14-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app

# Dependencies first (their layer is reused while only the code changes): exactly the lock,
# hash-checked, nothing resolved at build time.
COPY requirements/app.lock requirements/app.lock
RUN pip install --no-cache-dir --require-hashes --no-deps -r requirements/app.lock

COPY pyproject.toml README.md LICENSE ./
COPY ontology ./ontology
COPY loaders ./loaders
COPY graph ./graph
COPY explorer ./explorer
COPY cli ./cli
COPY benchmarks ./benchmarks
COPY docker/entrypoint.sh /usr/local/bin/intersections-entrypoint

# The app itself (not editable: the shipped evidence base is read-only, owned by root).
RUN pip install --no-cache-dir --no-deps . \
    && pip check \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin intersections \
    && mkdir -p /workspace && chown 10001:10001 /workspace \
    && chmod 0755 /usr/local/bin/intersections-entrypoint \
    && intersections --version

# A coalition's workspace (its own evidence, imports, exports): a volume, so an edit on the
# host followed by `docker compose run --rm loader` loads the change. Created on first start.
ENV INTERSECTIONS_WORKSPACE=/workspace \
    XDG_CACHE_HOME=/tmp/intersections-cache
VOLUME ["/workspace"]

USER intersections
WORKDIR /workspace

EXPOSE 8050
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8050/', timeout=8)"]

ENTRYPOINT ["intersections-entrypoint"]
# Production server (Flask's development server is never used in the image).
CMD ["gunicorn", "--bind", "0.0.0.0:8050", "--workers", "2", "--threads", "4", "--timeout", "120", "--access-logfile", "-", "explorer.wsgi:server"]

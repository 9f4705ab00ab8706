# Image for the Intersections CLI, loader and explorer (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

COPY pyproject.toml README.md ./
COPY graph ./graph
COPY ontology ./ontology
COPY loaders ./loaders
COPY explorer ./explorer

RUN pip install --no-cache-dir . \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin intersections

USER intersections
WORKDIR /home/intersections

EXPOSE 8050
CMD ["intersections", "serve", "--host", "0.0.0.0"]

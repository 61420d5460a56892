# Partnerwise in a container: runs exactly what `make serve` runs (see docs/deploy.md).
# Not built on the project's own machines (no image registry is reachable from them).
FROM python:3.12-slim

RUN apt-get update \
    && apt-get install -y --no-install-recommends make postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY . .
# `make install` creates .tools (uv) and .venv from uv.lock, as on any host.
RUN make install PYTHON312=/usr/local/bin/python3.12

ENV DJANGO_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    PARTNERWISE_VAR_DIR=/data
VOLUME /data
EXPOSE 8000
HEALTHCHECK CMD python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["make", "serve"]

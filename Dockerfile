# syntax=docker/dockerfile:1.7
# SmartCloudOps AI: the bot (`serve --http`) and the fleet simulator (`simulate`).
#
#   docker build -t smartcloudops .
#   docker run --rm -p 8080:8080 smartcloudops            # serve --http on 0.0.0.0:8080

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

################################################################################
# Build: resolve the locked dependencies into /opt/venv
################################################################################
FROM ${PYTHON_IMAGE} AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv

RUN pip install --no-cache-dir uv==0.13.9

WORKDIR /src

# Dependencies first, from the lock file only, so this layer is reused until uv.lock changes.
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-project

# Then the project itself, installed non-editable so the runtime image needs no sources.
COPY . .
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable

################################################################################
# Runtime: the virtualenv and a non-root user, nothing else
################################################################################
FROM ${PYTHON_IMAGE} AS runtime

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/venv/bin:${PATH} \
    SCO_HTTP__HOST=0.0.0.0 \
    SCO_HTTP__PORT=8080 \
    SCO_AUDIT__DIR=/var/lib/smartcloudops/audit

RUN groupadd --system --gid 10001 smartcloudops \
    && useradd --system --uid 10001 --gid smartcloudops \
        --home-dir /var/lib/smartcloudops --shell /usr/sbin/nologin smartcloudops \
    && install -d -o smartcloudops -g smartcloudops -m 0750 \
        /var/lib/smartcloudops /var/lib/smartcloudops/audit

COPY --from=builder /opt/venv /opt/venv

USER 10001:10001
WORKDIR /var/lib/smartcloudops
EXPOSE 8080

# The standard library only, so the image needs no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('SCO_HTTP__PORT', '8080'), timeout=4)"]

ENTRYPOINT ["smartcloudops"]
CMD ["serve", "--http"]

# One image for web, worker and beat; the command differs (see docker-compose.yml).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production
WORKDIR /app
COPY pyproject.toml README.md ./
COPY config ./config
COPY providers ./providers
COPY ratings ./ratings
COPY ingest ./ingest
COPY common ./common
COPY accounts ./accounts
COPY partners ./partners
RUN pip install .
# Only what the site runs from, never `COPY . .`: that would bake a developer's .venv, var/db.sqlite3 (real data)
# and .env (secrets, DEBUG=true) into the image (tests/test_deploy_files.py).
COPY manage.py gunicorn.conf.py ./
COPY templates ./templates
COPY static ./static
COPY locale ./locale
RUN pip install --no-deps -e . \
    && SECRET_KEY=build-only ALLOWED_HOSTS=localhost SINGLE_PROCESS=true python manage.py collectstatic --noinput
RUN useradd --create-home app && mkdir -p /app/var && chown app /app/var
USER app
EXPOSE 8000
CMD ["gunicorn", "config.wsgi"]

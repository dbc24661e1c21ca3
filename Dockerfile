# For those who run containers; the project's tests never need Docker.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 ANSINH_LOG_FORMAT=json
WORKDIR /opt/ansinh
COPY pyproject.toml README.md manage.py ./
COPY src ./src
RUN pip install --no-cache-dir . && useradd --system --home /opt/ansinh ansinh && mkdir -p var && chown ansinh var
USER ansinh
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=3)"
CMD ["sh", "-c", "python manage.py migrate --noinput && ansinh serve --bind 0.0.0.0:8000"]

"""gunicorn settings, all from the environment (documented in .env.example): `gunicorn -c gunicorn.conf.py app:server`.

Each worker imports the app itself (no preload), so no database connection is shared across a fork."""
import os

bind = os.environ.get("GUNICORN_BIND") or f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8050')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))  # a release query or a PNG can take seconds
graceful_timeout = 30
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))  # 0: workers are never recycled
max_requests_jitter = max_requests // 10
preload_app = False
control_socket_disable = True  # gunicorn 27 otherwise opens a control socket under the home folder
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")  # the reverse proxy's address
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None  # "-" logs each request to stdout
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

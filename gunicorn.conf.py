"""gunicorn settings, read from the working directory by `gunicorn wsgi:app` (command-line
options override them). Measured with bench/lookup_load.py (32 connections, 2 cores shared with
the load generator): sync workers, one per core, served the cached public results page at
1,200 req/s with p99 36 ms; 4 threaded workers × 4 threads served 940 req/s with p99 430 ms —
threads of one process queue for the interpreter lock, and a thread's request waits behind the
others'. Behind nginx (which buffers slow clients), a sync worker is busy only while it computes.
"""
import os

# One worker per core by default; more where requests wait on the database more than they compute.
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2)
worker_class = "sync"
# A 10,000-row import or a large export may take tens of seconds on a small machine; batch PDF
# printing runs as a background job, not in a request.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
bind = os.environ.get("BIND", "127.0.0.1:8000")


# Prometheus metrics from several worker processes (app/observability.py): with
# PROMETHEUS_MULTIPROC_DIR set (an empty directory of this machine, e.g. /run/jiangxuan-metrics),
# every worker writes its figures there and /metrics sums them. The directory is emptied when the
# master starts, and a worker that exits is marked dead (its gauges dropped, counters kept).
def on_starting(server):
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        os.makedirs(directory, exist_ok=True)
        for name in os.listdir(directory):
            if name.endswith(".db"):
                os.remove(os.path.join(directory, name))


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess
        multiprocess.mark_process_dead(worker.pid)

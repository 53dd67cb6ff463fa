"""The jobs' figures for Prometheus, read at each scrape of /metrics from the services every
machine shares: the RQ queue depth and workers (Redis), the jobs by status and the progress of
each running or queued job (the database). Registered with app/observability.py by app/wiring.py."""
from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy import func, select

from ..extensions import db
from .models import STATUSES, Job
from .runner import QUEUE

log = logging.getLogger(__name__)


def collect(app: Flask):
    from prometheus_client.core import GaugeMetricFamily
    depth = GaugeMetricFamily("jiangxuan_queue_depth", "Tasks waiting in the RQ queue.", labels=["queue"])
    workers = GaugeMetricFamily("jiangxuan_rq_workers", "RQ workers registered with Redis.", labels=["queue"])
    url = app.config.get("REDIS_URL")
    if url:
        try:
            from redis import Redis
            from rq import Queue, Worker
            conn = Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
            queue = Queue(QUEUE, connection=conn)
            depth.add_metric([QUEUE], queue.count)
            workers.add_metric([QUEUE], Worker.count(queue=queue))
            conn.close()
        except Exception:  # Redis down (/readyz says so), the scrape goes on
            log.debug("metrics not recorded", exc_info=True)
    yield depth
    yield workers
    jobs = GaugeMetricFamily("jiangxuan_jobs", "Background jobs by status.", labels=["status"])
    done = GaugeMetricFamily("jiangxuan_job_done", "Items done by each running or queued job.", labels=["job", "kind"])
    total = GaugeMetricFamily("jiangxuan_job_total", "Items of each running or queued job.", labels=["job", "kind"])
    try:
        with app.app_context():
            counts = dict(db.session.execute(select(Job.status, func.count()).group_by(Job.status)).all())
            for status in STATUSES:
                jobs.add_metric([status], counts.get(status, 0))
            for job in db.session.execute(select(Job.id, Job.kind, Job.done, Job.total).where(
                    Job.status.in_(("running", "queued"))).limit(100)):
                done.add_metric([job.id[:8], job.kind], job.done)
                total.add_metric([job.id[:8], job.kind], job.total)
            db.session.remove()
    except Exception:  # the database down (/readyz says so)
        log.debug("metrics not recorded", exc_info=True)
    yield jobs
    yield done
    yield total

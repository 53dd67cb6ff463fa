"""Locust users for bench/results_day.py (run by it; the seed file is named by RESULTS_DAY_SEED).

Public visitors read the results page and its JSON, look themselves up by name + ID (a quarter of
the asks miss on purpose: a 404 is a served answer), verify certificates (page and JSON), and hit
/healthz, the trivial endpoint every other figure is compared with. Judges save their draft sheets
through the API, each on their own sheets, carrying the version they last read."""
from __future__ import annotations

import json
import os
import random
from decimal import Decimal

from locust import HttpUser, between, task

SEED = json.loads(open(os.environ["RESULTS_DAY_SEED"], encoding="utf-8").read())


class Visitor(HttpUser):
    weight = 10
    wait_time = between(0.05, 0.3)

    @task(1)
    def trivial(self):
        self.client.get("/healthz", name="trivial /healthz")

    @task(4)
    def results_page(self):
        self.client.get(f"/results/{SEED['competition_id']}", name="results page")

    @task(2)
    def results_json(self):
        self.client.get(f"/api/v1/public/competitions/{SEED['competition_id']}/results", name="results JSON")

    @task(3)
    def lookup(self):
        name, number = random.choice(SEED["people"])
        if random.random() < 0.25:
            name = "不存在"
        with self.client.post("/api/v1/public/lookup", json={"name": name, "id_number": number},
                              name="lookup (POST)", catch_response=True) as r:
            if r.status_code in (200, 404):
                r.success()

    @task(2)
    def verify_page(self):
        self.client.get(f"/verify/{random.choice(SEED['certificates'])}", name="certificate verify page")

    @task(1)
    def verify_json(self):
        self.client.get(f"/api/v1/public/certificates/{random.choice(SEED['certificates'])}",
                        name="certificate verify JSON")


class Judge(HttpUser):
    """One locust judge per demo judge with draft sheets (fixed_count set by the driver)."""
    weight = 1
    fixed_count = int(os.environ.get("RESULTS_DAY_JUDGES", "0"))
    wait_time = between(0.5, 1.5)
    _next = 0

    def on_start(self):
        me = SEED["judges"][Judge._next % len(SEED["judges"])]
        Judge._next += 1
        self.headers = {"Authorization": f"Bearer {me['token']}"}
        self.sheets = [dict(s) for s in me["sheets"]]

    @task
    def save_sheet(self):
        sheet = random.choice(self.sheets)
        scores = {}
        for c in sheet["criteria"]:
            if c.get("scale") == "wsi3":
                scores[c["key"]] = str(random.randint(0, 3))
            else:
                step = Decimal(str(c.get("step") or "1"))
                top = int(Decimal(str(c["max_score"])) / step)
                scores[c["key"]] = str(step * random.randint(0, top))
        with self.client.put(f"/api/v1/events/{sheet['event_id']}/sheets/{sheet['code']}", headers=self.headers,
                             json={"scores": scores, "version": sheet["version"]}, name="judge saves a sheet (PUT)",
                             catch_response=True) as r:
            if r.status_code == 200:
                sheet["version"] = r.json()["version"]
            else:
                r.failure(f"{r.status_code} {r.text[:200]}")

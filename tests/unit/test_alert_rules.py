"""The example alert rules parse, and every metric their expressions name is one the worker exports."""

import re
from pathlib import Path

import pytest
import yaml
from prometheus_client import REGISTRY

import allocations.workload.client  # noqa: F401 - registers the Workload call metrics
import tasks.metrics  # noqa: F401 - registers the task metrics
from tasks import metrics_collector
from tasks.heartbeat import EVENT_LOOP, INGEST
from tasks.probes import QueueDepth

RULES = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "alerts.yml"
METRIC = re.compile(r"\ballocations_[a-z_]+\b")


@pytest.fixture
def exported(monkeypatch):
    """Every sample name the worker's /metrics can show: the registered metrics and the scrape-time gauges."""
    depth = QueueDepth(1, 0, 0)
    monkeypatch.setattr(metrics_collector, "read_state", lambda _: metrics_collector.StateCounts(1, 5.0, 2, 3.0))
    monkeypatch.setattr(metrics_collector, "read_sqs", lambda _: metrics_collector.SqsCounts(depth, depth, 7.0))
    INGEST.beat()
    EVENT_LOOP.beat()
    gauges = metrics_collector.ScrapeGauges(None, None, timeout=5, ingest=True)
    names = {sample.name for family in gauges.collect() for sample in family.samples}
    return names | {name for name in REGISTRY._names_to_collectors if name.startswith("allocations_")}


def rules():
    document = yaml.safe_load(RULES.read_text())
    return [rule for group in document["groups"] for rule in group["rules"]]


def test_the_rules_file_is_a_prometheus_rule_file_with_the_alerts_an_operator_needs():
    names = {rule["alert"] for rule in rules()}
    assert {"AllocationDeadLetterParked", "AllocationSqsDlqNotEmpty", "AllocationIngestStalled",
            "AllocationErrorRateHigh"} <= names  # fmt: skip
    for rule in rules():
        assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}
        assert re.fullmatch(r"\d+[smh]", rule["for"])
        assert rule["labels"]["severity"] in {"warning", "critical"}
        assert rule["annotations"]["summary"]


def test_every_metric_a_rule_names_is_exported(exported):
    for rule in rules():
        named = set(METRIC.findall(rule["expr"]))
        assert named, rule["alert"]
        assert named <= exported, (rule["alert"], named - exported)


def test_a_misspelt_metric_would_be_caught(exported):
    assert "allocations_dead_letters_parked" in exported
    assert "allocations_dead_letter_parked" not in exported

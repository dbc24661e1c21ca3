"""config/routers.py: with a replica configured, the dashboards' reads go to the ``replica`` alias (here
a TEST MIRROR of default: the same test database through a second connection), every write and every
other read to ``default``."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ansinh.config.routers import REPLICA, ReplicaRouter, replica_reads
from ansinh.enrollment.models import Scheme
from ansinh.org.models import Role
from ansinh.reports.models import Fact, PlanTarget
from tests.builders import COMMUNE_X, commune, user

both = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])


@pytest.fixture
def replica_on(settings: Any, nghe_an_map: None) -> None:
    settings.ANSINH_READ_REPLICA = True


def _tables(captured: CaptureQueriesContext) -> str:
    return " ".join(q["sql"] for q in captured.captured_queries)


def _dashboard(client: Client, url: str) -> tuple[CaptureQueriesContext, CaptureQueriesContext]:
    with CaptureQueriesContext(connections["default"]) as primary, \
            CaptureQueriesContext(connections[REPLICA]) as replica:
        response = client.get(url)
    assert response.status_code == 200
    return primary, replica


@both
@pytest.mark.parametrize("url", ["/bao-cao/", "/bao-cao/xep-hang/", "/bao-cao/tai-tuc/"])
def test_a_dashboard_reads_its_figures_from_the_replica_and_the_session_from_the_primary(
        replica_on: None, url: str) -> None:
    client = Client()
    client.force_login(user(Role.OFFICE_MANAGER, COMMUNE_X))
    primary, replica = _dashboard(client, url)
    assert "reports_" in _tables(replica) or "enrollment_" in _tables(replica)
    assert "org_grant" in _tables(replica)  # the scope, read while the page is built
    assert "reports_" not in _tables(primary) and "org_grant" not in _tables(primary)
    assert "django_session" in _tables(primary) and "django_session" not in _tables(replica)
    assert not [q for q in replica.captured_queries if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]


@both
def test_without_a_replica_everything_stays_on_the_primary(nghe_an_map: None) -> None:
    client = Client()
    client.force_login(user(Role.OFFICE_MANAGER, COMMUNE_X))
    primary, replica = _dashboard(client, "/bao-cao/")
    assert replica.captured_queries == [] and "reports_" in _tables(primary)


@both
def test_writes_and_reads_in_a_transaction_use_the_primary_and_a_committed_row_is_read_back(
        replica_on: None) -> None:
    router = ReplicaRouter()
    area = commune(COMMUNE_X)
    with replica_reads():
        assert router.db_for_read(Fact) == REPLICA
        assert router.db_for_write(Fact) == "default"
        with CaptureQueriesContext(connections["default"]) as primary, \
                CaptureQueriesContext(connections[REPLICA]) as replica:
            target = PlanTarget.objects.create(year=2025, area=area, scheme=Scheme.VSI, value=10)
            with transaction.atomic():
                assert router.db_for_read(Fact) == "default"  # must see the transaction's own writes
                assert PlanTarget.objects.filter(pk=target.pk).exists()
            assert PlanTarget.objects.get(pk=target.pk).value == 10  # committed: the mirror sees it
        assert "INSERT" in _tables(primary) and "INSERT" not in _tables(replica)
        assert len(replica.captured_queries) == 1 and "reports_plantarget" in _tables(replica)
    assert router.db_for_read(Fact) == "default"  # outside the block
    assert router.allow_migrate(REPLICA, "reports") is False and router.allow_migrate("default", "reports")

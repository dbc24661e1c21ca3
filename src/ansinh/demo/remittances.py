"""The demo's handovers (issue 13.7): the cash its agents collected was handed over, the next day, to the
collector, and the collector sent it on to BHXH the same day. Without them the reconciliation would show
the 2022 campaign's cash as held and overdue for years, which is not what happened in the scenario.

Idempotent: one remittance per agent and day of collection (key ``demo-nop-…``) and one transfer per
collector and day (``demo-bhxh-…``); a key already written is left as it is. Only the demo's own
payments (idempotency keys ``demo-…``) are handed over, never what someone recorded on the demo since.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from ansinh.payments.models import Payment, PaymentMethod, Remittance, RemittanceKind

REFERENCE = "Nộp tiền (demo)"


def record_demo_remittances() -> int:
    """Write the handovers not written yet; returns how many were written."""
    cash = (Payment.objects.filter(idempotency_key__startswith="demo-", method=PaymentMethod.CASH,
                                   agent__isnull=False)
            .annotate(day=TruncDate("paid_at", tzinfo=timezone.get_default_timezone()))
            .values_list("agent_id", "agent__code", "collector_id", "collector__code", "day")
            .annotate(total=Sum("amount")).order_by("agent__code", "day"))
    wanted: list[Remittance] = []
    sent: dict[tuple[int, str, date], int] = defaultdict(int)
    for agent_id, agent_code, collector_id, collector_code, day, total in cash:
        if total <= 0:
            continue
        handed = day + timedelta(days=1)
        wanted.append(Remittance(kind=RemittanceKind.AGENT_TO_COLLECTOR, agent_id=agent_id, collector_id=collector_id,
                                 amount=total, remitted_on=handed, reference=REFERENCE,
                                 idempotency_key=f"demo-nop-{agent_code}-{day:%Y%m%d}"))
        sent[(collector_id, collector_code, handed)] += total
    wanted += [Remittance(kind=RemittanceKind.COLLECTOR_TO_BHXH, collector_id=collector_id, amount=total,
                          remitted_on=on, reference=REFERENCE, idempotency_key=f"demo-bhxh-{code}-{on:%Y%m%d}")
               for (collector_id, code, on), total in sorted(sent.items(), key=lambda item: (item[0][1], item[0][2]))]
    done = set(Remittance.objects.filter(idempotency_key__in=[r.idempotency_key for r in wanted])
               .values_list("idempotency_key", flat=True))
    new = [r for r in wanted if r.idempotency_key not in done]
    Remittance.objects.bulk_create(new, batch_size=1000)
    return len(new)

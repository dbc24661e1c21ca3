"""Provincial top-ups (hỗ trợ thêm của ngân sách địa phương): one dated parameter per province.

A province's People's Council may add support on top of the state's, per group, for a period
(Nghệ An: NQ 07/2025/NQ-HĐND, 01/07/2025–31/12/2030). A top-up never blocks work: where the
province has no file, or only an ``unpublished`` marker (a resolution known to exist whose figures
are not configured), the amount is computed without it and a :class:`Notice` says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from ansinh.lib.errors import invalid_input
from ansinh.lib.i18n import N_, translate
from ansinh.rules.params import Notice, Scalar, UsedParameters

NOT_CONFIGURED = "local_support_not_configured"
VSI = "local_support"  # VSI top-ups: local_support/NN.yaml
HI = "household_hi/local_support"  # household-HI top-ups: household_hi/local_support/NN.yaml


def highest_rate(rates: Mapping[str, Scalar], groups: Iterable[str]) -> Decimal:
    """The highest rate among the groups (and 'other', which everyone is); unlisted → 'other'."""
    other = Decimal(rates.get("other", 0))
    return max([other, *(Decimal(rates.get(g, other)) for g in groups)])


def check_province(province: str) -> None:
    if not (len(province) == 2 and province.isdigit()):
        raise invalid_input(
            N_("Mã tỉnh «{province}» không hợp lệ (2 chữ số, ví dụ 40).").format(province=province),
            f"Province code {province!r} must be two digits, e.g. 40.",
            field="province",
        )


def not_configured(province: str, title: str | None) -> Notice:
    what = f"theo {title}" if title else translate(N_("(mã tỉnh {province})")).format(province=province)
    return Notice(
        NOT_CONFIGURED,
        N_("Chưa gồm hỗ trợ của tỉnh {what} — chưa cấu hình.").format(what=what),
        f"Without the provincial top-up {title or 'of province ' + province}: not configured.",
    )


def local_rates(kind: str, province: str | None, use: UsedParameters) -> tuple[Mapping[str, Scalar], Notice | None]:
    """The province's top-up rates by group on the lookup date, and a notice when they could not be applied.

    No province → none. A top-up not in force (before it starts, after it ends) → none, nothing to say.
    No file, or an ``unpublished`` marker → none, and a notice naming the resolution."""
    if province is None:
        return {}, None
    check_province(province)
    name = f"{kind}/{province}"
    if name not in use.params:
        return {}, not_configured(province, None)
    parameter = use.params.get(name)
    marker = parameter.unpublished_on(use.on)
    if marker is not None:
        return {}, not_configured(province, marker.title)
    if not parameter.in_force(use.on):
        return {}, None
    rates: Mapping[str, Scalar] = use.get(name)
    return rates, None


def local_rate(
    kind: str, province: str | None, groups: Iterable[str], use: UsedParameters
) -> tuple[Decimal, Notice | None]:
    """The highest of the province's top-up rates among ``groups`` (see :func:`local_rates`)."""
    rates, notice = local_rates(kind, province, use)
    return highest_rate(rates, groups), notice

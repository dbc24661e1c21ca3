"""Same formulas as ansinh.rules.vsi (regular method) and ansinh.rules.household_hi, per person-row.

OpenFisca computes in floating point; amounts here are integer đồng rounded half-up at the same
points as ansinh, computed in float64 (exact for these rates and magnitudes).
"""

import numpy as np
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from openfisca_ansinh.entities import Person


def _round(x):
    return np.floor(np.asarray(x, dtype=np.float64) + 0.5).astype(np.int64)


def _support_rate(rates, groups):
    """Highest tier among the row's groups (bit mask), in float64."""
    tier = np.full(len(groups), rates.other, dtype=np.float64)
    for bit, name in ((1, "poor"), (2, "near_poor"), (4, "ethnic_minority"), (8, "island")):
        tier = np.where(groups & bit, np.maximum(tier, rates[name]), tier)
    return tier


class vsi_income(Variable):
    value_type = int
    entity = Person
    definition_period = MONTH
    label = "Thu nhập lựa chọn"


class vsi_months(Variable):
    value_type = int
    entity = Person
    definition_period = MONTH
    label = "Kỳ đóng (tháng)"


class vsi_groups(Variable):
    value_type = int
    entity = Person
    definition_period = MONTH
    label = "Nhóm hỗ trợ (bit: 1 nghèo, 2 cận nghèo, 4 DTTS, 8 xã đảo)"


class vsi_supported_months_used(Variable):
    value_type = int
    entity = Person
    definition_period = MONTH
    label = "Số tháng đã được hỗ trợ"


class vsi_gross(Variable):
    value_type = int  # OpenFisca's float is float32: too coarse for đồng above 16.7 million
    entity = Person
    definition_period = MONTH

    def formula(person, period, parameters):
        p = parameters(period).vsi
        income = person("vsi_income", period).astype(np.float64)
        return _round(p.contribution_rate * income * person("vsi_months", period))


class vsi_state_support(Variable):
    value_type = int  # OpenFisca's float is float32: too coarse for đồng above 16.7 million
    entity = Person
    definition_period = MONTH

    def formula(person, period, parameters):
        p = parameters(period)
        tier = _support_rate(p.vsi.state_support_rate, person("vsi_groups", period))
        left = np.maximum(p.vsi.state_support_max_months - person("vsi_supported_months_used", period), 0)
        months = np.where(tier > 0, np.minimum(person("vsi_months", period), left), 0)
        return _round(months * p.vsi.contribution_rate * p.rural_poverty_line * tier)


class vsi_payable(Variable):
    value_type = int  # OpenFisca's float is float32: too coarse for đồng above 16.7 million
    entity = Person
    definition_period = MONTH

    def formula(person, period, parameters):
        return person("vsi_gross", period) - person("vsi_state_support", period)


class hi_rank(Variable):
    value_type = int
    entity = Person
    definition_period = MONTH
    label = "Thứ tự thành viên trong năm"


class hi_months(Variable):
    value_type = int
    entity = Person
    definition_period = MONTH


class hi_amount(Variable):
    value_type = int  # OpenFisca's float is float32: too coarse for đồng above 16.7 million
    entity = Person
    definition_period = MONTH

    def formula(person, period, parameters):
        p = parameters(period)
        factors = p.household_hi.rank_factors
        rank = person("hi_rank", period)
        factor = np.select(
            [rank == 1, rank == 2, rank == 3, rank == 4],
            [factors.first, factors.second, factors.third, factors.fourth],
            default=factors.fifth_and_later,
        )
        monthly = p.household_hi.contribution_rate * p.base_salary * factor
        return _round(monthly * person("hi_months", period))


ALL = [vsi_income, vsi_months, vsi_groups, vsi_supported_months_used, vsi_gross,
       vsi_state_support, vsi_payable, hi_rank, hi_months, hi_amount]

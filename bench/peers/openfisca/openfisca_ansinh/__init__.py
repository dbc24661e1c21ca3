"""ansinh's two contribution formulas as an OpenFisca country package (benchmark peer)."""

from pathlib import Path

from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from openfisca_ansinh import entities, variables


class AnsinhTaxBenefitSystem(TaxBenefitSystem):
    def __init__(self) -> None:
        super().__init__(entities.ENTITIES)
        self.add_variables(*variables.ALL)
        self.load_parameters(str(Path(__file__).parent / "parameters"))

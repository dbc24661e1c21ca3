from openfisca_core.entities import build_entity

Household = build_entity(
    key="household",
    plural="households",
    label="Hộ gia đình",
    roles=[{"key": "member", "plural": "members", "label": "Thành viên"}],
)
Person = build_entity(key="person", plural="persons", label="Người", is_person=True)

ENTITIES = [Household, Person]

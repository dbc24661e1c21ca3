"""Registering and changing people: validation, duplicates, scope, audit, and nothing half-written."""

from __future__ import annotations

from datetime import date

import pytest

from ansinh.lib.errors import DomainError
from ansinh.org.fields import PersonalField, shown
from ansinh.registry import lookups, services
from ansinh.registry.models import AuditEntry, Person
from tests.builders import COMMUNE_Y, Personas, commune, person_data, personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def who() -> Personas:
    return personas()


def counts() -> tuple[int, int]:
    return Person.objects.count(), AuditEntry.objects.count()


def test_an_agent_registers_a_person_in_its_commune(who: Personas) -> None:
    person = services.create_person(who.agent, who.scope(who.agent), person_data())
    assert person.phone == "0912345678" and person.folded_name == "nguyen van an"
    entry = AuditEntry.objects.get(entity="person", entity_id=person.pk)
    assert (entry.action, entry.actor) == ("create", who.agent)
    assert entry.changes["citizen_id"] == [None, "040******123"]  # the audit never holds the full ID
    assert entry.changes["phone"] == [None, "091****678"]


def test_a_refused_citizen_id_writes_nothing(who: Personas) -> None:
    before = counts()
    with pytest.raises(DomainError) as refused:
        services.create_person(who.agent, who.scope(who.agent), person_data(citizen_id="040185000123"))
    assert refused.value.code == "citizen_id_invalid"
    assert "chữ số thứ 4" in refused.value.message
    assert counts() == before


def test_the_agent_cannot_register_outside_its_commune(who: Personas) -> None:
    before = counts()
    with pytest.raises(DomainError) as refused:
        services.create_person(who.agent, who.scope(who.agent), person_data(area_id=commune(COMMUNE_Y).pk))
    assert refused.value.code == "not_found"
    assert counts() == before


def test_the_outsider_can_neither_write_nor_read(who: Personas) -> None:
    services.create_person(who.agent, who.scope(who.agent), person_data())
    with pytest.raises(DomainError):
        services.create_person(who.outsider, who.scope(who.outsider), person_data(citizen_id=None))
    assert list(lookups.search_people(who.outsider, who.scope(who.outsider), "nguyen").page) == []


def test_a_known_citizen_id_is_refused_with_a_pointer(who: Personas) -> None:
    first = services.create_person(who.agent, who.scope(who.agent), person_data())
    with pytest.raises(DomainError) as refused:
        services.create_person(who.agent, who.scope(who.agent), person_data(full_name="Nguyễn An"))
    assert refused.value.code == "duplicate_citizen_id"
    assert refused.value.details["existing_id"] == first.pk
    assert f"#{first.pk}" in refused.value.message


def test_the_pointer_hides_a_person_outside_the_scope(who: Personas) -> None:
    services.create_person(who.admin, who.scope(who.admin), person_data(area_id=commune(COMMUNE_Y).pk))
    with pytest.raises(DomainError) as refused:
        services.create_person(who.agent, who.scope(who.agent), person_data())
    assert refused.value.details["existing_id"] is None and "địa bàn khác" in refused.value.message


def test_a_probable_duplicate_needs_confirmation(who: Personas) -> None:
    scope = who.scope(who.agent)
    services.create_person(who.agent, scope, person_data(citizen_id=None))
    with pytest.raises(DomainError) as flagged:
        services.create_person(who.agent, scope, person_data(citizen_id=None, full_name="NGUYỄN  văn an"))
    assert flagged.value.code == "probable_duplicate"
    services.create_person(who.agent, scope, person_data(citizen_id=None), confirm_probable_duplicate=True)
    assert Person.objects.count() == 2


def test_search_ignores_case_and_diacritics_and_finds_ids_and_phones(who: Personas) -> None:
    scope = who.scope(who.agent)
    services.create_person(who.agent, scope, person_data())
    services.create_person(who.agent, scope, person_data(full_name="Trần Thị Bình", citizen_id=None, phone="",
                                                           sex="female", date_of_birth=date(1990, 1, 1)))
    def found(text: str) -> list[str]:
        return [p.full_name for p in lookups.search_people(who.agent, scope, text).page]

    assert found("nguyen van a") == ["Nguyễn Văn An"]
    assert found("TRAN thi") == ["Trần Thị Bình"]
    assert found("040085000123") == found("+84912345678") == ["Nguyễn Văn An"]


def test_search_is_scoped(who: Personas) -> None:
    services.create_person(who.agent, who.scope(who.agent), person_data())
    assert len(lookups.search_people(who.manager_elsewhere, who.scope(who.manager_elsewhere), "nguyen").page) == 0
    assert len(lookups.search_people(who.admin, who.scope(who.admin), "nguyen").page) == 1


def test_lists_mask_identifiers_for_every_role(who: Personas) -> None:
    person = services.create_person(who.agent, who.scope(who.agent), person_data(si_code="4012345678"))
    for role in (who.agent, who.admin):
        assert shown(who.scope(role), PersonalField.CITIZEN_ID, person.citizen_id) == "040******123"
        assert shown(who.scope(role), PersonalField.PHONE, person.phone) == "091****678"
    entry = AuditEntry.objects.get(entity_id=person.pk, action="create")
    assert entry.changes["si_code"] == [None, "40******78"]  # the audit masks the SI code too


def test_revealing_a_full_id_is_audited(who: Personas) -> None:
    person = services.create_person(who.agent, who.scope(who.agent), person_data())
    assert services.reveal_citizen_id(who.agent, who.scope(who.agent), person.pk) == "040085000123"
    assert AuditEntry.objects.filter(action="reveal", entity_id=person.pk, actor=who.agent).count() == 1
    with pytest.raises(DomainError):
        services.reveal_citizen_id(who.manager_elsewhere, who.scope(who.manager_elsewhere), person.pk)


def test_an_update_records_what_changed(who: Personas) -> None:
    scope = who.scope(who.agent)
    person = services.create_person(who.agent, scope, person_data())
    services.update_person(who.agent, scope, person.pk, person_data(full_name="Nguyễn Văn Ân", phone="0987654321"))
    entry = AuditEntry.objects.filter(action="update").get()
    assert entry.changes == {"full_name": ["Nguyễn Văn An", "Nguyễn Văn Ân"], "phone": ["091****678", "098****321"]}
    person.refresh_from_db()
    assert person.folded_name == "nguyen van an"


def test_the_manager_of_another_area_cannot_change_or_delete(who: Personas) -> None:
    person = services.create_person(who.agent, who.scope(who.agent), person_data())
    with pytest.raises(DomainError):
        services.update_person(who.manager_elsewhere, who.scope(who.manager_elsewhere), person.pk,
                               person_data(full_name="Đổi Tên"))
    with pytest.raises(DomainError):
        services.delete_person(who.manager_elsewhere, who.scope(who.manager_elsewhere), person.pk)
    person.refresh_from_db()
    assert person.full_name == "Nguyễn Văn An"


def test_audit_entries_are_append_only(who: Personas) -> None:
    person = services.create_person(who.agent, who.scope(who.agent), person_data())
    entry = AuditEntry.objects.get(entity_id=person.pk)
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()

"""Querysets compiled once per process and run again with other values (issue 14, the payment path).

Django compiles a queryset's SQL on every run (joins, ``select_related``, annotations): on the payment
path that was most of the Python time of a payment. ``Prepared`` compiles a queryset built from sample
values once, remembers where each sample sits among the statement's parameters, and then runs the same
SQL with the real values, building the model instances as ``ModelIterable`` does (``select_related``
objects and annotations included). The samples must be values that appear nowhere else in the query's
parameters (the constructor checks that each is found exactly once), of the type the field stores.

Thread-safe: the compiled template is read-only; each run takes a shallow copy bound to the calling
thread's connection. One template per database alias.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators
from django.db.models.sql.constants import MULTI

M = TypeVar("M", bound=Model)


class Prepared(Generic[M]):
    """``Prepared(lambda pk, day: Person.objects.filter(pk=pk, ...), pk=-990001, day=date(1901, 2, 3))``,
    then ``.first(pk=5, day=today)``. The builder is called once per database alias, with the samples."""

    def __init__(self, build: Callable[..., QuerySet[M]], **samples: Any) -> None:
        self._build, self._samples = build, samples
        self._templates: dict[str, tuple[Any, str, list[Any], dict[str, list[tuple[int, bool]]]]] = {}
        self._lock = threading.Lock()

    def _template(self, alias: str) -> tuple[Any, str, list[Any], dict[str, list[tuple[int, bool]]]]:
        found = self._templates.get(alias)
        if found is None:
            with self._lock:
                queryset = self._build(**self._samples)
                compiler = queryset.query.get_compiler(using=alias)
                sql, params = compiler.as_sql()
                params = list(params)
                where: dict[str, list[tuple[int, bool]]] = {}
                for name, sample in self._samples.items():
                    # As given, or as text: SQLite's backend passes a day as its ISO text.
                    hits = [(i, type(value) is not type(sample)) for i, value in enumerate(params)
                            if (type(value) is type(sample) and value == sample)
                            or (isinstance(value, str) and not isinstance(sample, str) and value == str(sample))]
                    if not hits:
                        raise ValueError(f"Prepared: sample {name}={sample!r} is not among {params!r}")
                    where[name] = hits
                found = self._templates[alias] = (compiler, sql, params, where)
        return found

    def all(self, using: str = "default", **values: Any) -> list[M]:
        template, sql, sample_params, where = self._template(using)
        params = list(sample_params)
        for name, positions in where.items():
            for position, as_text in positions:
                params[position] = str(values[name]) if as_text else values[name]
        compiler = copy.copy(template)
        compiler.connection = connections[using]
        compiler.as_sql = lambda *args, **kwargs: (sql, tuple(params))
        results = compiler.execute_sql(MULTI)
        select, klass_info, annotation_col_map = compiler.select, compiler.klass_info, compiler.annotation_col_map
        model_cls = klass_info["model"]
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        init_list = [f[0].target.attname for f in select[start:end]]
        populators = get_related_populators(klass_info, select, using)
        found: list[M] = []
        for row in compiler.results_iter(results):
            obj = model_cls.from_db(using, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in (annotation_col_map or {}).items():
                setattr(obj, name, row[position])
            found.append(obj)
        return found

    def first(self, using: str = "default", **values: Any) -> M | None:
        found = self.all(using, **values)
        return found[0] if found else None

"""Shared by the views: run one service behind a form, and turn "not in your scope" into a 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404

from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.web.registry_forms import DomainForm


def run_service(form: DomainForm, action: Callable[[], Any]) -> Any:
    """Run a service if the form is valid; a refusal goes beside its field. None when refused."""
    if not form.is_valid():
        return None
    try:
        return action()
    except DomainError as error:
        if error.code is ErrorCode.NOT_FOUND:
            raise Http404(error.message) from None
        form.add_domain_error(error)
        return None


def or_404(read: Callable[[], Any]) -> Any:
    try:
        return read()
    except DomainError as error:
        raise Http404(error.message) from None

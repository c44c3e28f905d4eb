"""The methods page: every statistical method behind the observatory's figures."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from safecity_web.observatory import methods_catalogue


def methods_page(request: HttpRequest) -> HttpResponse:
    """The methods appendix of the Strategic Assessment, with an anchor on each entry."""
    return render(
        request,
        "observatory/methods.html",
        {"methods": list(methods_catalogue.entries().values())},
    )

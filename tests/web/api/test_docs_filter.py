"""The docs page's ``inline_code`` filter: text escaped, backtick spans shown as code."""

from __future__ import annotations

from safecity_web.api.templatetags.api_docs import inline_code


def test_backtick_spans_become_code_and_everything_else_is_escaped() -> None:
    assert inline_code("says why: `meta.reason` or `page`") == (
        "says why: <code>meta.reason</code> or <code>page</code>"
    )
    assert inline_code("<script>alert(1)</script> `<b>`") == (
        "&lt;script&gt;alert(1)&lt;/script&gt; <code>&lt;b&gt;</code>"
    )
    assert inline_code("an unmatched ` stays") == "an unmatched ` stays"

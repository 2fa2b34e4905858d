"""The Content-Security-Policy (Django's own, settings.SECURE_CSP) is on every page, and
no template holds script the policy would refuse: an inline <script> without the nonce,
an on…= handler, a javascript: address."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from zongzhi.accounts.rules import Role
from zongzhi.conftest import Cast

TEMPLATES = sorted(Path(settings.BASE_DIR, "zongzhi").glob("**/templates/**/*.html"))
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"""\s(on[a-z]+|hx-on[:\w-]*)\s*=\s*["']""", re.IGNORECASE)


def test_every_inline_script_carries_the_nonce_and_no_handler_is_inline() -> None:
    assert len(TEMPLATES) > 50
    refused = []
    for path in TEMPLATES:
        text = path.read_text(encoding="utf-8")
        for tag in SCRIPT_TAG.findall(text):
            if "src=" not in tag and 'nonce="{{ csp_nonce }}"' not in tag:
                refused.append(f"{path}: {tag}")
        if HANDLER.search(text) or "javascript:" in text:
            refused.append(f"{path}: inline handler or javascript: address")
    assert refused == []


@pytest.mark.django_db
def test_pages_carry_the_policy_and_the_inline_script_its_nonce(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    page = client.get("/cases/new/")
    policy = page["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ):
        assert directive in policy
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce is not None
    assert f'<script nonce="{nonce.group(1)}">' in page.content.decode()
    assert "Content-Security-Policy" in Client().get("/portal/")

"""What a request says about who sent it."""

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The sender's address. Behind N reverse proxies (settings.ZONGZHI_PROXY_HOPS), the
    Nth address from the right of X-Forwarded-For: the one our own proxy saw, which the
    sender cannot forge. Without it, every request behind a proxy has the proxy's address,
    and a limit per address becomes one limit for everybody."""
    hops = int(getattr(settings, "ZONGZHI_PROXY_HOPS", 0) or 0)
    if hops > 0:
        chain = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        chain = [a for a in chain if a]
        if len(chain) >= hops:
            return chain[-hops]
    return str(request.META.get("REMOTE_ADDR", ""))

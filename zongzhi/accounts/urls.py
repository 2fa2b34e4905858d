from django.contrib.auth import views as auth_views
from django.urls import path

from zongzhi.accounts import views
from zongzhi.accounts.middleware import two_factor_exempt

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", two_factor_exempt(auth_views.LogoutView.as_view()), name="logout"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("security/", views.security, name="security"),
    path("password/", views.password_change, name="password_change"),
    path("two-factor/enrol/", views.two_factor_enrol, name="two_factor_enrol"),
    path("two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path(
        "two-factor/recovery-codes/new/",
        views.recovery_codes_regenerate,
        name="recovery_codes_regenerate",
    ),
    path("two-factor/remove/", views.two_factor_remove, name="two_factor_remove"),
]

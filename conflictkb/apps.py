from django.apps import AppConfig


class ConflictKBConfig(AppConfig):
    name = "conflictkb"
    verbose_name = "ConflictKB"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from conflictkb.security import forget_user_failures, record_login_failure

        user_login_failed.connect(record_login_failure, dispatch_uid="ckb-login-failed")
        user_logged_in.connect(forget_user_failures, dispatch_uid="ckb-logged-in")

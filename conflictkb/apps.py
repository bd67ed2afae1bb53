from django.apps import AppConfig


class ConflictKBConfig(AppConfig):
    name = "conflictkb"
    verbose_name = "ConflictKB"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed
        from django.db.models.signals import post_migrate
        from pghistory import runtime

        from conflictkb.audit import install_audit_guard, signing_history_context
        from conflictkb.security import forget_user_failures, record_login_failure

        # Every context pghistory sets is signed, so the database can tell it from a forgery.
        runtime._inject_history_context = signing_history_context
        post_migrate.connect(install_audit_guard, sender=self, dispatch_uid="ckb-audit-guard")

        user_login_failed.connect(record_login_failure, dispatch_uid="ckb-login-failed")
        user_logged_in.connect(forget_user_failures, dispatch_uid="ckb-logged-in")

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The floor every app stands on: publication rules, audit wiring, data version, security."""

    name = "core"
    # The label the floor's migrations and tables were first recorded under: keeping it lets
    # existing databases migrate on without renaming a table or a migration record.
    label = "conflictkb"
    verbose_name = "ConflictKB"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed
        from django.db.models.signals import post_migrate
        from pghistory import runtime

        from core.audit import install_audit_guard, signing_history_context
        from core.security import forget_user_failures, record_login_failure

        # Every context pghistory sets is signed, so the database can tell it from a forgery.
        runtime._inject_history_context = signing_history_context
        post_migrate.connect(install_audit_guard, sender=self, dispatch_uid="ckb-audit-guard")

        user_login_failed.connect(record_login_failure, dispatch_uid="ckb-login-failed")
        user_logged_in.connect(forget_user_failures, dispatch_uid="ckb-logged-in")

"""JiangXuan (匠选): skills competitions and talent selection. create_app() builds the app."""
from __future__ import annotations


from flask import Flask

from .config import INSTANCE_DIR, check_production, config_for


def create_app(config_name: str | None = None, **overrides) -> Flask:
    from .uow import JiangXuan

    from .web import install_converters

    app = JiangXuan(__name__, template_folder="../templates", instance_path=str(INSTANCE_DIR))
    install_converters(app)
    app.config.from_object(config_for(config_name))
    app.config.update(overrides)
    check_production(app.config)
    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)

    from .accounts.passwords import configure as configure_passwords

    configure_passwords(app, app.config.get("ARGON2_TIME_COST"), app.config.get("ARGON2_MEMORY_COST"),
                        app.config.get("ARGON2_PARALLELISM"))

    from .extensions import babel, csrf, db, install_sqlite_pragmas, limiter, login_manager, migrate
    from .i18n import select_locale

    install_sqlite_pragmas()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(INSTANCE_DIR.parent / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    from .accounts import ratelimit_db, ratelimit_redis  # noqa: F401  (register the jxdb:// and jxredis:// storages)
    limiter.init_app(app)
    from .accounts import throttle
    throttle.init_app(app)

    from . import observability, web
    observability.init_app(app)  # first: its request id and timer wrap every other hook
    from . import replica
    replica.init_app(app)
    web.init_app(app)

    from .accounts import bp as accounts_bp
    from .api import bp as api_bp
    from .audit import bp as audit_bp
    from .competitions import bp as competitions_bp
    from .judging import bp as judging_bp
    from .public import bp as main_bp  # the public views register on their areas' blueprints too
    from .people import bp as people_bp
    from .registration import bp as registration_bp
    from .results import bp as results_bp
    from .selection import bp as selection_bp
    from .certificates import bp as certificates_bp
    from .jobs import bp as jobs_bp
    from .nominations import bp as nominations_bp
    from .analytics import bp as analytics_bp
    from .records import bp as records_bp
    from .sponsors import bp as sponsors_bp
    from .delegations import bp as delegations_bp
    from .projects import bp as projects_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(people_bp)
    app.register_blueprint(competitions_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(registration_bp)
    app.register_blueprint(judging_bp)
    app.register_blueprint(results_bp)
    app.register_blueprint(selection_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(jobs_bp)
    app.register_blueprint(nominations_bp)
    app.register_blueprint(analytics_bp)
    app.register_blueprint(records_bp)
    app.register_blueprint(sponsors_bp)
    app.register_blueprint(delegations_bp)
    app.register_blueprint(projects_bp)
    from .selection.operations import policy_sets
    policy_sets()  # a bad policy file stops the start, with its line and reason
    from . import rubrics
    rubrics.load()  # so does a bad scheme template (app/rubrics/*.yaml)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    csrf.exempt(api_bp)
    from .api.openapi import docs_bp
    app.register_blueprint(docs_bp)

    from . import wiring
    wiring.connect()  # the cross-area reactions, in their order
    from . import cli
    cli.init_app(app)
    return app

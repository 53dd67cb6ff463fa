"""Command-line tools: `flask create-admin`, `flask demo`, `flask audit verify`."""
from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select

from .domain.errors import ValidationFailed
from . import uow
from .extensions import db
from .i18n import field_errors


def init_app(app: Flask) -> None:
    from .certificates import cli as certificates_cli
    certificates_cli.init_app(app)  # flask certificates keys … / verify

    @app.cli.command("create-admin")
    @click.argument("username")
    @click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
                  help="Prompted for when left out.")
    @click.option("--name", default=None, help="Display name (defaults to the user name).")
    def create_admin(username: str, password: str, name: str | None):
        """Create an administrator account (for bootstrapping a fresh database)."""
        from .accounts.models import User
        from .accounts.operations import create_user, normalize_username

        if db.session.scalar(select(User).where(User.username == normalize_username(username))):
            raise click.ClickException(f"user {username!r} exists already")
        try:
            create_user({"username": username, "password": password, "name": name or username,
                         "roles": ["admin"]})
        except ValidationFailed as exc:
            db.session.rollback()
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in field_errors(exc).items())
            raise click.ClickException(problems) from None
        uow.commit()
        click.echo(f"administrator {normalize_username(username)} created")

    @app.cli.command("pdf-setup")
    @click.option("--force", is_flag=True, help="Cut the fonts again even if they exist.")
    def pdf_setup(force: bool):
        """Check the PDF dependencies (HarfBuzz subsetter, Noto CJK and Tibetan fonts) and cut the
        CJK fonts for fast certificates. Fails loudly when something is missing."""
        from pathlib import Path

        from .pdf import fonts

        problems = fonts.check_system()
        if problems:
            raise click.ClickException("PDF set-up incomplete:\n  " + "\n  ".join(problems))
        try:
            made = fonts.build(Path(app.config["PDF_FONT_DIR"]), force=force)
        except (fonts.FontSetupError, OSError) as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"PDF fonts ready in {app.config['PDF_FONT_DIR']} ({len(made)} cut now)")

    @app.cli.command("run-job")
    @click.argument("job_id")
    def run_job(job_id: str):
        """Run (or resume) a background job in the foreground, e.g. after a crash."""
        from .jobs import runner
        from .jobs.models import Job

        job = db.session.get(Job, job_id)
        if job is None:
            raise click.ClickException(f"no job {job_id}")
        if job.status != "running":
            job.status = "queued"
            uow.commit()
        runner.run(job_id)
        job = db.session.get(Job, job_id)
        db.session.refresh(job)
        click.echo(f"job {job_id}: {job.status} {job.done}/{job.total} {job.error or ''}".rstrip())
        if job.status != "done":
            raise SystemExit(1)

    jobs = click.Group("jobs", help="Background jobs.")
    app.cli.add_command(jobs)

    @jobs.command("cleanup")
    def jobs_cleanup():
        """Delete the stored files of jobs finished more than JOB_FILE_RETENTION_DAYS ago (for cron;
        every job run does the same at its end)."""
        from .jobs import runner

        total = 0
        while batch := runner.expire_files():
            uow.commit()
            total += len(batch)
        click.echo(f"deleted the files of {total} jobs finished more than {runner.retention_days()} days ago")

    @app.cli.command("demo")
    @click.option("--reset", is_flag=True, help="Drop every table and migrate from empty first (the audit trail is append-only).")
    def demo(reset: bool):
        """Load the demo data set (prints the demo accounts and passwords)."""
        from .demo import load_demo

        accounts = load_demo(reset=reset)
        if accounts is None:
            click.echo("demo data already loaded (use --reset to load it again)")
            return
        click.echo("Demo accounts (user name / password / roles):")
        for username, password, roles in accounts:
            click.echo(f"  {username:<16} {password:<16} {', '.join(roles)}")

    @app.cli.command("backup")
    @click.argument("target", required=False)
    def backup_command(target: str | None):
        """Copy the SQLite database (online, consistent) to TARGET and check it."""
        from datetime import datetime
        from pathlib import Path

        from .backup import BackupError, backup, results_hash

        path = Path(target or Path(app.instance_path) / "backups" / f"jiangxuan-{datetime.now():%Y%m%d-%H%M%S}.db")
        try:
            backup(path)
        except BackupError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"backup written to {path} ({path.stat().st_size} bytes, integrity ok)")
        click.echo(f"results hash {results_hash()}")

    @app.cli.command("restore")
    @click.argument("source")
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    def restore_command(source: str, yes: bool):
        """Replace the SQLite database with the backup SOURCE (checked first)."""
        from pathlib import Path

        from .backup import BackupError, restore, results_hash

        if not yes:
            click.confirm("This replaces every row of the database with the backup. Continue?", abort=True)
        try:
            restore(Path(source))
        except BackupError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"restored from {source}")
        click.echo(f"results hash {results_hash()}")

    @app.cli.command("results-hash")
    def results_hash_command():
        """Print the hash of the stored results (compare before a backup and after a restore)."""
        from .backup import results_hash

        click.echo(results_hash())

    audit = click.Group("audit", help="Audit log tools.")
    app.cli.add_command(audit)

    @audit.command("verify")
    def audit_verify():
        """Check the audit hash chain and report the first broken link."""
        from .audit.operations import verify_chain

        count, broken = verify_chain()
        if broken is not None:
            raise click.ClickException(
                f"chain broken at seq {broken.seq} (id {broken.id}, {broken.action}) after {count} good events")
        click.echo(f"audit chain intact: {count} events")

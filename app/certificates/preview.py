"""What the move to final will issue, shown on the page that confirms it: the certificate
settings that will be used (template, issuing body, serial pattern, a specimen), whether the
issuing body can sign, and a warning when the QR codes would print an address nobody else can
reach. The API keeps issuing at final with the stored settings (or the defaults)."""
from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from ..extensions import db
from . import signing
from .addresses import address_warning, base_url
from .models import CertificateSettings
from .operations import DEFAULT_PATTERN, format_serial


def final_preview(comp) -> Markup:
    stored = db.session.get(CertificateSettings, comp.id)   # a GET never creates the settings row
    host = comp.host_organization
    template = stored.template if stored else "classic"
    issuing_body = (stored.issuing_body if stored else None) or (host.name if host else f"{comp.name}组委会")
    pattern = stored.serial_pattern if stored else DEFAULT_PATTERN
    event = comp.events[0] if comp.events else None
    example = format_serial(pattern, comp, event, 1) if event else None
    html = render_template("certificates/_final_preview.html", comp=comp, stored=stored is not None,
                           template=template, issuing_body=issuing_body, pattern=pattern, example=example,
                           keys=signing.keys_state(comp), address=address_warning(), base=base_url())
    # Our own template, rendered with autoescape: every value in it is escaped.
    return Markup(html)  # nosec B704

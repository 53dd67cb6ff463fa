#!/usr/bin/env python3
"""Run pip-audit on requirements.txt and fail on any known vulnerability — or on any package it
could not check. Usage: scripts/pip_audit_check.py [requirements.txt]

Some PyPI mirrors (and this project's build machines) serve the project JSON
(https://pypi.org/pypi/NAME/json) but not the per-release JSON that pip-audit's PyPI service
asks for, so pip-audit "skips" every package and still says "No known vulnerabilities found".
For each skipped package this script asks the project JSON instead: its `vulnerabilities` list
describes the latest release, so a pin equal to the latest release is checked that way; a pin
older than the latest release that cannot be checked fails the audit (upgrade it, or audit it
where the full PyPI API or OSV is reachable); a transitive package in that case is only listed, and
so is a pin whose newer releases all need a newer Python than the one running (nothing to upgrade to).
"""
from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIP_AUDIT = Path(sys.executable).with_name("pip-audit")


def pins(requirements: Path) -> dict[str, str]:
    out = {}
    for line in requirements.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            out[name.split("[", 1)[0].strip().lower()] = version.strip()
    return out


def project_json(name: str) -> dict:
    with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/json", timeout=60) as resp:  # nosec B310
        return json.load(resp)


PY = ".".join(map(str, sys.version_info[:3]))


def constraints_on(name: str, pinned: dict) -> tuple[str, list[str]]:
    """What the other pinned packages (as installed) require of `name`: a specifier string such as
    "<6.0.0,>=5.4.2" and the packages that ask for it."""
    from importlib import metadata

    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    specs, by = [], []
    for other in pinned:
        if canonicalize_name(other) == canonicalize_name(name):
            continue
        try:
            requires = metadata.requires(other) or []
        except metadata.PackageNotFoundError:
            continue
        for text in requires:
            try:
                req = Requirement(text)
            except InvalidRequirement:
                continue
            if canonicalize_name(req.name) == canonicalize_name(name) and str(req.specifier) and (
                    req.marker is None or req.marker.evaluate({"extra": ""})):
                specs.append(str(req.specifier))
                by.append(f"{other} {pinned[other]} requires {name}{req.specifier}")
    return ",".join(specs), by


def installable_newer(data: dict, version: str, allowed: str = "") -> bool:
    """Whether a release newer than `version` can be installed on this Python (its files'
    Requires-Python) and beside the other pins (`allowed`: what they require of this package)."""
    from packaging.specifiers import SpecifierSet
    from packaging.version import InvalidVersion, Version

    pinned = Version(version)
    for release, files in data.get("releases", {}).items():
        try:
            candidate = Version(release)
        except InvalidVersion:
            continue
        if candidate <= pinned or candidate.is_prerelease or not files:
            continue
        if allowed and candidate not in SpecifierSet(allowed):
            continue
        for f in files:
            if f.get("yanked"):
                continue
            spec = f.get("requires_python")
            if not spec or PY in SpecifierSet(spec):
                return True
    return False


def main() -> int:
    requirements = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "requirements.txt"
    run = subprocess.run([str(PIP_AUDIT), "-r", str(requirements), "--progress-spinner", "off", "-f", "json"],
                         capture_output=True, text=True)
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        print(run.stdout, run.stderr, sep="\n")
        return 2
    pinned = pins(requirements)
    failures, unchecked, checked_by_audit, checked_latest = [], [], 0, 0
    for dep in report["dependencies"]:
        if dep.get("skip_reason") is None:
            checked_by_audit += 1
            for vuln in dep.get("vulns", []):
                failures.append(f"{dep['name']} {dep['version']}: {vuln['id']} (fixed in {', '.join(vuln.get('fix_versions') or ['?'])})")
            continue
        name = dep["name"].lower()
        version = dep["skip_reason"].rsplit("(", 1)[-1].rstrip(")")
        try:
            data = project_json(name)
        except OSError as exc:
            failures.append(f"{name} {version}: could not be checked ({exc})")
            continue
        latest = data["info"]["version"]
        if version != latest:
            message = f"{name} {version}: not the latest release ({latest}); cannot be checked here"
            if name in pinned and not installable_newer(data, version):
                # Every newer release needs a newer Python than this project runs on: there is
                # nothing to upgrade to, so the pin is listed, not failed.
                unchecked.append(message + f" (newer releases need a newer Python than {PY})")
                continue
            allowed, asked_by = constraints_on(name, pinned) if name in pinned else ("", [])
            if name in pinned and allowed and not installable_newer(data, version, allowed):
                # Another pin holds it back (cwt 3.3.0, its latest, requires cbor2<6): upgrading
                # it would break that package; listed, not failed.
                unchecked.append(message + " (held back by " + "; ".join(asked_by) + ")")
                continue
            if name in pinned:
                failures.append(message + " (pinned: upgrade it, or audit where OSV is reachable)")
            else:
                unchecked.append(message + " (required by a pinned package)")
            continue
        checked_latest += 1
        for vuln in data.get("vulnerabilities") or []:
            failures.append(f"{name} {version}: {vuln.get('id')} {', '.join(vuln.get('aliases') or [])}")
    total = len(report["dependencies"])
    print(f"pip-audit: {total} packages; {checked_by_audit} checked by pip-audit, "
          f"{checked_latest} checked as the latest release through the PyPI project JSON; "
          f"{len(unchecked)} not checkable here (listed below); {len(failures)} problems")
    for line in unchecked:
        print("  warning: " + line)
    for line in failures:
        print("  " + line)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""Where organizations and competitions sit: jurisdictions from GB/T 2260 region codes (DESIGN §8).

A region code's first two digits name the province (54 → CN-XZ, 45 → CN-GX); the national code
000000 stands for a national body (a ministry, a national assessment centre), whose jurisdiction
is CN. A competition's jurisdiction must lie within its host organization's: a provincial body
files its own province, a national body CN or any province it hosts for.
"""
from __future__ import annotations

from .errors import N_

NATIONAL_REGION = "000000"

# GB/T 2260 province-level prefixes → ISO 3166-2 subdivision codes.
PROVINCE_ISO = {
    "11": "CN-BJ", "12": "CN-TJ", "13": "CN-HE", "14": "CN-SX", "15": "CN-NM",
    "21": "CN-LN", "22": "CN-JL", "23": "CN-HL",
    "31": "CN-SH", "32": "CN-JS", "33": "CN-ZJ", "34": "CN-AH", "35": "CN-FJ", "36": "CN-JX", "37": "CN-SD",
    "41": "CN-HA", "42": "CN-HB", "43": "CN-HN", "44": "CN-GD", "45": "CN-GX", "46": "CN-HI",
    "50": "CN-CQ", "51": "CN-SC", "52": "CN-GZ", "53": "CN-YN", "54": "CN-XZ",
    "61": "CN-SN", "62": "CN-GS", "63": "CN-QH", "64": "CN-NX", "65": "CN-XJ",
    "71": "CN-TW", "81": "CN-HK", "82": "CN-MO",
}

NATIONAL_LEVELS = frozenset({"world", "national_1", "national_2"})
REGIONAL_LEVELS = frozenset({"provincial_1", "provincial_2", "municipal"})


def region_jurisdiction(region_code: str | None) -> str | None:
    """The jurisdiction of an organization's region code: CN for the national code, the
    province's ISO code otherwise; None when the code names no known province."""
    if not region_code:
        return None
    if region_code == NATIONAL_REGION:
        return "CN"
    return PROVINCE_ISO.get(region_code[:2])


def within(jurisdiction: str | None, scope: str | None) -> bool:
    """Does `jurisdiction` lie within `scope`? CN covers everything; a province only itself."""
    if not jurisdiction or not scope:
        return False
    return scope == "CN" or jurisdiction == scope


def jurisdiction_problems(level: str | None, jurisdiction: str | None,
                          host_scope: str | None) -> list[tuple[str, str, dict]]:
    """(field, message id, params) for each rule a competition's level and jurisdiction break;
    `host_scope` is the host organization's jurisdiction (None: no host to check against)."""
    out: list[tuple[str, str, dict]] = []
    if not jurisdiction:
        return out
    if level in NATIONAL_LEVELS and jurisdiction != "CN":
        out.append(("jurisdiction", N_("A national or world competition is filed under CN (national)."), {}))
    elif level in REGIONAL_LEVELS and jurisdiction == "CN":
        out.append(("jurisdiction", N_("A provincial or municipal competition is filed under its province, not CN."), {}))
    if host_scope is not None and not within(jurisdiction, host_scope):
        out.append(("jurisdiction", N_("The jurisdiction must lie within the host organization's region (%(scope)s)."),
                    {"scope": host_scope}))
    return out

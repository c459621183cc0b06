"""The campaign is the only place the system sends DMs: no other module references DM sending,
and only the campaign function may read the secret with the DM-capable credentials."""

from __future__ import annotations

import re
from pathlib import Path

from samtranslator.yaml_helper import yaml_parse

ROOT = Path(__file__).resolve().parents[2]
DM_PATTERN = re.compile(r"create_direct_message|dm_conversations|DirectMessenger|send_dm|campaign_secret_id|"
                        r"CAMPAIGN_SECRET_ID|twitter-dm")
ALLOWED = {
    "functions/activecare/campaign/",  # the feature itself
    "functions/activecare/settings.py",  # declares the campaign's secret id
    "functions/activecare/wiring.py",  # builds the campaign from it
    # Ops store (and shape-check) the DM credentials with their own IAM identity; no DM is sent from here.
    "functions/activecare/cli/outputs.py",  # the secret's name, from the stack's outputs
    "functions/activecare/cli/secrets.py",  # `secrets set-campaign-dm` / `secrets check`
}


def _allowed(rel: str) -> bool:
    return any(rel == a or rel.startswith(a) for a in ALLOWED)


def test_no_other_module_references_dm_sending() -> None:
    offenders = []
    for path in (ROOT / "functions").rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if not _allowed(rel) and DM_PATTERN.search(path.read_text(encoding="utf-8")):
            offenders.append(rel)
    assert offenders == []


def test_the_wiring_reads_the_dm_secret_only_for_the_campaign() -> None:
    source = (ROOT / "functions/activecare/wiring.py").read_text(encoding="utf-8")
    uses = [m.start() for m in re.finditer(r"campaign_secret_id", source)]
    start = source.index("def campaign(")
    end = source.index("\n    def ", start + 1)
    assert uses and all(start < u < end for u in uses)


def test_only_the_campaign_function_may_read_the_dm_secret() -> None:
    template = yaml_parse((ROOT / "template.yaml").read_text(encoding="utf-8"))
    readers = []
    for name, res in template["Resources"].items():
        if res["Type"] != "AWS::Serverless::Function":
            continue
        text = repr(res["Properties"].get("Policies", [])) + repr(res["Properties"].get("Environment", {}))
        if "CampaignDmSecret" in text:
            readers.append(name)
    assert readers == ["CampaignFunction"]
    assert "CampaignDmSecret" not in repr(template.get("Globals", {}))

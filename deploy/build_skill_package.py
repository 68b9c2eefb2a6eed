"""Assemble the ASK CLI skill package: the manifest with your URLs, and every locale's model.

    python deploy/build_skill_package.py \\
        --endpoint https://skill.example.org/alexa \\
        --privacy-url https://example.org/privacy --terms-url https://example.org/terms \\
        --certificate Trusted --out build/skill-package

writes

    build/skill-package/skill.json                          deploy/skill-package/skill.json, filled in
    build/skill-package/interactionModels/custom/<locale>.json   copied from interaction_models/
    build/ask-resources.json                                for `ask deploy` (only if there is none:
                                                            the ASK CLI records the skill id in it)

The manifest's endpoint (for requests and for skill events), the privacy policy and terms
of use URLs and the certificate type are settings; everything else is in the template.
The endpoint must be an https URL ending in /alexa (the Flask route), or the ARN of the
Lambda function running deploy/lambda_function.py (then no certificate type). Certificate types
are Amazon's: Trusted (a certificate from a trusted authority; the only one accepted for
certification), Wildcard (a trusted wildcard certificate) or SelfSigned (testing only).
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "skill-package" / "skill.json"
MODELS = ROOT / "interaction_models"
CERTIFICATE_TYPES = ("Trusted", "Wildcard", "SelfSigned")
ASK_RESOURCES_VERSION = "2020-03-31"
LAMBDA_ARN = re.compile(r"arn:aws:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?")


class SettingError(ValueError):
    """A setting the package cannot be built with; the message says why."""


def check_https_url(name: str, url: str, path_suffix: str | None = None) -> str:
    """The URL if it is absolute https (and ends in `path_suffix` when given)."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise SettingError(f"{name} must be an https:// URL with a host name, not {url!r}")
    if parts.query or parts.fragment:
        raise SettingError(f"{name} must not carry a query or fragment: {url!r}")
    if path_suffix is not None and not parts.path.endswith(path_suffix):
        raise SettingError(f"{name} must end in {path_suffix} (the skill's route), not {url!r}")
    return url


def manifest(
    template: dict[str, Any], endpoint: str, privacy_url: str, terms_url: str, certificate: str
) -> dict[str, Any]:
    """The template with the endpoint, certificate type and policy URLs filled in."""
    lambda_arn = LAMBDA_ARN.fullmatch(endpoint) is not None
    if not lambda_arn:
        check_https_url("--endpoint", endpoint, "/alexa")
    check_https_url("--privacy-url", privacy_url)
    check_https_url("--terms-url", terms_url)
    if certificate not in CERTIFICATE_TYPES:
        raise SettingError(
            f"--certificate must be one of {', '.join(CERTIFICATE_TYPES)}, not {certificate!r}"
        )
    filled = copy.deepcopy(template)
    body = filled["manifest"]
    # A Lambda ARN takes no certificate type (Amazon rejects one there).
    endpoint_object = (
        {"uri": endpoint} if lambda_arn else {"uri": endpoint, "sslCertificateType": certificate}
    )
    body["apis"]["custom"]["endpoint"] = dict(endpoint_object)
    body["events"]["endpoint"] = dict(endpoint_object)
    for urls in body["privacyAndCompliance"]["locales"].values():
        urls["privacyPolicyUrl"] = privacy_url
        urls["termsOfUseUrl"] = terms_url
    return filled


def build(
    out: Path,
    endpoint: str,
    privacy_url: str,
    terms_url: str,
    certificate: str = "Trusted",
    models: Path = MODELS,
    template: Path = TEMPLATE,
) -> list[str]:
    """Write the skill package into `out`; the locales it contains."""
    skill = manifest(
        json.loads(template.read_text(encoding="utf-8")), endpoint, privacy_url, terms_url, certificate
    )
    locales = sorted(skill["manifest"]["publishingInformation"]["locales"])
    missing = [locale for locale in locales if not (models / f"{locale}.json").is_file()]
    if missing:
        raise SettingError(f"no interaction model for {', '.join(missing)} in {models}")
    custom = out / "interactionModels" / "custom"
    if custom.exists():
        shutil.rmtree(custom)  # a locale dropped from the manifest must not linger
    custom.mkdir(parents=True)
    for locale in locales:
        shutil.copyfile(models / f"{locale}.json", custom / f"{locale}.json")
    (out / "skill.json").write_text(json.dumps(skill, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    resources = out.parent / "ask-resources.json"
    if not resources.exists():
        project = {
            "askcliResourcesVersion": ASK_RESOURCES_VERSION,
            "profiles": {"default": {"skillMetadata": {"src": f"./{out.name}"}}},
        }
        resources.write_text(json.dumps(project, indent=2) + "\n", encoding="utf-8")
    return locales


def main(argv: list[str] | None = None) -> int:
    """Command line: build the package, or say clearly which setting is wrong."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--endpoint", required=True, help="https://<your host>/alexa, or a Lambda function ARN"
    )
    parser.add_argument("--privacy-url", required=True, help="your privacy policy (https)")
    parser.add_argument("--terms-url", required=True, help="your terms of use (https)")
    parser.add_argument(
        "--certificate", default="Trusted", choices=CERTIFICATE_TYPES, help="default: Trusted"
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "build" / "skill-package", help="the package folder"
    )
    args = parser.parse_args(argv)
    try:
        locales = build(args.out, args.endpoint, args.privacy_url, args.terms_url, args.certificate)
    except SettingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"skill package in {args.out}: skill.json and interaction models for {', '.join(locales)}")
    print(f"deploy with: cd {args.out.parent} && ask deploy")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Deployment artefacts: the ASK CLI skill package, the Lambda entry point, the wheel and the image."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy import build_skill_package, lambda_function
from skill.nlu import recognizer_for
from tests.conftest import TEST_ANSWER_KEY, load_fixture

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "interaction_models"
LOCALES = ["en-AU", "en-CA", "en-GB", "en-IN", "en-US"]
ENDPOINT = "https://hearts.example.org/alexa"
PRIVACY = "https://example.org/heart-to-heart/privacy"
TERMS = "https://example.org/heart-to-heart/terms"
BUILD = [sys.executable, str(ROOT / "deploy" / "build_skill_package.py")]


def build_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*BUILD, *args], capture_output=True, text=True, check=False)


@pytest.fixture
def package(tmp_path: Path) -> Path:
    out = tmp_path / "skill-package"
    done = build_cli(
        "--endpoint", ENDPOINT, "--privacy-url", PRIVACY, "--terms-url", TERMS,
        "--certificate", "Wildcard", "--out", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "ask deploy" in done.stdout
    return out


def test_package_has_every_locale_model_identical_to_the_repository(package: Path) -> None:
    custom = package / "interactionModels" / "custom"
    assert sorted(p.stem for p in custom.glob("*.json")) == LOCALES
    for locale in LOCALES:
        assert (custom / f"{locale}.json").read_bytes() == (MODELS / f"{locale}.json").read_bytes()


def test_manifest_has_the_urls_permissions_and_events_an_operator_set(package: Path) -> None:
    manifest = json.loads((package / "skill.json").read_text())["manifest"]
    text = (package / "skill.json").read_text()
    assert "example.com" not in text  # no placeholder left behind
    assert manifest["manifestVersion"] == "1.0"
    endpoint = {"uri": ENDPOINT, "sslCertificateType": "Wildcard"}
    assert manifest["apis"]["custom"]["endpoint"] == endpoint
    assert manifest["events"]["endpoint"] == endpoint
    subscribed = {s["eventName"] for s in manifest["events"]["subscriptions"]}
    assert {
        "SKILL_ENABLED",
        "SKILL_DISABLED",
        "SKILL_PERMISSION_ACCEPTED",
        "SKILL_PERMISSION_CHANGED",
    } == subscribed
    permissions = {p["name"] for p in manifest["permissions"]}
    assert permissions == {"alexa::alerts:timers:skill:readwrite", "alexa::alerts:reminders:skill:readwrite"}

    publishing = manifest["publishingInformation"]
    assert sorted(publishing["locales"]) == LOCALES
    assert sorted(publishing["distributionCountries"]) == ["AU", "CA", "GB", "IN", "US"]
    assert publishing["isAvailableWorldwide"] is False
    for locale, shown in publishing["locales"].items():
        assert shown["name"] == "Heart to Heart", locale
        assert 0 < len(shown["summary"]) <= 160 and len(shown["description"]) <= 4000
        assert 1 <= len(shown["examplePhrases"]) <= 3 and shown["keywords"]
        assert shown["examplePhrases"][0] == "Alexa, open heart to heart"

    privacy = manifest["privacyAndCompliance"]
    assert sorted(privacy["locales"]) == LOCALES
    for urls in privacy["locales"].values():
        assert urls == {"privacyPolicyUrl": PRIVACY, "termsOfUseUrl": TERMS}
    assert privacy["usesPersonalInfo"] is True and privacy["isChildDirected"] is False
    assert privacy["allowsPurchases"] is False and privacy["containsAds"] is False
    assert privacy["isExportCompliant"] is True


def test_ask_cli_project_file_points_at_the_package_and_is_never_overwritten(package: Path) -> None:
    resources = package.parent / "ask-resources.json"
    project = json.loads(resources.read_text())
    assert project["profiles"]["default"]["skillMetadata"]["src"] == "./skill-package"
    resources.write_text(
        '{"askcliResourcesVersion": "2020-03-31", "profiles": {"default": {"skillId": "kept"}}}'
    )
    again = build_cli(
        "--endpoint", ENDPOINT, "--privacy-url", PRIVACY, "--terms-url", TERMS, "--out", str(package)
    )
    assert again.returncode == 0, again.stderr
    assert "kept" in resources.read_text()
    assert json.loads((package / "skill.json").read_text())["manifest"]["apis"]["custom"]["endpoint"] == {
        "uri": ENDPOINT,
        "sslCertificateType": "Trusted",
    }


def test_example_phrases_are_things_the_model_understands() -> None:
    template = json.loads(build_skill_package.TEMPLATE.read_text())["manifest"]
    expected = ["LaunchRequest", "AskQuestionIntent", "StartCheckInIntent"]
    for locale, shown in template["publishingInformation"]["locales"].items():
        recognizer = recognizer_for(locale)
        for phrase, intent in zip(shown["examplePhrases"], expected, strict=True):
            if intent == "LaunchRequest":
                assert phrase == "Alexa, open heart to heart"
                continue
            request = re.sub(r"^Alexa, ask heart to heart (to|for) ", "", phrase)
            assert recognizer.understand(request).intent == intent, (locale, phrase)


@pytest.mark.parametrize(
    ("endpoint", "complaint"),
    [
        ("http://hearts.example.org/alexa", "https://"),
        ("https://hearts.example.org/webhook", "must end in /alexa"),
        ("hearts.example.org/alexa", "https://"),
        ("https:///alexa", "host name"),
    ],
)
def test_a_bad_endpoint_is_refused_with_a_clear_message(
    tmp_path: Path, endpoint: str, complaint: str
) -> None:
    out = tmp_path / "skill-package"
    done = build_cli(
        "--endpoint", endpoint, "--privacy-url", PRIVACY, "--terms-url", TERMS, "--out", str(out)
    )
    assert done.returncode == 2
    assert "--endpoint" in done.stderr and complaint in done.stderr
    assert not out.exists()


def test_a_lambda_arn_endpoint_gets_no_certificate_type(tmp_path: Path) -> None:
    arn = "arn:aws:lambda:us-east-1:123456789012:function:heart-to-heart"
    out = tmp_path / "skill-package"
    done = build_cli("--endpoint", arn, "--privacy-url", PRIVACY, "--terms-url", TERMS, "--out", str(out))
    assert done.returncode == 0, done.stderr
    manifest = json.loads((out / "skill.json").read_text())["manifest"]
    assert manifest["apis"]["custom"]["endpoint"] == {"uri": arn}
    assert manifest["events"]["endpoint"] == {"uri": arn}


def test_bad_policy_urls_and_certificate_types_are_refused(tmp_path: Path) -> None:
    out = tmp_path / "p"
    plain = build_cli(
        "--endpoint", ENDPOINT, "--privacy-url", "http://x.org/p", "--terms-url", TERMS, "--out", str(out)
    )
    assert plain.returncode == 2 and "--privacy-url" in plain.stderr
    cert = build_cli(
        "--endpoint", ENDPOINT, "--privacy-url", PRIVACY, "--terms-url", TERMS,
        "--certificate", "Mine", "--out", str(out),
    )  # fmt: skip
    assert cert.returncode == 2 and "Trusted" in cert.stderr


# --- AWS Lambda ------------------------------------------------------------------------------


@pytest.fixture
def lambda_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, clean_environment: None) -> Iterator[None]:
    monkeypatch.delenv("LAMBDA_ALLOW_SQLITE", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'lambda.sqlite3'}")
    monkeypatch.setenv("LAMBDA_ALLOW_SQLITE", "true")
    monkeypatch.setenv("ANSWER_KEYS", TEST_ANSWER_KEY)
    monkeypatch.setattr(lambda_function, "_app", None)
    yield
    built = lambda_function._app
    if built is not None:
        built.extensions["store"].dispose()


def test_lambda_handler_answers_a_launch_request(lambda_env: None) -> None:
    reply = lambda_function.handler(load_fixture("launch_request"), None)
    assert reply["version"] == "1.0"
    speech = reply["response"]["outputSpeech"]
    assert speech["type"] == "SSML" and "Heart to Heart" in speech["ssml"]
    assert reply["response"]["reprompt"]["outputSpeech"]["ssml"]
    json.dumps(reply)  # what Lambda returns to Alexa must be plain JSON


def test_lambda_keeps_household_state_between_invocations(lambda_env: None) -> None:
    lambda_function.handler(load_fixture("launch_request"), None)
    asked = copy.deepcopy(load_fixture("intent_request"))
    first = lambda_function.handler(asked, None)
    assert first["response"]["outputSpeech"]["ssml"]
    built = lambda_function._app
    assert built is not None and lambda_function.app() is built  # one app per container


def test_lambda_handles_skill_events_and_unknown_request_types(lambda_env: None) -> None:
    disabled = lambda_function.handler(load_fixture("skill_disabled_event"), None)
    assert disabled["version"] == "1.0"
    odd = copy.deepcopy(load_fixture("launch_request"))
    odd["request"]["type"] = "Alexa.Something.New"
    assert lambda_function.handler(odd, None) == {"version": "1.0", "response": {}}


def test_lambda_refuses_another_skills_requests(lambda_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALEXA_SKILL_IDS", "amzn1.ask.skill.not-this-one")
    with pytest.raises(PermissionError, match="application id"):
        lambda_function.handler(load_fixture("launch_request"), None)


@pytest.mark.parametrize(
    ("environ", "complaint"),
    [
        ({"ANSWER_KEYS": "k"}, "DATABASE_URL is required"),
        ({"DATABASE_URL": "sqlite:////tmp/x.sqlite3", "ANSWER_KEYS": "k"}, "must be PostgreSQL"),
        ({"DATABASE_URL": "postgresql://db/hth"}, "ANSWER_KEYS is required"),
    ],
)
def test_lambda_refuses_to_start_without_shared_settings(environ: dict[str, str], complaint: str) -> None:
    with pytest.raises(lambda_function.LambdaConfigurationError, match=complaint):
        lambda_function.check_environment(environ)
    lambda_function.check_environment({"DATABASE_URL": "postgresql+psycopg://db/hth", "ANSWER_KEYS": "k"})


# --- the installed package and the container image -------------------------------------------


def test_a_built_wheel_carries_models_content_and_migrations(tmp_path: Path) -> None:
    source = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for part in ("skill", "dialogue", "interaction_models", "deploy"):
        shutil.copytree(ROOT / part, source / part, ignore=ignore)
    for part in ("pyproject.toml", "README.md"):
        shutil.copyfile(ROOT / part, source / part)
    wheels = tmp_path / "wheels"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--quiet", "-w", str(wheels)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = wheels.glob("heart_to_heart-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for locale in LOCALES:
        assert f"skill/interaction_models/{locale}.json" in names
    assert "skill/interaction_models/grammar/en.yaml" in names
    assert "skill/interaction_models/grammar/locales.yaml" in names
    assert "dialogue/content/questions.json" in names
    assert any(n.startswith("dialogue/content/phrases/") and n.endswith(".json") for n in names)
    assert "skill/storage/migrations/env.py" in names
    assert any(n.startswith("skill/storage/migrations/versions/0001") for n in names)
    assert not any(n.startswith(("deploy/", "tests/", "interaction_models/")) for n in names)

    # Installed without the repository, the chat matcher still finds every locale's model.
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    probe = (
        "import skill.nlu as n; from skill.nlu.grammar import models_dir; print(models_dir()); "
        "print(n.recognizer_for('en-GB').understand('a question about mum and dad', 'home.menu').intent)"
    )
    env = {k: v for k, v in os.environ.items() if k != "INTERACTION_MODELS_DIR"}
    env["PYTHONPATH"] = str(target)
    ran = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=tmp_path, env=env
    )
    where, intent = ran.stdout.split()
    assert Path(where) == target / "skill" / "interaction_models"
    assert intent == "AskQuestionIntent"


def test_container_image_is_small_non_root_and_health_checked() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    stages = re.split(r"^FROM ", dockerfile, flags=re.MULTILINE)[1:]
    assert len(stages) == 2 and all(stage.startswith("python:3.11-slim") for stage in stages)
    runtime = stages[-1]
    assert "pip install ." in stages[0] and "-e ." not in dockerfile
    assert not re.search(r"apt-get|build-essential|gcc", runtime)  # no compilers in the final image
    assert re.search(r"^USER hth$", runtime, re.MULTILINE) and "useradd" in runtime
    assert re.search(r"^EXPOSE 8000$", runtime, re.MULTILINE)
    assert "HEALTHCHECK" in runtime and "/healthz" in runtime
    assert 'CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "skill:create_app()"]' in runtime
    assert "DATABASE_URL" in dockerfile and "ANSWER_KEYS" in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    for private in (".venv", ".git", "instance", "*.key"):
        assert private in ignored


def test_makefile_regenerates_the_models_from_the_grammar() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^models:.*\n\t.*deploy/models\.py", makefile, re.MULTILINE)


def test_the_home_assistant_integration_zips_into_one_folder_without_caches(tmp_path: Path) -> None:
    integration = ROOT / "deploy" / "home_assistant" / "custom_components" / "heart_to_heart"
    (integration / "__pycache__").mkdir(exist_ok=True)
    stray = integration / "__pycache__" / "stray.cpython-313.pyc"
    stray.write_bytes(b"compiled")
    try:
        out = tmp_path / "heart_to_heart.zip"
        done = subprocess.run(
            [sys.executable, str(ROOT / "deploy" / "home_assistant" / "package.py"), "--out", str(out)],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        stray.unlink()
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("heart_to_heart/manifest.json"))
    expected = {
        f"heart_to_heart/{path.relative_to(integration)}"
        for path in integration.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert names == expected
    modules = ("__init__.py", "conversation.py", "config_flow.py", "alarms.py", "client.py")
    assert {f"heart_to_heart/{module}" for module in modules} <= names
    assert manifest["domain"] == "heart_to_heart" and manifest["config_flow"] is True
    assert "conversation" in manifest["dependencies"]

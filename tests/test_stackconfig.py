"""Stack settings files: read as Pulumi reads them, refused with the file and place when not."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from appspecs.stackconfig import StackConfigError, load_stack_config, stack_config_from_values

CONFIG = """config:
  appspecs:authServer:
    name: api
    audience: api://x
  appspecs:allowLoopbackRedirects: {value}
"""


def _refused(stacks: Path, text: str) -> StackConfigError:
    """What loading dev's stack file, written with `text`, raises."""
    (stacks / "Pulumi.dev.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(StackConfigError) as caught:
        load_stack_config(stacks, "dev")
    return caught.value


def _stack(tmp_path: Path, value: str) -> Path:
    (tmp_path / "Pulumi.dev.yaml").write_text(CONFIG.format(value=value), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("value", ["no", "yes", "On", "OFF"])
def test_a_yaml11_only_boolean_is_refused_with_its_place(tmp_path: Path, value: str) -> None:
    with pytest.raises(StackConfigError) as caught:
        load_stack_config(_stack(tmp_path, value), "dev")
    message = str(caught.value)
    assert f"Pulumi.dev.yaml:5:36: appspecs:allowLoopbackRedirects: '{value}'" in message
    assert "write true or false" in message


def test_a_yaml11_only_boolean_hides_none_of_the_file_s_other_problems(tmp_path: Path) -> None:
    # The sampled defect: `yes` was said alone, and the rest only once it was fixed.
    text = (
        "config:\n"
        "  appspecs:allowLoopbackRedirects: yes\n"
        "  appspecs:maxSecretAgeDays: 0\n"
        "  appspecs:bogus: 1\n"
    )
    error = _refused(tmp_path, text)
    file = tmp_path / "Pulumi.dev.yaml"
    assert [m for m, _, _ in error.each] == [
        f"{file}:1:1: appspecs:authServer: missing; it is required",
        f"{file}:2:36: appspecs:allowLoopbackRedirects: 'yes' is not a boolean to Pulumi; "
        "write true or false",
        f"{file}:3:30: appspecs:maxSecretAgeDays: number 0 is not accepted; expected a number "
        "of at least 1",
        f"{file}:4:3: appspecs:bogus: unknown setting; accepted: authServer, "
        "allowLoopbackRedirects, maxSecretAgeDays, maxAccessTokenMinutes, specsDir",
    ]
    assert str(error).splitlines()[0] == "invalid stack settings:"


def test_a_yaml11_boolean_for_a_number_or_a_folder_is_read_as_the_text_pulumi_reads(
    tmp_path: Path,
) -> None:
    # `off` is text to Pulumi: no boolean is asked for, so the number's own error is said, and
    # a folder named `no` is a folder's name (here, not the project's), said with the rest
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    (tmp_path / "Pulumi.yaml").write_text("name: appspecs\nruntime: python\n", "utf-8")
    text = (
        "config:\n"
        "  appspecs:authServer: {id: aus1}\n"
        "  appspecs:maxSecretAgeDays: off\n"
        "  appspecs:specsDir: no\n"
    )
    (stacks / "Pulumi.dev.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(StackConfigError) as caught:
        load_stack_config(stacks, "dev")
    (days, folder) = [m for m, _, _ in caught.value.each]
    assert "appspecs:maxSecretAgeDays:" in days and "'off'" in days
    assert "not a boolean" not in days
    assert "appspecs:specsDir: 'no' is not there" in folder
    # another namespace's setting may be a boolean (the provider's okta:backoff): still said
    (stacks / "Pulumi.dev.yaml").write_text(
        "config:\n  appspecs:authServer: {id: aus1}\n  okta:backoff: yes\n", encoding="utf-8"
    )
    with pytest.raises(StackConfigError, match="okta:backoff: 'yes' is not a boolean to Pulumi"):
        load_stack_config(stacks, "dev")
    # the org's name is text to the program, as to Pulumi: an org named `no` is one
    (stacks / "Pulumi.dev.yaml").write_text(
        "config:\n  appspecs:authServer: {id: aus1}\n  okta:orgName: no\n", encoding="utf-8"
    )
    assert load_stack_config(stacks, "dev").org_name == "no"


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("false", False)])
def test_true_and_false_are_read(tmp_path: Path, value: str, expected: bool) -> None:
    config = load_stack_config(_stack(tmp_path, value), "dev")
    assert config.allow_loopback_redirects is expected


def test_an_unknown_stack_names_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(StackConfigError, match="unknown stack 'prod'; known stacks: dev"):
        load_stack_config(_stack(tmp_path, "true"), "prod")


def test_a_misspelt_setting_is_refused_at_its_key_with_the_accepted_names(tmp_path: Path) -> None:
    text = "config:\n  appspecs:authServer:\n    name: api\n    audiance: api://x\n"
    error = _refused(tmp_path, text)
    assert str(error) == (
        f"{tmp_path / 'Pulumi.dev.yaml'}:4:5: appspecs:authServer.audiance: unknown setting; "
        "accepted: name, audience, description, id"
    )


def test_every_bad_setting_is_listed_with_its_place_and_value(tmp_path: Path) -> None:
    text = (
        "config:\n"
        "  appspecs:authServer: {id: aus1}\n"
        '  appspecs:allowLoopbackRedirects: "yes"\n'
        "  appspecs:maxSecretAgeDays: 0\n"
    )
    error = _refused(tmp_path, text)
    lines = str(error).splitlines()
    assert lines[0] == "invalid stack settings:"
    assert lines[1].endswith(
        "Pulumi.dev.yaml:3:36: appspecs:allowLoopbackRedirects: expected true or false, found 'yes'"
    )
    assert lines[2].endswith(
        "Pulumi.dev.yaml:4:30: appspecs:maxSecretAgeDays: number 0 is not accepted; "
        "expected a number of at least 1"
    )


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("", "Pulumi.dev.yaml: the file is empty; expected a mapping with 'config:'"),
        ("- a\n", "Pulumi.dev.yaml:1:1: expected a mapping with 'config:', found a list"),
        # the kind of what is there, never its content: it may be a token pasted in
        ("s3cret-token\n", "Pulumi.dev.yaml:1:1: expected a mapping with 'config:', found text"),
        (
            "config: [1]\n",
            "Pulumi.dev.yaml:1:9: config: expected a mapping of settings, found a list",
        ),
    ],
)
def test_a_stack_file_that_is_no_mapping_of_settings_is_said_where(
    text: str, said: str, tmp_path: Path
) -> None:
    error = _refused(tmp_path, text)
    assert str(error) == f"{tmp_path}/{said}"
    assert "s3cret" not in str(error) and not error.unreadable


def test_a_stack_file_that_is_not_text_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.dev.yaml").write_bytes(b"config:\n  x: \xff\n")
    with pytest.raises(StackConfigError) as caught:
        load_stack_config(tmp_path, "dev")
    assert caught.value.unreadable  # counted as a file not read, not as one with bad settings


def test_without_a_file_the_message_names_the_stack() -> None:
    # The Pulumi program gets its values from pulumi.Config, not from a file it could point into.
    with pytest.raises(StackConfigError) as caught:
        stack_config_from_values("prod", {"appspecs:authServer": {"name": "api"}})
    assert str(caught.value) == (
        "stack 'prod': appspecs:authServer: give either 'id' of an existing server, "
        "or 'name' and 'audience'"
    )


def test_quoted_values_are_read_as_pulumi_reads_them(tmp_path: Path) -> None:
    # Pulumi keeps settings as text; the program's get_bool and get_int accept these.
    text = (
        "config:\n"
        "  appspecs:authServer: {id: aus1}\n"
        '  appspecs:allowLoopbackRedirects: "True"\n'
        '  appspecs:maxSecretAgeDays: "90"\n'
    )
    (tmp_path / "Pulumi.dev.yaml").write_text(text, encoding="utf-8")
    config = load_stack_config(tmp_path, "dev")
    assert config.allow_loopback_redirects is True
    assert config.settings.max_secret_age_days == 90


def test_an_empty_specs_dir_is_refused(tmp_path: Path) -> None:
    text = 'config:\n  appspecs:authServer: {id: aus1}\n  appspecs:specsDir: ""\n'
    error = _refused(tmp_path, text)
    # in characters, as every text field's bound: not pydantic's "1 item after validation"
    assert str(error).endswith(
        "Pulumi.dev.yaml:3:22: appspecs:specsDir: '' is not accepted; expected at least 1 character"
    ), str(error)


def test_a_specs_dir_that_is_no_folder_of_the_project_is_refused(tmp_path: Path) -> None:
    # the program deploys it: a typo would fail every `pulumi up`, and validate said nothing
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    (tmp_path / "app-specs").mkdir()
    (tmp_path / "app-specs" / "scope-catalog.yaml").write_text("scopes: []\n", "utf-8")
    (tmp_path / "Pulumi.yaml").write_text("name: appspecs\nruntime: python\n", "utf-8")
    text = "config:\n  appspecs:authServer: {id: aus1}\n  appspecs:specsDir: app-spec\n"
    (stacks / "Pulumi.dev.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(StackConfigError) as info:
        load_stack_config(stacks, "dev")
    assert (
        f"Pulumi.dev.yaml:3:22: appspecs:specsDir: 'app-spec' is not there: the project "
        f"({tmp_path.resolve()}) has no such folder; give the specs folder the stack deploys"
    ) in str(info.value)
    assert not info.value.unreadable  # a stack file with errors
    (stacks / "Pulumi.dev.yaml").write_text(text.replace("app-spec\n", "app-specs\n"), "utf-8")
    assert load_stack_config(stacks, "dev").settings.specs_dir == "app-specs"
    # a folder, but outside the project: what deploys would be in no pull request to it
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (tmp_path / "linked").symlink_to(outside)
    for declared in (f"../{outside.name}", str(outside), "linked"):
        (stacks / "Pulumi.dev.yaml").write_text(
            text.replace("app-spec\n", f"{declared}\n"), "utf-8"
        )
        with pytest.raises(StackConfigError, match=r"'[^']+' is outside the project"):
            load_stack_config(stacks, "dev")
    # a folder of the project that holds no specs: the project itself, its stacks, a file
    (tmp_path / "notes.txt").write_text("x\n", encoding="utf-8")
    for declared, problem in (
        (".", "holds no scope-catalog.yaml: it is not a specs folder"),
        ("stacks", "holds no scope-catalog.yaml: it is not a specs folder"),
        ("notes.txt", "is not a folder that can be read"),
    ):
        (stacks / "Pulumi.dev.yaml").write_text(
            text.replace("app-spec\n", f"{declared}\n"), "utf-8"
        )
        with pytest.raises(StackConfigError, match=f"'{re.escape(declared)}' {problem}"):
            load_stack_config(stacks, "dev")
    # inside it, however written
    (stacks / "Pulumi.dev.yaml").write_text(
        text.replace("app-spec\n", "./stacks/../app-specs\n"), "utf-8"
    )
    assert load_stack_config(stacks, "dev").settings.specs_dir == "./stacks/../app-specs"


@pytest.mark.parametrize("name", ["my stack", "dev\u00e9", "x" * 101])
def test_a_stack_file_named_for_no_pulumi_stack_is_refused(tmp_path: Path, name: str) -> None:
    # pulumi cannot select such a stack: its settings would be checked for nothing
    text = "config:\n  appspecs:authServer: {id: aus1}\n"
    (tmp_path / f"Pulumi.{name}.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(StackConfigError, match="is not a Pulumi stack name") as info:
        load_stack_config(tmp_path, name)
    assert not info.value.unreadable  # read: a stack file with errors, not one not read


def test_an_unknown_appspecs_key_is_refused_not_ignored(tmp_path: Path) -> None:
    text = "config:\n  appspecs:authServer: {id: aus1}\n  appspecs:allowLoopbackRedirect: true\n"
    error = _refused(tmp_path, text)
    assert str(error).endswith(
        "Pulumi.dev.yaml:3:3: appspecs:allowLoopbackRedirect: unknown setting; "
        "accepted: authServer, allowLoopbackRedirects, maxSecretAgeDays, maxAccessTokenMinutes, specsDir"
    )


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("config:\n  okta:orgName: x\n\tappspecs:authServer: {id: a}\n", "3:1", "tab"),
        (
            "config:\n  appspecs:authServer: {id: a}\n  appspecs:authServer: {id: b}\n",
            "3:3",
            "appears more than once",
        ),
    ],
)
def test_yaml_problems_in_a_stack_file_have_their_place(
    tmp_path: Path, text: str, where: str, words: str
) -> None:
    error = _refused(tmp_path, text)
    assert str(error).startswith(f"{tmp_path / 'Pulumi.dev.yaml'}:{where}: ")
    assert words in str(error)


def test_an_existing_server_and_a_server_to_create_at_once_are_refused() -> None:
    with pytest.raises(StackConfigError, match="not both"):
        stack_config_from_values("dev", {"appspecs:authServer": {"id": "aus1", "name": "api"}})

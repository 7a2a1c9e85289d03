"""Provider credentials written into a stack file: each one overrides the environment variable
CI passes, for every run of the stack."""

from __future__ import annotations

from pathlib import Path

from appspecs.inputfile import InputFileError, read_input_text
from appspecs.records import record
from appspecs.spec.yamlfile import read_yaml
from appspecs.stackconfig import STACK_FILE_LIMIT, discover_stacks, stack_file

# The provider's credential settings and the environment variable each one hides: the provider
# reads the variable only when the setting is empty (terraform-provider-okta okta/config/config.go),
# so a credential stored in a committed stack file wins over the one CI passes, and a read-only
# preview job would act with whatever token the file holds.
CREDENTIAL_SETTINGS: dict[str, str] = {
    "okta:apiToken": "OKTA_API_TOKEN",
    "okta:accessToken": "OKTA_ACCESS_TOKEN",
    "okta:privateKey": "OKTA_API_PRIVATE_KEY",
}


@record
class StoredCredential:
    """A provider credential written into a stack file, where it is."""

    file: Path
    stack: str
    key: str
    line: int
    column: int

    @property
    def env(self) -> str:
        return CREDENTIAL_SETTINGS[self.key]


def stored_credentials(stacks_dir: Path) -> list[StoredCredential]:
    """Every provider credential set in a stack file (`pulumi config set --secret okta:apiToken`
    writes it there). Files that cannot be read are reported by `load_stack_config`."""
    found: list[StoredCredential] = []
    for name in discover_stacks(stacks_dir):
        path = stack_file(stacks_dir, name)
        try:
            doc = read_yaml(read_input_text(path, STACK_FILE_LIMIT))
        except InputFileError:
            continue
        config = doc.data.get("config") if isinstance(doc.data, dict) else None
        if not isinstance(config, dict):
            continue
        for key in config:
            if key in CREDENTIAL_SETTINGS:
                at = doc.locate_key(("config", key))
                found.append(StoredCredential(path, name, key, at.line, at.column))
    return found

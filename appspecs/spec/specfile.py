"""One input file of a specs folder read, parsed and validated against its model; its
problems become diagnostics at their line and column."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from appspecs.diagnostics import Diagnostic, IoProblem, Severity, format_path
from appspecs.inputfile import NotText, SizeLimit, TooLarge, Unreadable, read_input_text
from appspecs.spec.checks import Finding
from appspecs.spec.partial import under_broken
from appspecs.spec.yamlfile import Path as DataPath
from appspecs.spec.yamlfile import YamlDocument, read_yaml

M = TypeVar("M", bound=BaseModel)


@dataclass(slots=True)
class CheckedFile:
    """One file being checked: its name as shown to people and its parsed document."""

    shown: str
    doc: YamlDocument
    diagnostics: list[Diagnostic]

    def add(self, finding: Finding) -> None:
        doc = self.doc
        pos = doc.locate_key(finding.path) if finding.at_key else doc.locate(finding.path)
        message = finding.message
        if finding.other is not None:
            message += f"; the other is at line {doc.locate(finding.other).line}"
        self.diagnostics.append(
            Diagnostic(
                finding.severity,
                finding.code,
                self.shown,
                pos.line,
                pos.column,
                format_path(finding.path),
                message,
                finding.command,
            )
        )


class Sink(Protocol):
    diagnostics: list[Diagnostic]
    io_errors: list[IoProblem]


def read_text(
    path: Path, shown: str, out: Sink, limit: SizeLimit, not_text: str = "yaml-syntax"
) -> str | None:
    """One input file's text, read as every input file is (size limit, UTF-8, no device);
    None when it cannot be used, the reason recorded: an I/O error, or a diagnostic (code
    `too-large`, or `not_text` at the first byte that is not UTF-8)."""
    try:
        return read_input_text(path, limit, shown)
    except Unreadable as exc:
        out.io_errors.append(IoProblem(str(exc), exc.shown))
    except TooLarge as exc:
        out.diagnostics.append(Diagnostic(Severity.ERROR, "too-large", shown, 1, 1, "", exc.reason))
    except NotText as exc:
        out.diagnostics.append(
            Diagnostic(Severity.ERROR, not_text, shown, exc.at.line, exc.at.column, "", exc.reason)
        )
    return None


def read_file(path: Path, shown: str, out: Sink, limit: SizeLimit) -> CheckedFile | None:
    """Read and parse one file; None when it could not be read at all."""
    text = read_text(path, shown, out, limit)
    if text is None:
        return None
    file = CheckedFile(shown, read_yaml(text), out.diagnostics)
    for problem in file.doc.problems:
        file.diagnostics.append(
            Diagnostic(
                Severity.ERROR,
                problem.code,
                shown,
                problem.position.line,
                problem.position.column,
                format_path(problem.path),
                problem.message,
            )
        )
    return file


def duplicated_keys(doc: YamlDocument) -> list[DataPath] | None:
    """The paths of the keys written twice, when those are all the problems of the document;
    None when it has others (its data cannot be trusted then)."""
    if all(p.code == "duplicate-key" for p in doc.problems):
        return [p.path for p in doc.problems]
    return None


# Codes about a file's shape rather than its meaning: every file says them alike, so a field
# missing from partners.yaml reads as one missing from an app spec.
_SHAPE_CODES = frozenset({"missing-field", "unknown-field"})


def codes_of(file_code: str) -> Callable[[str], str]:
    """A file's validation codes: its shape problems as every file says them, the rest its own."""
    return lambda code: code if code in _SHAPE_CODES else file_code


def validate_file(
    file: CheckedFile, model: type[M], code: Callable[[str], str], what: str
) -> M | None:
    """Validate a parsed file against a model; findings are recorded, the model returned if valid.

    A key written twice leaves the rest of the file readable: the rest is validated, and what
    is under that key is not (which of its values was meant is not known)."""
    duplicated = duplicated_keys(file.doc)
    if duplicated is None:
        return None
    data: Any = file.doc.data
    if not isinstance(data, dict):
        # the kind of document, never its content: a file put in the wrong place may be a key
        # or a token, and the message reaches pull-request comments
        from appspecs.spec.errors import document_kind

        found = document_kind(data)
        file.add(
            Finding(code("invalid-value"), (), f"expected {what} (a YAML mapping), found {found}")
        )
        return None
    try:
        valid = model.model_validate(data, strict=True)
    except ValidationError as exc:
        # here: only a file with errors needs their wording (errors.py)
        from appspecs.spec.errors import findings_from_validation

        for finding in findings_from_validation(exc, model, file.doc.raw, file.doc.keys):
            if not under_broken(finding.path, duplicated):
                file.add(
                    Finding(
                        code(finding.code), finding.path, finding.message, at_key=finding.at_key
                    )
                )
        return None
    return None if duplicated else valid

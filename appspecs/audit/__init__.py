"""`appspec audit`: the live org against a stack's desired state, as findings with stable codes.

Stages: ``appspecs.live`` reads a snapshot in the fewest calls, ``compare`` turns desired state
and snapshot into findings (codes in ``findings``), ``run`` ties them together with the call
counts, and ``appspecs.report.audit`` writes text, JSON or Markdown.
"""

from __future__ import annotations

from appspecs.audit.compare import AuditOptions, compare
from appspecs.audit.findings import CODES, Finding, Severity
from appspecs.audit.run import AuditResult, run_audit

__all__ = ["CODES", "AuditOptions", "AuditResult", "Finding", "Severity", "compare", "run_audit"]

// Drift found by the scheduled audit becomes one open issue labelled `drift`: opened the first
// time, and commented on while it stays open, so a standing drift does not file an issue a day.
// Called from actions/github-script: `await require('./.github/scripts/drift-issue.js')({...})`.
'use strict';

const fs = require('node:fs');

const LABEL = 'drift';
const MARKER = '<!-- appspecs-audit -->';
// GitHub refuses issue and comment bodies over 65,536 characters.
// Reports cap themselves 1,024 characters short of it (appspecs/report/markdown.py), so this
// cut only catches output that is not ours, such as an error page.
const MAX_TEXT = 65000;

function auditBody({ reportFile, runUrl, stack }) {
  let text = reportFile && fs.existsSync(reportFile) ? fs.readFileSync(reportFile, 'utf8').trim() : '';
  if (!text) text = 'The audit found drift but wrote no report.';
  if (text.length > MAX_TEXT) text = `${text.slice(0, MAX_TEXT)}\n\n… cut here.`;
  return `${MARKER}\nThe live Okta org differs from app-specs/ (stack \`${stack}\`), found by [this audit run](${runUrl}).\n\n${text}\n`;
}

async function reportDrift({ github, context, core, reportFile, stack }) {
  const { owner, repo } = context.repo;
  const runUrl = `${context.serverUrl}/${owner}/${repo}/actions/runs/${context.runId}`;
  const body = auditBody({ reportFile, runUrl, stack });
  const open = await github.paginate(github.rest.issues.listForRepo, {
    owner,
    repo,
    state: 'open',
    labels: LABEL,
    per_page: 100,
  });
  // The issues listing includes pull requests; a drift report is never one.
  const existing = open.find((i) => !i.pull_request);
  if (existing) {
    await github.rest.issues.createComment({ owner, repo, issue_number: existing.number, body });
    core.warning(`drift still present: commented on #${existing.number}`);
    return { action: 'commented', number: existing.number };
  }
  const created = await github.rest.issues.create({
    owner,
    repo,
    title: `Okta org drift in stack ${stack}`,
    body,
    labels: [LABEL],
  });
  core.warning(`drift found: opened #${created.data.number}`);
  return { action: 'opened', number: created.data.number };
}

module.exports = reportDrift;
module.exports.LABEL = LABEL;

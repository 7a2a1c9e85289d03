// The plan as one pull-request comment: found again by a hidden marker and edited in place, so a
// pull request carries one current plan rather than one comment per push.
// Called from actions/github-script: `await require('./.github/scripts/sticky-comment.js')({...})`.
'use strict';

const fs = require('node:fs');

const MARKER = '<!-- appspecs-plan -->';
// GitHub refuses comment bodies over 65,536 characters.
// Reports cap themselves 1,024 characters short of it (appspecs/report/markdown.py), so this
// cut only catches output that is not ours, such as an error page.
const MAX_TEXT = 65000;

/** The comment body: the plan when it was made, else a pointer to the run that failed to make it. */
function planBody({ planFile, outcome, runUrl }) {
  let text = '';
  if (outcome === 'success' && planFile && fs.existsSync(planFile)) {
    text = fs.readFileSync(planFile, 'utf8').trim();
  }
  if (!text) {
    const why = outcome === 'skipped' ? 'the specs did not validate' : `the plan step ended: ${outcome || 'not run'}`;
    text = `**appspecs plan**: no plan for this commit (${why}). See the annotations and the log of [this run](${runUrl}).`;
  } else if (text.length > MAX_TEXT) {
    text = `${text.slice(0, MAX_TEXT)}\n\n… cut here: the whole plan is in the summary of [this run](${runUrl}).`;
  }
  return `${MARKER}\n${text}\n`;
}

/** Our own earlier comment: written by a bot and starting with the marker. */
function findSticky(comments) {
  return comments.find(
    (c) => c.user && c.user.type === 'Bot' && typeof c.body === 'string' && c.body.startsWith(MARKER),
  );
}

async function postPlan({ github, context, core, planFile, outcome }) {
  const { owner, repo } = context.repo;
  const issue_number = context.issue.number;
  const runUrl = `${context.serverUrl}/${owner}/${repo}/actions/runs/${context.runId}`;
  const body = planBody({ planFile, outcome, runUrl });
  const comments = await github.paginate(github.rest.issues.listComments, {
    owner,
    repo,
    issue_number,
    per_page: 100,
  });
  const previous = findSticky(comments);
  if (previous) {
    await github.rest.issues.updateComment({ owner, repo, comment_id: previous.id, body });
    core.info(`updated plan comment ${previous.id}`);
    return { action: 'updated', id: previous.id };
  }
  const created = await github.rest.issues.createComment({ owner, repo, issue_number, body });
  core.info(`created plan comment ${created.data.id}`);
  return { action: 'created', id: created.data.id };
}

module.exports = postPlan;
module.exports.MARKER = MARKER;
module.exports.planBody = planBody;

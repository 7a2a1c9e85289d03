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

/**
 * The comment body: the plan when it was made, else a pointer to the run that failed to make it.
 * `made`: the plan step made the plan and then failed on it (a merge that deletes a running app
 * held for review): the plan, which leads with why, is the comment all the same.
 * `artifactUrl` is the uploaded whole plan (the workflow's `appspecs-plan` artifact), if any: the
 * Markdown may be cut (by the report itself, or here), the artifact's text plan never is.
 */
function planBody({ planFile, outcome, made, runUrl, artifactUrl }) {
  let text = '';
  if ((outcome === 'success' || made) && planFile && fs.existsSync(planFile)) {
    text = fs.readFileSync(planFile, 'utf8').trim();
  }
  const whole = artifactUrl ? `[the \`appspecs-plan\` artifact](${artifactUrl}) of this run` : '';
  if (!text) {
    const why = outcome === 'skipped' ? 'the specs did not validate' : `the plan step ended: ${outcome || 'not run'}`;
    return `${MARKER}\n**appspecs plan**: no plan for this commit (${why}). See the annotations and the log of [this run](${runUrl}).\n`;
  }
  if (text.length > MAX_TEXT) {
    // Only without an artifact is there nowhere to send the reader but the run itself.
    const where = whole ? `the whole plan is in ${whole}` : `no copy of the whole plan was uploaded: see [this run](${runUrl})`;
    text = `${text.slice(0, MAX_TEXT)}\n\n… cut here at GitHub's comment limit; ${where}.`;
  } else if (whole) {
    text = `${text}\n\n<sub>The whole plan, as text: ${whole}.</sub>`;
  }
  return `${MARKER}\n${text}\n`;
}

/** Our own earlier comment: written by a bot and starting with the marker. */
function findSticky(comments) {
  return comments.find(
    (c) => c.user && c.user.type === 'Bot' && typeof c.body === 'string' && c.body.startsWith(MARKER),
  );
}

async function postPlan({ github, context, core, planFile, outcome, made, artifactUrl }) {
  const { owner, repo } = context.repo;
  const issue_number = context.issue.number;
  const runUrl = `${context.serverUrl}/${owner}/${repo}/actions/runs/${context.runId}`;
  const body = planBody({ planFile, outcome, made, runUrl, artifactUrl });
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

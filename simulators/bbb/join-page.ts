import type { Session } from './meeting-registry.js';

// Stands in for the HTML5 client, so a demo that follows the join redirect lands on something that
// shows the join really happened. Every value comes from a request, hence the escaping.

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

export function joinedPage(session: Session, stillInMeeting: boolean): string {
  const status = stillInMeeting
    ? `<p>You are in the meeting (simulated BigBlueButton).</p>
<form method="post" action="/html5client/leave?sessionToken=${escapeHtml(session.sessionToken)}"><button type="submit">Leave the meeting</button></form>`
    : '<p>This meeting has ended or you have left it.</p>';
  return page(
    `${session.meetingName} - BigBlueButton simulator`,
    `<h1>${escapeHtml(session.meetingName)}</h1>
<p><span data-field="fullName">${escapeHtml(session.fullName)}</span> joined meeting
<span data-field="meetingID">${escapeHtml(session.meetingID)}</span> as
<span data-field="role">${escapeHtml(session.role)}</span>.</p>
${status}`,
  );
}

export function leftPage(): string {
  return page('Left - BigBlueButton simulator', '<h1>You have left the meeting</h1><p>The meeting ends a minute after the last person leaves.</p>');
}

export function invalidSessionPage(): string {
  return page('Invalid session - BigBlueButton simulator', '<h1>Invalid session</h1><p>This session token is not known.</p>');
}

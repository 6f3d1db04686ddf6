// `npm run bench`: every benchmark one after another, each printing its own lines.
import { benchAttendance } from './attendance.js';
import { benchJoinCrowd } from './join-crowd.js';
import { benchJoinRedirect } from './join-redirect.js';
import { benchMail } from './mail.js';
import { benchParticipantsBulk } from './participants-bulk.js';
import { benchRegistration } from './registration.js';
import { benchSentinel } from './sentinel.js';
import { benchZoomRegistrants } from './zoom-registrants.js';

const benches: Array<[string, () => Promise<string[]>]> = [
  ['join-redirect', () => benchJoinRedirect()],
  ['join-crowd', benchJoinCrowd],
  ['participants-bulk', benchParticipantsBulk],
  ['attendance', benchAttendance],
  ['zoom-registrants', benchZoomRegistrants],
  ['mail', benchMail],
  ['registration', benchRegistration],
  ['sentinel', benchSentinel],
];

let failed = false;
for (const [name, bench] of benches) {
  try {
    for (const line of await bench()) console.log(line);
  } catch (error) {
    failed = true;
    console.error(`${name} failed: ${(error as Error).stack ?? String(error)}`);
  }
}
process.exit(failed ? 1 : 0);

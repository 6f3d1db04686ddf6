// Keys that will fail the same way on every retry: bad input, bad secret, or a state only an operator changes.
// Anything else BBB answers FAILED with is treated as retryable, because an unknown key is more likely
// a transient server condition than a bug we could fix by giving up.
const PERMANENT_MESSAGE_KEYS: ReadonlySet<string> = new Set([
  'checksumError',
  'idNotUnique',
  'validationError',
  'sizeError',
  'missingParamMeetingID',
  'missingParamFullName',
  'nullError',
  'emptyError',
  'invalidPassword',
  'invalidMeetingIdentifier',
  'meetingForciblyEnded',
  'mismatchCreateTimeParam',
  'nonUniqueVoiceBridge',
  'unsupportedContentType',
  'notFound',
  'guestDeniedAccess',
  'Params required',
  // Raised locally before anything is sent (see bbb-client.ts).
  'requestTooLarge',
  'invalidMetaName',
  'httpClientError',
]);

// Messages name the call and the meeting only: a signed URL or the secret in a log would let anyone
// holding the log create or join rooms.
export class BbbApiError extends Error {
  readonly permanent: boolean;
  constructor(
    readonly callName: string,
    readonly messageKey: string,
    readonly providerMessage: string,
    readonly meetingID?: string,
  ) {
    const subject = meetingID === undefined ? callName : `${callName} for meeting ${meetingID}`;
    super(`BigBlueButton ${subject} failed: ${messageKey}${providerMessage ? ` (${providerMessage})` : ''}`);
    this.name = 'BbbApiError';
    this.permanent = PERMANENT_MESSAGE_KEYS.has(messageKey);
  }
}

export class BbbUnavailableError extends Error {
  readonly permanent = false;
  constructor(
    readonly callName: string,
    readonly reason: string,
    readonly meetingID?: string,
  ) {
    const subject = meetingID === undefined ? callName : `${callName} for meeting ${meetingID}`;
    super(`BigBlueButton unavailable during ${subject}: ${reason}`);
    this.name = 'BbbUnavailableError';
  }
}

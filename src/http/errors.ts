import createError from '@fastify/error';

export interface FieldIssue {
  path: string;
  message: string;
}

export const Unauthorized = createError<[string]>('AO_UNAUTHORIZED', 'a valid %s bearer token is required', 401);
export const NotFound = createError<[string]>('AO_NOT_FOUND', '%s not found', 404);
export const Unavailable = createError<[string]>('AO_UNAVAILABLE', '%s is unavailable, try again shortly', 503);

export class InvalidInput extends Error {
  readonly statusCode = 400;
  readonly code = 'AO_INVALID_INPUT';
  constructor(readonly issues: FieldIssue[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
    this.name = 'InvalidInput';
  }
}

export function pathOf(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p) => String(p)).join('.');
}

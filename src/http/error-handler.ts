import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { InvalidInput, pathOf, type FieldIssue } from './errors.js';

/** One place decides what a failure looks like on the wire; 5xx details stay in the log. */
export function installErrorHandler(app: FastifyInstance, storage: { isUnavailable(error: unknown): boolean }): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const where = error.validationContext ?? 'body';
      const issues: FieldIssue[] = error.validation.map((v) => {
        const inner = String(v.instancePath).split('/').filter((p: string) => p.length > 0);
        const keys = v.keyword === 'unrecognized_keys' && Array.isArray(v.params.keys) ? [String(v.params.keys[0])] : [];
        const path = [...(where === 'body' ? [] : [where]), ...inner, ...keys];
        return { path: pathOf(path) || where, message: v.message ?? 'is invalid' };
      });
      return reply.code(400).send({ error: 'invalid request', issues });
    }
    if (error instanceof InvalidInput) {
      return reply.code(400).send({ error: 'invalid request', issues: error.issues });
    }
    if (isResponseSerializationError(error)) {
      request.log.error({ err: error }, 'response did not match its schema');
      return reply.code(500).send({ error: 'internal error' });
    }
    if (storage.isUnavailable(error)) {
      request.log.warn({ err: { message: error.message } }, 'redis unavailable');
      return reply.code(503).header('retry-after', '5').send({ error: 'storage unavailable, try again shortly' });
    }
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.code(415).send({ error: 'unsupported content type: send the body as application/json' });
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      if (status === 503) return reply.code(503).header('retry-after', '5').send({ error: error.message });
      return reply.code(500).send({ error: 'internal error' });
    }
    const issues: FieldIssue[] | undefined =
      status === 400 ? [{ path: 'body', message: error.message }] : undefined;
    return reply.code(status).send(issues ? { error: error.message, issues } : { error: error.message });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: `no route for ${request.method} here` });
  });
}

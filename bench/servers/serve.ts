import type { FastifyInstance } from 'fastify';

/**
 * Listens on a free loopback port, prints `{"url": …}` for bench/lib.ts to read, and on SIGTERM closes the
 * app, then whatever else the server opened, and exits.
 */
export async function serveForBench(app: FastifyInstance, path: string, closeAlso: () => Promise<unknown> = async () => undefined): Promise<void> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}${path}` })}\n`);
  process.on('SIGTERM', async () => {
    await app.close();
    await closeAlso();
    process.exit(0);
  });
}

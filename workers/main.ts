import { main } from '../src/service.js';

await main({ ...process.env, ROLE: 'worker' });

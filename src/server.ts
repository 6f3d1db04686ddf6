import { main } from './service.js';

await main(process.env);

/**
 * @module The package entry: `import { startYunbox } from 'yunbox'` starts a real server from
 * code (users' own test suites), with endpoints, root credentials, clock control and `close()`.
 */
export { startYunbox, type StartOptions, type Yunbox, type RootCredentials } from './main.js';
export type { YunboxConfig } from './config/config.js';

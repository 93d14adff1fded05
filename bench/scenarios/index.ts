/**
 * @module Every scenario, in the order they run and print.
 */
import type { Scenario } from '../lib/types.js';
import { assumeRole } from './assume-role.js';
import { coldStart } from './cold-start.js';
import { metadata } from './metadata.js';
import { ossGet } from './oss-get.js';
import { ossList } from './oss-list.js';
import { ossPut } from './oss-put.js';
import { ossStream } from './oss-stream.js';
import { policy } from './policy.js';
import { postgres } from './postgres.js';
import { rss } from './rss.js';
import { streamRss } from './stream-rss.js';
import { trail } from './trail.js';

/** The scenarios of `npm run bench`, in the order of the table. */
export const SCENARIOS: Scenario[] = [
  ossGet,
  ossPut,
  ossStream,
  ossList,
  assumeRole,
  metadata,
  policy,
  trail,
  coldStart,
  rss,
  streamRss,
  postgres,
];

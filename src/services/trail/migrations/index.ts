/**
 * @module The trail's migrations, in order: applied to the main database (where the events lived
 * before the trail had a writer thread) and to the writer's own (trail-worker.ts).
 */
import type { MigrationSet } from '../../../store/migrate.js';
import { m0001Init } from './0001-init.js';
import { m0002Bounds } from './0002-bounds.js';
import { m0003CallerAccount } from './0003-caller-account.js';

/** The trail's migrations. */
export const trailMigrations: MigrationSet = {
  service: 'trail',
  migrations: [m0001Init, m0002Bounds, m0003CallerAccount],
};

/**
 * @module Tags of RAM roles and policies (TagResources, CreateRole/CreatePolicy `Tag`): rows of
 * `ram_tags`, one per tag (store/tag-table.ts), keyed by RoleId or policy id.
 */
import { tagTableMigration } from '../../../store/tag-table.js';

export const m0003Tags = tagTableMigration('0003-tags', 'ram_tags');

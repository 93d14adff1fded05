/**
 * @module RAM schema: accounts, users, groups, memberships, roles, policies with versions,
 * attachments and access keys. Names are unique per account by constraint (two nodes cannot
 * create the same role twice); foreign keys keep attachments and memberships from dangling.
 */
import type { Migration } from '../../../store/migrate.js';

export const m0001Init: Migration = {
  name: '0001-init',
  async up(db) {
    const s = db.k.schema;
    await s
      .createTable('ram_accounts')
      .addColumn('account_id', 'text', (c) => c.primaryKey())
      .addColumn('singleton', 'integer', (c) => c.notNull().defaultTo(1).unique())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await s
      .createTable('ram_users')
      .addColumn('user_id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull().references('ram_accounts.account_id'))
      .addColumn('user_name', 'text', (c) => c.notNull())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('email', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('mobile_phone', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('comments', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('ram_users_name', ['account_id', 'user_name'])
      .execute();
    await s
      .createTable('ram_groups')
      .addColumn('group_id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull().references('ram_accounts.account_id'))
      .addColumn('group_name', 'text', (c) => c.notNull())
      .addColumn('comments', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('ram_groups_name', ['account_id', 'group_name'])
      .execute();
    await s
      .createTable('ram_group_members')
      .addColumn('group_id', 'text', (c) => c.notNull().references('ram_groups.group_id'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('ram_users.user_id'))
      .addColumn('joined_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('ram_group_members_pk', ['group_id', 'user_id'])
      .execute();
    await s
      .createIndex('ram_group_members_user')
      .on('ram_group_members')
      .column('user_id')
      .execute();
    await s
      .createTable('ram_roles')
      .addColumn('role_id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull().references('ram_accounts.account_id'))
      .addColumn('role_name', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('trust_policy', 'text', (c) => c.notNull())
      .addColumn('max_session_duration', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('ram_roles_name', ['account_id', 'role_name'])
      .execute();
    // System policies live here too (account_id '*'), so attachments reference one table.
    await s
      .createTable('ram_policies')
      .addColumn('policy_id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('policy_type', 'text', (c) => c.notNull())
      .addColumn('policy_name', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('default_version', 'text', (c) => c.notNull())
      .addColumn('next_version', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('ram_policies_name', ['account_id', 'policy_type', 'policy_name'])
      .execute();
    await s
      .createTable('ram_policy_versions')
      .addColumn('policy_id', 'text', (c) =>
        c.notNull().references('ram_policies.policy_id').onDelete('cascade'),
      )
      .addColumn('version_id', 'text', (c) => c.notNull())
      .addColumn('document', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('ram_policy_versions_pk', ['policy_id', 'version_id'])
      .execute();
    await s
      .createTable('ram_attachments')
      .addColumn('policy_id', 'text', (c) => c.notNull().references('ram_policies.policy_id'))
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('principal_key', 'text', (c) => c.notNull())
      .addColumn('role_id', 'text', (c) => c.references('ram_roles.role_id'))
      .addColumn('user_id', 'text', (c) => c.references('ram_users.user_id'))
      .addColumn('group_id', 'text', (c) => c.references('ram_groups.group_id'))
      .addColumn('attached_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('ram_attachments_pk', ['principal_key', 'policy_id'])
      .execute();
    await s
      .createIndex('ram_attachments_policy')
      .on('ram_attachments')
      .column('policy_id')
      .execute();
    await s
      .createTable('ram_access_keys')
      .addColumn('access_key_id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull().references('ram_accounts.account_id'))
      .addColumn('user_id', 'text', (c) => c.references('ram_users.user_id'))
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('last_used_at', 'bigint')
      .execute();
    await s.createIndex('ram_access_keys_user').on('ram_access_keys').column('user_id').execute();
  },
};

/**
 * @module ECS 2014-05-26 SSH key pair operations (docs "CreateKeyPair", "ImportKeyPair",
 * "DescribeKeyPairs", "DeleteKeyPairs", "AttachKeyPair", "DetachKeyPair"): what
 * terraform-provider-alicloud's `alicloud_key_pair`, `alicloud_key_pair_attachment` and an
 * instance's `key_name` call.
 */
import { defineOperation } from '../../../protocol/rpc-operation.js';
import { p } from '../../../protocol/rpc-schema.js';
import * as E from '../errors.js';
import { RegionId, ecsCheck } from '../instance-attributes/params.js';
import { KEY_PAIR_NAME, MAX_PUBLIC_KEY_LENGTH, keyPairResource } from './model.js';

const NewKeyPairName = p.required(
  p.str({
    min: 2,
    max: 128,
    pattern: KEY_PAIR_NAME,
    lengthError: E.InvalidKeyPairNameMalformed,
    charsError: E.InvalidKeyPairNameMalformed,
    doc: 'key pair name: 2-128 characters, starting with a letter; letters, digits, : _ . -',
  }),
);
const Tag = p.objectList(
  {
    Key: p.str({ min: 1, max: 128, lengthError: E.InvalidTagKeyMalformed, doc: 'tag key' }),
    Value: p.str({ max: 128, doc: 'tag value' }),
  },
  { max: 20, doc: 'tags (Tag.N.Key, Tag.N.Value)' },
);
const ResourceGroupId = p.str({ max: 64, doc: 'resource group (recorded, shown)' });
const InstanceIds = p.required(
  p.jsonStringArray({
    minItems: 1,
    maxItems: 100,
    error: E.InvalidInstanceIdsValueNotSupported,
    doc: 'JSON array of up to 50 instance ids, e.g. ["i-…"]',
  }),
);

export const CreateKeyPair = defineOperation({
  name: 'CreateKeyPair',
  params: { RegionId, KeyPairName: NewKeyPairName, ResourceGroupId, Tag },
  authz: ecsCheck('ecs:CreateKeyPair', () => 'keypair/*'),
  doc: 'Create an RSA 2048 SSH key pair; the private key (PEM) is returned once and never kept',
});

export const ImportKeyPair = defineOperation({
  name: 'ImportKeyPair',
  params: {
    RegionId,
    KeyPairName: NewKeyPairName,
    PublicKeyBody: p.required(
      p.str({
        min: 1,
        max: MAX_PUBLIC_KEY_LENGTH,
        lengthError: E.InvalidPublicKeyBodyMalformed,
        doc: 'OpenSSH public key: ssh-rsa, ssh-ed25519 or ecdsa-sha2-nistp256/384/521',
      }),
    ),
    ResourceGroupId,
    Tag,
  },
  authz: ecsCheck('ecs:ImportKeyPair', () => 'keypair/*'),
  doc: 'Import the public key of an SSH key pair made elsewhere',
});

export const DescribeKeyPairs = defineOperation({
  name: 'DescribeKeyPairs',
  params: {
    RegionId,
    KeyPairName: p.str({ max: 128, doc: 'key pair name; `*` matches any characters' }),
    KeyPairFingerPrint: p.str({ max: 128, doc: 'fingerprint' }),
    ResourceGroupId,
    Tag,
    IncludePublicKey: p.bool({ doc: 'include each public key (PublicKey)' }),
    PageNumber: p.int({
      min: 1,
      max: 1_000_000,
      error: E.EcsInvalidPageNumber,
      doc: 'page, from 1',
    }),
    PageSize: p.int({ min: 1, max: 50, error: E.EcsInvalidPageSize, doc: 'page size, 1-50 (10)' }),
  },
  authz: ecsCheck('ecs:DescribeKeyPairs', () => 'keypair/*'),
  readOnly: true,
  doc: 'List SSH key pairs',
});

export const DeleteKeyPairs = defineOperation({
  name: 'DeleteKeyPairs',
  params: {
    RegionId,
    KeyPairNames: p.required(
      p.jsonStringArray({
        minItems: 1,
        maxItems: 100,
        error: E.InvalidKeyPairNamesValueNotSupported,
        doc: 'JSON array of up to 100 key pair names',
      }),
    ),
  },
  authz: ecsCheck('ecs:DeleteKeyPairs', (i) =>
    (i.KeyPairNames as string[]).map((n) => keyPairResource(n)),
  ),
  doc: 'Delete SSH key pairs; one bound to an instance is refused and none is deleted',
});

export const AttachKeyPair = defineOperation({
  name: 'AttachKeyPair',
  params: {
    RegionId,
    KeyPairName: p.required(p.str({ min: 1, max: 128, doc: 'the key pair' })),
    InstanceIds,
  },
  authz: ecsCheck('ecs:AttachKeyPair', (i) => [
    keyPairResource(i.KeyPairName),
    ...(i.InstanceIds as string[]).map((id) => `instance/${id}`),
  ]),
  doc: 'Bind an SSH key pair to instances (replacing theirs); served at meta-data/public-keys; per-instance results',
});

export const DetachKeyPair = defineOperation({
  name: 'DetachKeyPair',
  params: {
    RegionId,
    KeyPairName: p.required(p.str({ min: 1, max: 128, doc: 'the key pair' })),
    InstanceIds,
  },
  authz: ecsCheck('ecs:DetachKeyPair', (i) => [
    keyPairResource(i.KeyPairName),
    ...(i.InstanceIds as string[]).map((id) => `instance/${id}`),
  ]),
  doc: 'Unbind an SSH key pair from instances; per-instance results',
});

/**
 * @module Which console view a value in a response names: by the key or element it is under
 * (`RoleName`, `InstanceId`, `Bucket`…) or by its shape (`i-…`, `vpc-…`). Shared by the JSON
 * highlighter and the XML links; no DOM, so it is unit-tested in Node.
 */

/**
 * The console view of a value in a response, by the key it is under (`RoleName`, `InstanceId`,
 * `Arn`…) or, under no key it knows, by its shape (`i-…`, `vpc-…`, `vsw-…`); or undefined. Names are passed through `encodeURIComponent`.
 * @example
 * idRoute('RamRoleName', 'EcsRamRoleTest') // '/roles/EcsRamRoleTest'
 */
export function idRoute(key: string | undefined, value: string): string | undefined {
  if (value === '') return undefined;
  if (key === undefined) return idShaped(value);
  const enc = encodeURIComponent;
  switch (key) {
    case 'RoleName':
    case 'RamRoleName':
      return `/roles/${enc(value)}`;
    case 'UserName':
      return `/users/${enc(value)}`;
    case 'PolicyName':
      return `/policies/any/${enc(value)}`;
    case 'InstanceId':
      return '/instances';
    case 'VpcId':
    case 'VSwitchId':
      return '/network';
    case 'Bucket':
    case 'BucketName':
      return bucketRoute(value);
    case 'Arn': {
      // acs:ram::<account>:role/<name> (or user/<name>)
      const m = /^acs:ram::\d+:(role|user)\/([^/]+)$/.exec(value);
      return m ? `/${m[1]}s/${enc(m[2]!)}` : undefined;
    }
    default:
      return idShaped(value);
  }
}

/**
 * The view of a value shaped like an instance, VPC or vSwitch id, wherever it is (an item of
 * `InstanceIdSet`, say): `i-`, `vpc-` or `vsw-` and 8 to 30 lower-case letters and digits.
 */
function idShaped(value: string): string | undefined {
  const m = /^(i|vpc|vsw)-[a-z0-9]{8,30}$/.exec(value);
  if (!m) return undefined;
  return m[1] === 'i' ? '/instances' : '/network';
}

/**
 * The bucket browser's route: the bucket, or its listing under `prefix`.
 * @example
 * bucketRoute('b', 'dir/') // '/buckets/b?prefix=dir%2F'
 */
export function bucketRoute(bucket: string, prefix = ''): string {
  const enc = encodeURIComponent;
  return `/buckets/${enc(bucket)}${prefix ? `?prefix=${enc(prefix)}` : ''}`;
}

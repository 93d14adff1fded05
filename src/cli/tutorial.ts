/**
 * @module `yunbox serve --init tutorial`: what steps 1 and 2 of Alibaba Cloud's tutorial "Use the
 * instance RAM role to access other cloud services" make, so that steps 3 (read the credentials
 * at `100.100.100.200`) and 4 (list ten objects of `ramroletest` with them) work at once: the role
 * `EcsRamRoleTest` trusting ECS, the policy `EcsRamRolePolicyTest` (`oss:Get*`, `oss:List*`)
 * attached to it, a VPC and vSwitch, a running instance with the role, and the bucket
 * `ramroletest` with ten objects.
 */
import type { InitSpec } from './init.js';

/** The tutorial's names. */
export const TUTORIAL = {
  role: 'EcsRamRoleTest',
  policy: 'EcsRamRolePolicyTest',
  instance: 'EcsRamRoleTest',
  bucket: 'ramroletest',
  image: 'centos_7_03_64_40G_alibase_20170503.vhd',
  instanceType: 'ecs.g6.large',
} as const;

/** The ten objects of `ramroletest` (the tutorial's sample output starts with the first two). */
export const TUTORIAL_OBJECTS = [
  'ramroletest.txt',
  'test.shh',
  'config/app.json',
  'data/2017-06-09.csv',
  'data/2017-06-10.csv',
  'docs/readme.md',
  'images/logo.svg',
  'logs/2017-06-09.log',
  'notes.txt',
  'reports/summary.txt',
] as const;

/** The tutorial's resources as a resource file. */
export function tutorialSpec(): InitSpec {
  return {
    policies: [
      {
        PolicyName: TUTORIAL.policy,
        Description: 'OSS read-only, from the ECS RAM role tutorial',
        PolicyDocument: {
          Statement: [{ Action: ['oss:Get*', 'oss:List*'], Effect: 'Allow', Resource: '*' }],
          Version: '1',
        },
      },
    ],
    roles: [
      {
        RoleName: TUTORIAL.role,
        Description: 'the ECS RAM role tutorial',
        AssumeRolePolicyDocument: {
          Statement: [
            {
              Action: 'sts:AssumeRole',
              Effect: 'Allow',
              Principal: { Service: ['ecs.aliyuncs.com'] },
            },
          ],
          Version: '1',
        },
        Policies: [TUTORIAL.policy],
      },
    ],
    vpcs: [
      {
        VpcName: 'tutorial',
        CidrBlock: '192.168.0.0/16',
        VSwitches: [{ VSwitchName: 'tutorial', CidrBlock: '192.168.0.0/24' }],
      },
    ],
    instances: [
      {
        InstanceName: TUTORIAL.instance,
        VSwitchName: 'tutorial',
        ImageId: TUTORIAL.image,
        InstanceType: TUTORIAL.instanceType,
        RamRoleName: TUTORIAL.role,
        Running: true,
      },
    ],
    buckets: [
      {
        BucketName: TUTORIAL.bucket,
        Objects: TUTORIAL_OBJECTS.map((Key) => ({
          Key,
          Content: `${Key}: a sample object of the ECS RAM role tutorial\n`,
        })),
      },
    ],
  };
}

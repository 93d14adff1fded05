/**
 * @module Every service's conformance cases, in one list (kept beside the service registration).
 */
import { kernelConformance } from '../../kernel/conformance.js';
import { ramConformance } from '../../services/ram/conformance.js';
import { ramTagsConformance } from '../../services/ram/tags/conformance.js';
import { stsConformance } from '../../services/sts/conformance.js';
import { imsConformance } from '../../services/ims/conformance.js';
import { ossConformance } from '../../services/oss/conformance.js';
import { ossConfigConformance } from '../../services/oss/conformance-config.js';
import { ossRestoreConformance } from '../../services/oss/conformance-restore.js';
import { ossLifecycleConformance } from '../../services/oss/conformance-lifecycle.js';
import { ossWormConformance } from '../../services/oss/conformance-worm.js';
import { ossVersioningConformance } from '../../services/oss/conformance-versioning.js';
import { ossTagsConformance } from '../../services/oss/conformance-tags.js';
import { vpcConformance } from '../../services/vpc/conformance.js';
import { ecsConformance } from '../../services/ecs/conformance.js';
import { securityGroupConformance } from '../../services/ecs/security-groups/conformance.js';
import { keyPairConformance } from '../../services/ecs/key-pairs/conformance.js';
import { ecsTagsConformance } from '../../services/ecs/tags/conformance.js';
import { trailConformance } from '../../services/trail/conformance.js';
import { readCacheConformance } from './read-caches.js';
import type { ConformanceSuite } from './runner.js';

export const allConformanceSuites: ConformanceSuite[] = [
  kernelConformance,
  readCacheConformance,
  ramConformance,
  ramTagsConformance,
  stsConformance,
  imsConformance,
  vpcConformance,
  ecsConformance,
  securityGroupConformance,
  keyPairConformance,
  ecsTagsConformance,
  ossConformance,
  ossConfigConformance,
  ossRestoreConformance,
  ossLifecycleConformance,
  ossWormConformance,
  ossVersioningConformance,
  ossTagsConformance,
  trailConformance,
];

/**
 * @module Where instances can go, consistent with what CreateInstance accepts: the one region
 * yunbox serves (`--region`), its zones `<region>-a` … `<region>-k` (VPC's `zonesOf`, where
 * vSwitches may be created), and in every zone every built-in instance type (`../catalogue.ts`),
 * the disk categories system disks accept and the VPC network. Nothing is ever sold out.
 * docs/ecs-catalogue.md lists the same (a test keeps them equal).
 */
import { zonesOf } from '../../vpc/index.js';
import { INSTANCE_TYPES, type InstanceTypeInfo } from '../catalogue.js';
import { DISK_CATEGORIES, SYSTEM_DISK_SIZE } from '../instance-attributes/model.js';

/** Local names of common regions (DescribeRegions `LocalName`), by language. */
const REGION_NAMES: Record<string, { zh: string; en: string }> = {
  'cn-hangzhou': { zh: '华东1（杭州）', en: 'China (Hangzhou)' },
  'cn-shanghai': { zh: '华东2（上海）', en: 'China (Shanghai)' },
  'cn-qingdao': { zh: '华北1（青岛）', en: 'China (Qingdao)' },
  'cn-beijing': { zh: '华北2（北京）', en: 'China (Beijing)' },
  'cn-zhangjiakou': { zh: '华北3（张家口）', en: 'China (Zhangjiakou)' },
  'cn-shenzhen': { zh: '华南1（深圳）', en: 'China (Shenzhen)' },
  'cn-hongkong': { zh: '中国香港', en: 'China (Hong Kong)' },
  'ap-southeast-1': { zh: '新加坡', en: 'Singapore' },
  'us-west-1': { zh: '美国（硅谷）', en: 'US (Silicon Valley)' },
  'eu-central-1': { zh: '德国（法兰克福）', en: 'Germany (Frankfurt)' },
};

/** The language of a LocalName: `AcceptLanguage` `en-US` or `ja` give English, else Chinese. */
export type Language = 'zh' | 'en';

/** The language AcceptLanguage asks for (doc "DescribeRegions": zh-CN default, en-US, ja). */
export function languageOf(acceptLanguage: string | undefined): Language {
  return acceptLanguage === 'en-US' || acceptLanguage === 'ja' ? 'en' : 'zh';
}

/** A region's local name (its id when yunbox knows no name for it). */
export function regionLocalName(region: string, lang: Language): string {
  return REGION_NAMES[region]?.[lang] ?? region;
}

/** A zone's local name, e.g. `China (Hangzhou) Zone I` / `华东1（杭州） 可用区 I`. */
export function zoneLocalName(zoneId: string, region: string, lang: Language): string {
  const letter = zoneId.slice(region.length + 1).toUpperCase();
  return lang === 'en'
    ? `${regionLocalName(region, 'en')} Zone ${letter}`
    : `${regionLocalName(region, 'zh')} 可用区 ${letter}`;
}

/** The zones of the served region. */
export function zonesOfRegion(region: string): string[] {
  return zonesOf(region);
}

/** What every zone can create (DescribeZones `AvailableResourceCreation`). */
export const RESOURCE_CREATION = ['VSwitch', 'IoOptimized', 'Instance', 'Disk'] as const;

/** Data disk sizes (GiB) DescribeAvailableResource shows; yunbox creates no data disks. */
export const DATA_DISK_SIZE = { min: 20, max: 32768 } as const;

/** Instance type families with their generation (DescribeInstanceTypeFamilies). */
export function familiesWithGeneration(): Array<{ family: string; generation: string }> {
  const out = new Map<string, string>();
  for (const t of INSTANCE_TYPES) out.set(t.family, generationOf(t));
  return [...out].map(([family, generation]) => ({ family, generation }));
}

/** A family's generation, as ECS numbers them (`ecs-1` … `ecs-6`). */
export function generationOf(t: InstanceTypeInfo): string {
  const m = /^ecs\.[a-z]+?(\d+)/.exec(t.family);
  const n = m ? Number(m[1]) : 0;
  if (n >= 8) return 'ecs-6';
  if (n === 7) return 'ecs-5';
  if (n === 6) return 'ecs-4';
  if (n === 5) return 'ecs-3';
  return n === 4 || t.family.startsWith('ecs.sn') ? 'ecs-2' : 'ecs-1';
}

/** System disk sizes, for DescribeAvailableResource. */
export { DISK_CATEGORIES, SYSTEM_DISK_SIZE };

/**
 * Every shipped pair loads, every example in its YAML passes (they also run at load), and every
 * inbound field, upstream response field and upstream stream event type is mapped or ignored
 * with a reason. The coverage report is printed so that CI logs show it.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { coverageOf, type CoverageReport } from '../../engine/spec/coverage.js';
import { loadMappingSet, type MappingSet } from '../../engine/spec/load-mapping-set.js';
import { formatProblem } from '../../engine/spec/yaml-file.js';
import { REPO_ROOT } from '../helpers/gateway-harness.js';

let set: MappingSet;

beforeAll(async () => {
  const result = await loadMappingSet({ mappingsDir: path.join(REPO_ROOT, 'mappings'), schemasDir: path.join(REPO_ROOT, 'schemas'), env: {} });
  if (!result.set) throw new Error(`the shipped mappings do not load:\n${result.problems.map(formatProblem).join('\n')}`);
  set = result.set;
});

describe('shipped pairs', () => {
  it('at least one pair is shipped', () => {
    expect(set.pairs.length).toBeGreaterThan(0);
  });

  it('every whole example of every pair passes', () => {
    for (const pair of set.pairs) {
      expect(pair.examples.length, `${pair.name} has no examples`).toBeGreaterThan(0);
      const failures = pair.examples.flatMap((e) => e.failures.map((f) => `${pair.name} ${e.id} ${f.part}: ${f.message}`));
      expect(failures).toEqual([]);
    }
  });

  it('every inbound field, upstream response field and stream event type is mapped or ignored with a reason', () => {
    for (const pair of set.pairs) {
      const report = coverageOf(pair, set.schemas);
      printReport(pair.name, report);
      const missing = [...report.inbound, ...report.upstreamResponse, ...report.streamEvents, ...report.streamFields].filter((f) => f.status === 'missing').map((f) => f.path);
      expect(missing, `${pair.name}: not covered`).toEqual([]);
      expect(report.inbound.length).toBeGreaterThan(10);
    }
  });
});

function printReport(name: string, report: CoverageReport): void {
  const line = (label: string, fields: CoverageReport['inbound']) => {
    const count = (s: string) => fields.filter((f) => f.status === s).length;
    return `  ${label}: ${fields.length} (${count('mapped')} mapped, ${count('ignored')} ignored with a reason, ${count('missing')} missing)`;
  };
  console.log([`mapping coverage of ${name}:`, line('inbound request fields', report.inbound), line('upstream response fields', report.upstreamResponse), line('upstream stream event types', report.streamEvents), line('upstream stream event fields', report.streamFields)].join('\n'));
}

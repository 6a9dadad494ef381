/**
 * Rounds of the same load against several servers, in rotating order (round r starts with target
 * r mod n), so drift on the machine hits every target alike (ab.mjs, ceiling.mjs). Each target is
 * warmed up first; before each measurement it is marked (a forced full GC unless `forcedGc` is
 * false, CPU and peak RSS counters reset). What is measured is the server process's own CPU
 * (process.cpuUsage over IPC), so the load generator and the fake upstream do not count.
 *
 * `load(target, durationS)` runs the load and gives the number of requests (or streams) done.
 * Gives, per target name, one { count, perSecond, cpuUs (per request or stream), peakMb } a round.
 */
export async function measureRounds(targets, load, { rounds, durationS, warmupS, forcedGc = true, unit = 'request', log = console.log }) {
  for (const target of targets) await load(target, warmupS);
  const results = Object.fromEntries(targets.map((t) => [t.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < targets.length; i++) {
      const target = targets[(i + round) % targets.length];
      await target.server.call('mark', { gc: forcedGc });
      const count = await load(target, durationS);
      const { cpuMs, peak } = await target.server.call('peak');
      const figures = { count, perSecond: count / durationS, cpuUs: (cpuMs * 1000) / count, peakMb: peak / 1e6 };
      results[target.name].push(figures);
      log(`round ${round + 1} ${target.name}: ${count} ${unit}s, ${figures.perSecond.toFixed(0)}/s, ${figures.cpuUs.toFixed(0)} µs CPU per ${unit}, peak RSS ${figures.peakMb.toFixed(0)} MB`);
    }
  }
  return results;
}

/**
 * Holds the live mapping set. Replacing it is a single reference swap, so a request that has
 * already taken the set (streams included) finishes on it while new requests see the new one.
 */
import type { MappingSet } from './load-mapping-set.js';
import type { SpecProblem } from './yaml-file.js';

export interface ReloadStatus {
  ok: boolean;
  at: Date;
  problems: SpecProblem[];
}

export class MappingRegistry {
  private live: MappingSet;
  private lastReload: ReloadStatus;

  constructor(initial: MappingSet) {
    this.live = initial;
    this.lastReload = { ok: true, at: initial.loadedAt, problems: [] };
  }

  current(): MappingSet {
    return this.live;
  }

  replace(next: MappingSet): void {
    this.live = next;
    this.lastReload = { ok: true, at: next.loadedAt, problems: [] };
  }

  reject(problems: SpecProblem[]): void {
    this.lastReload = { ok: false, at: new Date(), problems };
  }

  status(): ReloadStatus {
    return this.lastReload;
  }
}

import type { InstanceReport, Intent, MoveState } from './types';

/**
 * Where a service's move is coordinated: the move's state, each instance's report and the write
 * intents, in a database every instance and the command reach (the service's home store:
 * MongoMoveStateStore, PrismaMoveStateStore). Instances poll it; only the command changes the state.
 */
export interface MoveStateStore {
  read(service: string): Promise<MoveState | null>;
  /**
   * Saves `next` if the stored state's revision is still `expectedRevision` (null: no state yet);
   * false when another command saved in between. `next.revision` is the new revision.
   */
  save(next: MoveState, expectedRevision: number | null): Promise<boolean>;
  /** Upserts one instance's report. */
  report(report: InstanceReport): Promise<void>;
  /** Every instance of `service` that reported within `liveForMs` (older reports are pruned). */
  instances(service: string, liveForMs: number): Promise<InstanceReport[]>;
  addIntent(intent: Intent): Promise<void>;
  clearIntent(id: string): Promise<void>;
  /** Intents of `service` recorded before `before`, oldest first, at most `limit`. */
  intents(service: string, before: Date, limit: number): Promise<Intent[]>;
  close(): Promise<void>;
}

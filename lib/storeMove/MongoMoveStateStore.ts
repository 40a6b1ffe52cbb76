import type { Collection, Connection } from 'mongoose';
import { isDuplicateKeyError } from '../mongo';
import type { MoveStateStore } from './MoveStateStore';
import type { InstanceReport, Intent, MoveState } from './types';

interface StateDocument {
  _id: string;
  revision: number;
  state: MoveState;
}
interface InstanceDocument {
  _id: string;
  service: string;
  seenAt: Date;
  report: InstanceReport;
}
interface IntentDocument {
  _id: string;
  service: string;
  at: Date;
  intent: Intent;
}

/**
 * The move's shared state on a MongoDB home store: `store_moves` (one document per service),
 * `store_move_instances`, `store_move_intents`, beside the service's own collections. The state
 * is saved by a compare-and-set on its revision (two commands at once: one wins).
 */
export class MongoMoveStateStore implements MoveStateStore {
  private readonly states: Collection<StateDocument>;
  private readonly reports: Collection<InstanceDocument>;
  private readonly journal: Collection<IntentDocument>;

  constructor(
    private readonly connection: Connection,
    /** Closed with this store when it was opened for it alone (the command). */
    private readonly owned = false,
  ) {
    this.states = connection.collection<StateDocument>('store_moves');
    this.reports = connection.collection<InstanceDocument>('store_move_instances');
    this.journal = connection.collection<IntentDocument>('store_move_intents');
  }

  async init(): Promise<void> {
    await this.reports.createIndex({ service: 1, seenAt: 1 });
    await this.journal.createIndex({ service: 1, at: 1 });
  }

  async read(service: string): Promise<MoveState | null> {
    const doc = await this.states.findOne({ _id: service });
    return doc ? doc.state : null;
  }

  async save(next: MoveState, expectedRevision: number | null): Promise<boolean> {
    if (expectedRevision === null) {
      try {
        await this.states.insertOne({ _id: next.service, revision: next.revision, state: next });
        return true;
      } catch (error) {
        if (isDuplicateKeyError(error)) return false;
        throw error;
      }
    }
    const result = await this.states.updateOne({ _id: next.service, revision: expectedRevision }, { $set: { revision: next.revision, state: next } });
    return result.matchedCount === 1;
  }

  async report(report: InstanceReport): Promise<void> {
    await this.reports.updateOne(
      { _id: report.instanceId },
      { $set: { service: report.service, seenAt: report.seenAt, report } },
      { upsert: true },
    );
  }

  async instances(service: string, liveForMs: number): Promise<InstanceReport[]> {
    const since = new Date(Date.now() - liveForMs);
    // Reports of instances gone for a long while only clutter the status.
    await this.reports.deleteMany({ service, seenAt: { $lt: new Date(since.getTime() - 10 * liveForMs) } });
    const docs = await this.reports.find({ service, seenAt: { $gte: since } }).toArray();
    return docs.map((doc) => ({ ...doc.report, seenAt: new Date(doc.report.seenAt) }));
  }

  async addIntent(intent: Intent): Promise<void> {
    await this.journal.insertOne({ _id: intent.id, service: intent.service, at: intent.at, intent });
  }

  async clearIntent(id: string): Promise<void> {
    await this.journal.deleteOne({ _id: id });
  }

  async intents(service: string, before: Date, limit: number): Promise<Intent[]> {
    const docs = await this.journal.find({ service, at: { $lt: before } }).sort({ at: 1, _id: 1 }).limit(limit).toArray();
    return docs.map((doc) => ({ ...doc.intent, at: new Date(doc.intent.at) }));
  }

  async close(): Promise<void> {
    if (this.owned) await this.connection.close();
  }
}

/** Why a move command cannot do what it was asked: its code names the case for scripts, its message for people. */
export type MoveErrorCode =
  /** An unknown service, verb, engine or option. */
  | 'MOVE_BAD_INPUT'
  /** The verb does not follow from the current phase (switch before the backfill is done...). */
  | 'MOVE_WRONG_PHASE'
  /** --to names the store the service is on already, or the other store is not configured. */
  | 'MOVE_BAD_TARGET'
  /** Another command saved the move's state meanwhile. */
  | 'MOVE_CONCURRENT_COMMAND'
  /** Instances did not acknowledge a phase in time; the phase was put back. */
  | 'MOVE_BARRIER_TIMEOUT'
  /** verify found records that differ. */
  | 'MOVE_MISMATCH';

export class MoveError extends Error {
  constructor(
    readonly code: MoveErrorCode,
    message: string,
  ) {
    super(message);
  }
}

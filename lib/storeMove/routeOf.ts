import type { MoveState, StoreEngine } from './types';

/** Where an instance sends reads and writes in a phase, and whether it holds new writes (a barrier). */
export interface Route {
  primary: StoreEngine;
  /** Where each write is mirrored after the primary; null: not mirrored. */
  secondary: StoreEngine | null;
  hold: boolean;
}

/**
 * The route a move's state gives (no state: the home store alone). The old store stays the
 * primary until `switched`; from then on the new one is, and the old one is mirrored until
 * `finished`, so a rollback finds every write there.
 */
export function routeOf(state: MoveState | null, home: StoreEngine): Route {
  if (!state) return { primary: home, secondary: null, hold: false };
  const { from, to } = state;
  switch (state.phase) {
    case 'dual':
      return { primary: from, secondary: to, hold: false };
    case 'switching':
      return { primary: from, secondary: to, hold: true };
    case 'switched':
      return { primary: to, secondary: from, hold: false };
    case 'rollingBack':
      return { primary: to, secondary: from, hold: true };
    case 'rolledBack':
      return { primary: from, secondary: null, hold: false };
    case 'finished':
      return { primary: to, secondary: null, hold: false };
  }
}

/** The store a service is on once its last move settled (or the home store, with no move). */
export function currentStore(state: MoveState | null, home: StoreEngine): StoreEngine {
  return routeOf(state, home).primary;
}

import { assign, setup } from 'xstate';

/**
 * The lifecycle every component shell goes through, in both modes. Hosts supply the effects with
 * `.provide({ actions })`: the embedded runtime folds the in-memory log; the NATS host replays the
 * stream. Work (reconciles) only happens in `running`.
 */
export type ComponentEvent =
  | { type: 'START' }
  | { type: 'CONNECTED' }
  | { type: 'SYNCED' }
  | { type: 'CRASH'; reason: string }
  | { type: 'STOP' }
  | { type: 'RESTART' };

export interface ComponentContext {
  readonly name: string;
  readonly restarts: number;
  readonly lastError?: string;
}

export const componentMachine = setup({
  types: {
    context: {} as ComponentContext,
    events: {} as ComponentEvent,
    input: {} as { name: string },
  },
  actions: {
    /** Open the transport (embedded: nothing to do). */
    connect: () => {},
    /** Fill the cache from the log, then send SYNCED. */
    beginSync: () => {},
    /** Enqueue the initial keys and start processing the queue. */
    startWork: () => {},
    /** Stop processing; in-flight requests are abandoned. */
    stopWork: () => {},
    /** Forget cache, queue and local state (a crashed process loses its memory). */
    dropState: () => {},
  },
}).createMachine({
  id: 'component',
  context: ({ input }) => ({ name: input.name, restarts: 0 }),
  initial: 'stopped',
  states: {
    stopped: { on: { START: 'connecting' } },
    connecting: { entry: 'connect', on: { CONNECTED: 'syncing', CRASH: 'crashed', STOP: 'stopped' } },
    syncing: { entry: 'beginSync', on: { SYNCED: 'running', CRASH: 'crashed', STOP: 'stopped' } },
    running: { entry: 'startWork', exit: 'stopWork', on: { CRASH: 'crashed', STOP: 'stopped' } },
    crashed: {
      entry: ['dropState', assign({ lastError: ({ event }) => (event.type === 'CRASH' ? event.reason : undefined) })],
      on: { RESTART: { target: 'connecting', actions: assign({ restarts: ({ context }) => context.restarts + 1 }) } },
    },
  },
});

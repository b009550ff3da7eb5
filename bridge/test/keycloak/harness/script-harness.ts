// Drives the compiled script authenticator like Keycloak's browser flow would: one SignIn is one
// browser tab's authentication session (its auth notes live here between requests).
import { Worker } from 'node:worker_threads';
import { compileScript } from '../../../keycloak/authenticator-jar.js';

/** What the fakes were given for one request. */
export interface ScriptState {
  user: { username: string; attributes?: Record<string, string> } | null;
  /** RealmModel.getName() (default sms-demo) and getId(). */
  realmName?: string;
  realmId?: string;
  realmAttributes?: Record<string, string>;
  /**
   * Keycloak's file vault: file name (<realm>_<key>, underscores doubled) → content. Undefined:
   * Keycloak runs without a vault, so every `${vault.…}` is empty.
   */
  vaultFiles?: Record<string, string>;
  env?: Record<string, string>;
  notes?: Record<string, string>;
  form?: Record<string, string>;
  remoteAddr?: string;
  locale?: string;
  /** The step's requirement in its flow (context.getExecution().getRequirement()); default REQUIRED. */
  requirement?: 'REQUIRED' | 'ALTERNATIVE' | 'CONDITIONAL';
  /** RealmModel.isBruteForceProtected(); default true. */
  bruteForceProtected?: boolean;
  /**
   * 'legacy' hides org.keycloak.http.simple.SimpleHttp and gives the brute-force detector no
   * categories, as Keycloak before 26.4 does.
   */
  simpleHttp?: 'modern' | 'legacy';
}

/** A page the script rendered (createForm or createErrorPage). */
export interface RenderedPage {
  kind: 'form' | 'errorPage';
  template?: string;
  status?: string;
  attributes: Record<string, string>;
  fieldErrors: { field: string; message: string; params: string[] }[];
  error: { message: string; params: string[] } | null;
  info: { message: string; params: string[] } | null;
}

/** One call of `context.challenge`, `failureChallenge`, `failure`, `success` or `attempted`. */
export interface Outcome {
  type: 'challenge' | 'failureChallenge' | 'failure' | 'success' | 'attempted';
  error?: string;
  page?: RenderedPage;
}

/** Everything one call of `authenticate` or `action` did. */
export interface ScriptRun {
  outcomes: Outcome[];
  events: string[];
  /** The categories of each failure reported to Keycloak's brute-force detector. */
  bruteForce: string[][];
  logs: { level: string; message: string }[];
  http: {
    method: string;
    url: string;
    status: number;
    timeoutMs?: number;
    connectTimeoutMs?: number;
    body?: Record<string, unknown>;
  }[];
  notes: Record<string, string>;
  /** VaultStringSecrets the script opened and did not close. */
  vaultSecretsOpen: number;
  thrown?: string;
}

/** An entry of the fake SingleUseObjectProvider. */
export interface SingleUseObject {
  notes: Record<string, string>;
  lifespanSeconds: number;
  expiresAtMs: number;
}

/** The compiled script in a worker thread, ready to be called with fakes. */
export class ScriptHarness {
  readonly source = compileScript();
  /**
   * session.singleUseObjects(): shared by every run, as Keycloak's store is shared by every
   * request and node; entries expire on the harness's clock.
   */
  readonly singleUseObjects = new Map<string, SingleUseObject>();
  #clockOffsetMs = 0;
  #worker = new Worker(new URL('./script-worker.mjs', import.meta.url), { execArgv: [] });
  #pending = new Map<number, (run: ScriptRun) => void>();
  #next = 0;

  constructor() {
    this.#worker.on('message', ({ id, result }: { id: number; result: ScriptRun }) => {
      this.#pending.get(id)?.(result);
      this.#pending.delete(id);
    });
  }

  /** Moves the clock the single-use objects expire by. */
  advance(ms: number): void {
    this.#clockOffsetMs += ms;
  }

  /** Calls `authenticate(context)` or `action(context)` once. */
  async run(fn: 'authenticate' | 'action', state: ScriptState): Promise<ScriptRun> {
    const id = this.#next++;
    const { store, ...run } = await new Promise<ScriptRun & { store: [string, SingleUseObject][] }>(
      (resolve) => {
        this.#pending.set(id, resolve as (run: ScriptRun) => void);
        this.#worker.postMessage({
          id,
          source: this.source,
          fn,
          state,
          store: [...this.singleUseObjects],
          nowMs: Date.now() + this.#clockOffsetMs,
        });
      },
    );
    this.singleUseObjects.clear();
    for (const [key, entry] of store) {
      this.singleUseObjects.set(key, entry);
    }
    return run;
  }

  /** Stops the worker. */
  close(): Promise<number> {
    return this.#worker.terminate();
  }
}

/** One user's sign-in: the auth notes carry over from one request to the next. */
export class SignIn {
  notes: Record<string, string> = {};
  constructor(
    private readonly harness: ScriptHarness,
    private readonly base: ScriptState,
  ) {}

  /** The flow reaches the step (or the page is reloaded). */
  authenticate(): Promise<ScriptRun> {
    return this.#call('authenticate', {});
  }

  /** The code page is posted with a code. */
  submit(code: string): Promise<ScriptRun> {
    return this.#call('action', { code });
  }

  /** The resend button is pressed. */
  resend(): Promise<ScriptRun> {
    return this.#call('action', { resend: 'true', code: '' });
  }

  async #call(fn: 'authenticate' | 'action', form: Record<string, string>): Promise<ScriptRun> {
    const run = await this.harness.run(fn, { ...this.base, notes: this.notes, form });
    this.notes = run.notes;
    return run;
  }
}

/** The only outcome of a run (a step ends with exactly one). */
export function onlyOutcome(run: ScriptRun): Outcome {
  if (run.thrown) {
    throw new Error(`the script threw: ${run.thrown}`);
  }
  if (run.outcomes.length !== 1) {
    throw new Error(`expected one outcome, got ${JSON.stringify(run.outcomes)}`);
  }
  return run.outcomes[0]!;
}

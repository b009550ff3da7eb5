import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { secretMatches, UNKNOWN_CLIENT_HASH } from '../../apps/secret-hash.js';

/** The default demo user's credentials: the sign-in page shows them while they still work. */
export const DEFAULT_DEMO_LOGIN = { username: 'jdoe', password: 'demo' } as const;

const userSchema = z.object({
  username: z.string().min(1).max(64),
  /** `scrypt$N$r$p$salt$hash`, as bridge/src/pages/demo/hash-password.ts prints. */
  passwordHash: z.string().startsWith('scrypt$'),
  mobile_number: z.string().min(4).max(32),
  name: z.string().max(100).default(''),
  email: z.string().max(200).default(''),
});
const fileSchema = z.object({ users: z.array(userSchema).max(1000) });

/** One demo user, as the users file holds it. */
export type DemoUser = z.output<typeof userSchema>;

interface Loaded {
  readonly mtimeMs: number;
  readonly users: readonly DemoUser[];
  readonly defaultLoginWorks: boolean;
}

/** The demo's users, read from a JSON file (re-read when it changes, so edits need no restart). */
export class DemoUsers {
  readonly #path: string;
  #loaded: Loaded | undefined;

  constructor(path: string) {
    this.#path = resolve(path);
  }

  /** The user whose username and password match; unknown users cost the same scrypt work. */
  async authenticate(username: string, password: string): Promise<DemoUser | undefined> {
    const user = await this.find(username);
    const ok = await secretMatches(password, user?.passwordHash ?? UNKNOWN_CLIENT_HASH);
    return ok ? user : undefined;
  }

  /** The user named `username`, if any. */
  async find(username: string): Promise<DemoUser | undefined> {
    return (await this.load()).users.find((u) => u.username === username);
  }

  /** Whether `jdoe` / `demo` still signs in (then the sign-in page shows that hint). */
  async defaultLoginWorks(): Promise<boolean> {
    return (await this.load()).defaultLoginWorks;
  }

  private async load(): Promise<Loaded> {
    const { mtimeMs } = await stat(this.#path);
    if (this.#loaded?.mtimeMs === mtimeMs) {
      return this.#loaded;
    }
    const parsed = fileSchema.safeParse(JSON.parse(await readFile(this.#path, 'utf8')));
    if (!parsed.success) {
      throw new TypeError(
        `${this.#path}: not a demo users file (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`,
      );
    }
    const jdoe = parsed.data.users.find((u) => u.username === DEFAULT_DEMO_LOGIN.username);
    const defaultLoginWorks = jdoe
      ? await secretMatches(DEFAULT_DEMO_LOGIN.password, jdoe.passwordHash)
      : false;
    this.#loaded = { mtimeMs, users: parsed.data.users, defaultLoginWorks };
    return this.#loaded;
  }
}

import { randomBytes } from 'node:crypto';
import type { RedisClient } from '@sms-mfa/common/redis-client';
import { createLogger } from '@sms-mfa/common/logger';
import type { Application } from '../../src/apps/application.js';
import { createOtpDeps } from '../../src/compose.js';
import { loadConfig, type BridgeConfig } from '../../src/config.js';
import { CiamError } from '../../src/errors.js';
import type { MessageSender, OutboundCode } from '../../src/messaging/reference-api-client.js';

/**
 * A clock the test moves by hand: expiry and waits are tested without sleeping. Stopped by
 * default; a running one follows real time (for a browser that counts down on its own) and
 * jumps ahead when moved.
 */
export class TestClock {
  #ms: number;
  readonly #running: boolean;
  constructor(start = Date.now(), options: { running?: boolean } = {}) {
    this.#running = options.running ?? false;
    this.#ms = this.#running ? start - Date.now() : start;
  }
  readonly now = (): number => (this.#running ? Date.now() + this.#ms : this.#ms);
  advance(ms: number): void {
    this.#ms += ms;
  }
}

/** A sender that keeps what it was given (the test reads codes from it) and can be told to fail like an unreachable reference API. */
export class RecordingSender implements MessageSender {
  readonly sent: OutboundCode[] = [];
  failing = false;

  async send(message: OutboundCode): Promise<{ messageId: string }> {
    if (this.failing) {
      throw new CiamError(
        'DELIVERY_UNAVAILABLE',
        'the message could not be sent; nothing was changed, try again later',
      );
    }
    this.sent.push(message);
    return { messageId: `recorded-${this.sent.length}` };
  }

  /** The code in the newest message to `to` (or to anyone). */
  lastCode(to?: string): string {
    const message = [...this.sent].reverse().find((m) => !to || m.to === to);
    if (!message) {
      throw new Error(`no message sent${to ? ` to ${to}` : ''}`);
    }
    return message.code;
  }
}

/** A distinct, valid US test number (555-01xx is reserved for fiction) per index 0-99. */
export function testPhone(index: number): string {
  return `+1415555${String(100 + index).padStart(4, '0')}`;
}

/** An application with the defaults of shared/DESIGN.md, for tests. */
export function testApplication(overrides: Partial<Application> = {}): Application {
  return {
    clientId: 'app-a',
    secretHash: undefined,
    name: 'Test app',
    brand: 'Acme',
    templates: [],
    codeLength: 6,
    otpTtlSeconds: 300,
    maxAttempts: 5,
    resendCooldownSeconds: 30,
    maxSendsPerAuth: 5,
    deviceTypes: ['SMS', 'WHATSAPP', 'TELEGRAM'],
    allowedCountries: [],
    senderId: undefined,
    webOtpDomain: undefined,
    returnUrls: [],
    scopes: ['mfa:send', 'mfa:verify'],
    createdAt: '2030-01-01T00:00:00.000Z',
    updatedAt: '2030-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** Bridge config from env overrides (rate limits, key prefix), with a fixed test secret. */
export function testConfig(env: Record<string, string> = {}): Readonly<BridgeConfig> {
  return loadConfig({
    BRIDGE_SECRET: 'a-test-secret-that-is-long-enough-000',
    LOG_LEVEL: 'silent',
    ...env,
  });
}

/** Real use-case dependencies on a real Redis, with a recording sender and a hand-moved clock. */
export function testOtpDeps(
  redis: RedisClient,
  options: { clock?: TestClock; config?: Readonly<BridgeConfig>; sender?: MessageSender } = {},
) {
  const config = options.config ?? testConfig();
  const serverSecret = randomBytes(32);
  const clock = options.clock ?? new TestClock();
  const sender = options.sender ?? new RecordingSender();
  const logger = createLogger('bridge-test', 'silent');
  const deps = createOtpDeps({ redis, config, logger, serverSecret, sender, now: clock.now });
  return { deps, clock, config };
}

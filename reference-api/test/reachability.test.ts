import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { createOutboxProvider } from '../src/providers/outbox/outbox.provider.js';
import { unreachableProviders, unreachableWarnings } from '../src/delivery/reachability.js';
import { parseRoutes } from '../src/delivery/routing.js';
import { scriptedProvider } from './fakes/scripted.provider.js';

// The outbox never sends here: it needs no Redis to say which channels it takes.
const outbox = createOutboxProvider({} as Redis, '{test}');
const twilio = scriptedProvider('twilio', ['sms', 'whatsapp']);
const vonage = scriptedProvider('vonage', ['sms']);
const telegram = scriptedProvider('telegram', ['telegram']);
const providers = [outbox, twilio, vonage, telegram];

describe('providers a chain can never reach', () => {
  it('finds a provider after the outbox, which takes every message on every channel', () => {
    assert.deepEqual(unreachableProviders([outbox, telegram]), [
      { id: 'telegram', takenBy: ['outbox'] },
    ]);
    assert.deepEqual(
      unreachableProviders([twilio, outbox, vonage, telegram]).map((u) => u.id),
      ['vonage', 'telegram'],
    );
  });

  it('finds none in a failover chain: a provider after one that can fail is tried when it does', () => {
    assert.deepEqual(unreachableProviders([twilio, vonage]), []);
    assert.deepEqual(unreachableProviders([vonage, twilio]), []);
  });

  it('finds none before the outbox, nor after a provider serving other channels', () => {
    assert.deepEqual(unreachableProviders([telegram, outbox]), []);
    assert.deepEqual(unreachableProviders([telegram, twilio, outbox]), []);
  });

  it('keeps a provider the always-accepting one covers only in part', () => {
    const smsSink = { ...scriptedProvider('sink', ['sms']), alwaysAccepts: true };
    assert.deepEqual(unreachableProviders([smsSink, twilio]), []);
    assert.deepEqual(unreachableProviders([smsSink, vonage]), [
      { id: 'vonage', takenBy: ['sink'] },
    ]);
  });

  it('warns once per unreachable provider, naming PROVIDERS or the PROVIDER_ROUTES chain', () => {
    const { routes } = parseRoutes('+55→outbox,twilio,telegram; +7→vonage,outbox; *→twilio,vonage');
    assert.deepEqual(
      unreachableWarnings({ providers: ['outbox', 'telegram'], routes }, providers),
      [
        'provider telegram in PROVIDERS=outbox,telegram can never be reached: outbox before it takes every channel it serves',
        'provider twilio in PROVIDER_ROUTES chain +55→outbox,twilio,telegram can never be reached: outbox before it takes every channel it serves',
        'provider telegram in PROVIDER_ROUTES chain +55→outbox,twilio,telegram can never be reached: outbox before it takes every channel it serves',
      ],
    );
    assert.deepEqual(
      unreachableWarnings({ providers: ['telegram', 'outbox'], routes: [] }, providers),
      [],
    );
  });
});

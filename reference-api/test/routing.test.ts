import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../src/config.js';
import { parseRoutes, routeFor } from '../src/delivery/routing.js';

describe('routing by destination', () => {
  const { routes } = parseRoutes('+55→sendpulse,twilio; +7->vonage; +1415=twilio; *→twilio,vonage');

  it('picks the chain of the longest matching prefix', () => {
    assert.deepEqual(routeFor(routes, '+5511966191717', ['outbox']), ['sendpulse', 'twilio']);
    assert.deepEqual(routeFor(routes, '+79161234567', ['outbox']), ['vonage']);
    assert.deepEqual(routeFor(routes, '+14155552671', ['outbox']), ['twilio']);
  });

  it('sends numbers no prefix matches through the catch-all, and without one through PROVIDERS', () => {
    assert.deepEqual(routeFor(routes, '+4915123456789', ['outbox']), ['twilio', 'vonage']);
    assert.deepEqual(routeFor(parseRoutes('+55→vonage').routes, '+4915123456789', ['outbox']), [
      'outbox',
    ]);
  });

  it('routes an email address by the email rule, else by PROVIDERS: it has no country for "*" to cover', () => {
    const withEmail = parseRoutes('+55→sendpulse; *→twilio; email→smtp,sendgrid').routes;
    assert.deepEqual(routeFor(withEmail, 'jane@example.com', ['outbox'], 'email'), [
      'smtp',
      'sendgrid',
    ]);
    assert.deepEqual(routeFor(routes, 'jane@example.com', ['smtp', 'outbox'], 'email'), [
      'smtp',
      'outbox',
    ]);
    assert.deepEqual(routeFor(withEmail, '+5511966191717', ['outbox'], 'sms'), ['sendpulse']);
  });

  it('names each rule it cannot read', () => {
    const { problems } = parseRoutes('+55→pigeon; 44→twilio; *→');
    assert.equal(problems.length, 3);
    assert.match(problems[0]!, /unknown provider\(s\) pigeon/);
  });

  it('asks for the credentials of providers that only a route names', () => {
    assert.throws(
      () => loadConfig({ PROVIDER_ROUTES: '+55→vonage' }),
      /VONAGE_API_KEY: required by provider "vonage"/,
    );
    assert.throws(
      () => loadConfig({ PROVIDER_ROUTES: '+55→bogus' }),
      /PROVIDER_ROUTES: "\+55→bogus" names unknown/,
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import express from 'express';
import { openapi } from '../src/http/openapi.js';
import { messagesRoutes, smsRoutes } from '../src/http/messages.routes.js';
import { healthRoutes } from '../src/http/health.routes.js';
import { outboxRoutes } from '../src/http/outbox.routes.js';
import { webhookRoutes } from '../src/http/webhooks.routes.js';
import { telegramLinkRoutes } from '../src/providers/telegram/telegram.links.routes.js';
import { CHANNELS } from '../src/messages/message-input.js';
import { emailSchema } from '../src/messages/email-input.js';

type Layer = { route?: { path: string; methods: Record<string, boolean> } };

/** Every method+path the routers register, in OpenAPI form (`:id` → `{id}`). */
function registeredRoutes(): string[] {
  const noop = (() => undefined) as never;
  const pass: express.RequestHandler = (_q, _s, n) => n();
  const handler = { providerId: '{provider}', parse: () => [] };
  const routers = [
    smsRoutes(noop, pass),
    messagesRoutes(noop, pass),
    healthRoutes(noop, noop, noop),
    outboxRoutes(noop, '{p}', pass),
    webhookRoutes([handler], noop, noop, noop, undefined),
    telegramLinkRoutes(noop, pass),
  ];
  const routes = routers.flatMap((r) =>
    (r.stack as Layer[]).flatMap((l) =>
      l.route
        ? Object.keys(l.route.methods)
            .filter((m) => m !== '_all')
            .map((m) => `${m.toUpperCase()} ${l.route!.path.replace(/:(\w+)/g, '{$1}')}`)
        : [],
    ),
  );
  return [...routes, 'GET /openapi.json'];
}

describe('the OpenAPI document', () => {
  it('describes every route the API serves', () => {
    const documented = new Set(
      Object.entries(openapi.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
      ),
    );
    for (const route of registeredRoutes()) {
      assert.ok(documented.has(route), `${route} is not in openapi.json`);
    }
  });

  it('documents no route the API does not serve', () => {
    const served = new Set(registeredRoutes());
    for (const [path, ops] of Object.entries(openapi.paths)) {
      for (const method of Object.keys(ops)) {
        assert.ok(
          served.has(`${method.toUpperCase()} ${path}`),
          `${method} ${path} is documented but not served`,
        );
      }
    }
  });

  it('documents every channel and every email field POST /v1/messages takes', () => {
    const { MessageRequest, EmailPart } = openapi.components.schemas;
    assert.deepEqual(MessageRequest.properties.channel.enum, CHANNELS);
    assert.deepEqual(Object.keys(EmailPart.properties), Object.keys(emailSchema.shape));
  });

  it('is OpenAPI 3.1 and every $ref points at a defined component', () => {
    assert.equal(openapi.openapi, '3.1.0');
    const refs = JSON.stringify(openapi).match(/#\/components\/[\w/]+/g) ?? [];
    for (const ref of refs) {
      const [, , kind, name] = ref.split('/');
      assert.ok(
        (openapi.components as Record<string, Record<string, unknown>>)[kind!]?.[name!],
        `${ref} is undefined`,
      );
    }
  });
});

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { openapi } from '../../src/http/openapi.js';
import { startDeviceAuthStack, type DeviceAuthStack } from '../support/deviceauth-stack.js';
import { devicesPath, enrol, enrolActive } from '../support/totp-fixtures.js';

const ajv = new Ajv2020({ strict: false, validateFormats: false });
ajv.addSchema({ $id: 'openapi', components: openapi.components });

/** Asserts `body` fits the document's schema `name`, naming every mismatch. */
function assertFits(name: string, body: unknown): void {
  const validate = ajv.compile({ $ref: `openapi#/components/schemas/${name}` });
  assert.ok(validate(body), `${name}: ${ajv.errorsText(validate.errors)}`);
}

describe('the OpenAPI document of the device routes, against their answers', () => {
  const redis = useRedis();
  let stack: DeviceAuthStack;
  let token: string;

  before(async () => {
    stack = await startDeviceAuthStack(redis);
    token = await stack.client({ clientId: 'documented', deviceTypes: ['SMS', 'TOTP'] });
  });

  it('documents every device route with the scope it needs', () => {
    const paths = openapi.paths as Record<string, Record<string, { security?: unknown }>>;
    const device = Object.entries(paths).filter(([path]) => path.includes('/users/{userName}/'));
    const operations = device.flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => [`${method} ${path}`, op.security]),
    );
    assert.equal(operations.length, 4);
    for (const [operation, security] of operations) {
      assert.deepEqual(security, [{ bearer: ['mfa:send'] }], String(operation));
    }
  });

  it('describes the enrolment, the activation, the listing and a TOTP sign-in as they answer', async () => {
    const pending = await enrol(stack, token, 'doc');
    assertFits('EnrolledDevice', pending.body);
    await enrolActive(stack, token, 'doc');
    const list = await stack.call('GET', devicesPath('doc'), token);
    for (const device of list.body['devices'] as unknown[]) {
      assertFits('Device', device);
    }
    const started = await stack.call('POST', '/ciam-mfa/v2/deviceAuthentications', token, {
      userName: 'doc',
      deviceType: 'totp',
    });
    assertFits('Initiated', started.body);
    const refused = await stack.call('POST', devicesPath('doc'), token, { deviceType: 'sms' });
    assertFits('Failure', refused.body);
  });
});

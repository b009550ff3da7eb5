import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { trustProxySetting } from '../src/trust-proxy.js';

const parse = (value: string | undefined) => trustProxySetting.parse(value);
const problem = (value: string) => {
  const result = trustProxySetting.safeParse(value);
  return result.success ? undefined : (result.error.issues[0]?.message ?? '');
};

describe('TRUST_PROXY, in Express’s trust-proxy syntax', () => {
  it('trusts no proxy when unset, empty or false', () => {
    for (const value of [undefined, '', ' ', 'false']) {
      assert.equal(parse(value), false);
    }
  });

  it('takes a hop count, names, addresses and subnets, as Express takes them', () => {
    assert.equal(parse('1'), 1);
    assert.deepEqual(parse('loopback'), ['loopback']);
    assert.deepEqual(parse('10.0.0.0/8, 192.168.1.1'), ['10.0.0.0/8', '192.168.1.1']);
    assert.deepEqual(parse('uniquelocal,linklocal,::1,fd00::/8,10.0.0.0/255.0.0.0'), [
      'uniquelocal',
      'linklocal',
      '::1',
      'fd00::/8',
      '10.0.0.0/255.0.0.0',
    ]);
  });

  it('refuses what Express would refuse (host names, bad ranges), naming the entry and the syntax', () => {
    for (const value of [
      'proxy.example.com',
      'Loopback',
      '10.0.0.0/33',
      '10.0.0.0/0',
      '10.0.0.0/255.0.255.0',
      '1.2.3',
      'loopback,,',
      '-1',
    ]) {
      const message = problem(value);
      assert.ok(message, value);
      assert.match(message, /not a proxy address; use false, a hop count/);
    }
    assert.match(problem('10.0.0.0/8,nginx') ?? '', /^"nginx": not a proxy address/);
  });

  it('refuses true: it would believe any X-Forwarded-For a client makes up', () => {
    assert.match(problem('true') ?? '', /trust whatever X-Forwarded-For a client sends/);
  });
});

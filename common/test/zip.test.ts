import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32, listZip, readZip, withDirectories, zip } from '../src/zip.js';

describe('the zip writer', () => {
  it('computes the standard CRC-32', () => {
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
    assert.equal(crc32(Buffer.alloc(0)), 0);
  });

  it('round-trips empty, small, compressible, incompressible and non-ASCII entries', () => {
    const random = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24));
    const input = [
      { path: 'empty.txt', data: Buffer.alloc(0) },
      { path: 'a.txt', data: Buffer.from('a') },
      { path: 'repeat.txt', data: Buffer.from('código '.repeat(500)) },
      { path: 'random.bin', data: random },
      { path: 'pasta/ação.properties', data: Buffer.from('chave=ação\n') },
    ];
    const archive = zip(withDirectories(input));
    const back = readZip(archive).filter((e) => !e.path.endsWith('/'));
    assert.deepEqual(back, input);
    const methods = new Map(listZip(archive).map((e) => [e.path, e.method]));
    assert.equal(methods.get('repeat.txt'), 8, 'deflated');
    assert.equal(methods.get('a.txt'), 0, 'stored when deflate does not help');
    assert.ok(methods.has('pasta/'));
  });

  it('refuses two entries with the same path', () => {
    const entry = { path: 'x', data: Buffer.from('1') };
    assert.throws(() => zip([entry, entry]), TypeError);
  });
});

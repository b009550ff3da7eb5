import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Secret } from 'otpauth';
import { qrCodeSvg, svgDataUri } from '../../src/totp/qr-code.js';
import {
  matchingStep,
  newTotpSecret,
  otpauthUri,
  stepAt,
  totpCode,
} from '../../src/totp/totp-code.js';
import type { TotpAlgorithm, TotpParams } from '../../src/totp/totp-settings.js';

// RFC 6238 Appendix B: the seed is ASCII "1234567890" repeated to the HMAC's own size (the
// reference code's seeds; the RFC's prose says 20 bytes for every mode, see shared/reference/security.md).
const SEEDS: Record<TotpAlgorithm, string> = {
  SHA1: '12345678901234567890',
  SHA256: '12345678901234567890123456789012',
  SHA512: '1234567890'.repeat(6) + '1234',
};
const APPENDIX_B: [seconds: number, sha1: string, sha256: string, sha512: string][] = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];
const params = (algorithm: TotpAlgorithm, digits: 6 | 8 = 8): TotpParams => ({
  algorithm,
  digits,
  period: 30,
});
const base32 = (ascii: string) => Secret.fromLatin1(ascii).base32;

describe('TOTP codes (RFC 6238)', () => {
  for (const [index, algorithm] of (['SHA1', 'SHA256', 'SHA512'] as const).entries()) {
    it(`computes every RFC 6238 Appendix B code for ${algorithm} with 8 digits`, () => {
      for (const [seconds, ...expected] of APPENDIX_B) {
        const step = stepAt(seconds * 1000, 30);
        assert.equal(totpCode(base32(SEEDS[algorithm]), params(algorithm), step), expected[index]);
      }
    });
  }

  it('accepts the code of the step before or after now, and refuses one two steps away', () => {
    const secret = newTotpSecret('SHA1');
    const p = params('SHA1', 6);
    const now = 1_700_000_000_000;
    const t = stepAt(now, 30);
    for (const offset of [-1, 0, 1]) {
      assert.equal(matchingStep(secret, p, totpCode(secret, p, t + offset), now), t + offset);
    }
    for (const offset of [-2, 2]) {
      assert.equal(matchingStep(secret, p, totpCode(secret, p, t + offset), now), undefined);
    }
  });

  it('refuses a code of another length or shape without throwing', () => {
    const secret = newTotpSecret('SHA1');
    const now = 1_700_000_000_000;
    const code = totpCode(secret, params('SHA1', 6), stepAt(now, 30));
    assert.equal(matchingStep(secret, params('SHA1', 6), `${code}0`, now), undefined);
    assert.equal(matchingStep(secret, params('SHA1', 6), '', now), undefined);
    assert.equal(matchingStep(secret, params('SHA1', 6), 'abcdef', now), undefined);
  });

  it('makes secrets of the HMAC’s own size from the CSPRNG, never the same twice', () => {
    const sizes = (['SHA1', 'SHA256', 'SHA512'] as const).map(
      (a) => Secret.fromBase32(newTotpSecret(a)).bytes.length,
    );
    assert.deepEqual(sizes, [20, 32, 64]);
    assert.notEqual(newTotpSecret('SHA1'), newTotpSecret('SHA1'));
  });

  it('writes the otpauth URI authenticator apps read, with the brand as issuer', () => {
    const uri = new URL(otpauthUri('Acme Shop', 'jdoe', 'JBSWY3DPEHPK3PXP', params('SHA256')));
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.host, 'totp');
    assert.equal(decodeURIComponent(uri.pathname), '/Acme Shop:jdoe');
    assert.deepEqual(Object.fromEntries(uri.searchParams), {
      issuer: 'Acme Shop',
      secret: 'JBSWY3DPEHPK3PXP',
      algorithm: 'SHA256',
      digits: '8',
      period: '30',
    });
  });

  it('draws the QR code as SVG a strict Content-Security-Policy shows: no style attribute, no script', async () => {
    const svg = await qrCodeSvg('otpauth://totp/Acme:jdoe?secret=JBSWY3DPEHPK3PXP');
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* viewBox="/);
    assert.doesNotMatch(svg, /style=|<script|<style|href=/i);
    const uri = svgDataUri(svg);
    assert.match(uri, /^data:image\/svg\+xml;base64,/);
    assert.equal(Buffer.from(uri.split(',')[1] ?? '', 'base64').toString('utf8'), svg);
  });
});

import { describe, expect, it } from 'vitest';
import { fingerprintOf } from '../../../alerts/model.ts';
import { rng } from '../../helpers/rng.ts';

/** FNV-1a 64 over the UTF-8 bytes of `name 0xff value 0xff` per label sorted by name, in BigInt: the definition, slowly. */
function reference(labels: Record<string, string>): string {
  const encoder = new TextEncoder();
  let h = 0xcbf29ce484222325n;
  const mix = (byte: number) => {
    h = ((h ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  };
  for (const name of Object.keys(labels).sort()) {
    for (const s of [name, labels[name] ?? '']) {
      for (const byte of encoder.encode(s)) mix(byte);
      mix(0xff);
    }
  }
  return h.toString(16).padStart(16, '0');
}

describe('fingerprintOf', () => {
  it('gives the fingerprints Alertmanager 0.25 gives the same label sets (read back from its /api/v2/alerts)', () => {
    const vectors: Array<[Record<string, string>, string]> = [
      [{ b: 'x' }, '019d71999ffa1e47'],
      [{ alertname: 'Bench3', namespace: 'ns-3', instance: 'host-1234:9100', job: 'node', severity: 'warning' }, '2cfddb508a0d0993'],
      [{ alertname: 'mixed', zz: 'last', Z: 'upper', _u: 'under', a1: '1', A_b: 'x' }, 'b8ce5dd4903fb47c'],
      [{ alertname: 'ctl', v: 'tab\tnew\nline "q" \\ \u0000 \u007f \u00ff' }, '8b66f314bf3fb855'],
      [{ alertname: 'ctl2', v: 'nul\u0000\u0001 ascii-del\u007f latin\u00e9\u00ff bmp\u4e2d\uffff' }, '0ea296240dce12b2'],
      [{ alertname: 'Über', namespace: 'ns-é', instance: '日本:9100' }, 'c03bdb570adf378c'],
      [{ alertname: 'emoji', value: '🔥 hot 𝒳' }, 'f040bc56880371ce'],
      [{ alertname: 'pair', v: '\ud83d\ude00\udbff\udfff' }, '59ffc868624bd96a'],
      // A lone surrogate reaches Go as U+FFFD.
      [{ alertname: 'lone', v: 'a\ud800b' }, '37ec26fbfb112684'],
      [{ alertname: 'long', v: 'x'.repeat(3000) + 'é'.repeat(1500) }, 'a7425a080f92555a'],
    ];
    for (const [labels, want] of vectors) expect(fingerprintOf(labels), JSON.stringify(labels).slice(0, 80)).toBe(want);
  });

  it('equals FNV-1a 64 over the UTF-8 encoding for random label sets of ASCII, non-ASCII and surrogates', () => {
    const random = rng(20261127);
    const alphabet = [
      'a',
      'z',
      'A',
      '_',
      '0',
      ':',
      ' ',
      '\u0000',
      '\u007f',
      '\u0080',
      'é',
      '\u07ff',
      '\u0800',
      '中',
      '\uffff',
      '😀',
      '\ud800',
      '\udfff',
    ];
    const text = () => {
      let s = '';
      const n = Math.floor(random() * 12);
      for (let i = 0; i < n; i++) s += alphabet[Math.floor(random() * alphabet.length)];
      return s;
    };
    for (let run = 0; run < 2000; run++) {
      const labels: Record<string, string> = {};
      const n = Math.floor(random() * 6);
      for (let i = 0; i < n; i++) labels[`${text()}${i}`] = text();
      expect(fingerprintOf(labels), JSON.stringify(labels)).toBe(reference(labels));
      // The same labels inserted in sorted order, as Prometheus sends them.
      const sorted = Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
      expect(fingerprintOf(sorted), JSON.stringify(sorted)).toBe(reference(labels));
    }
  });

  it('does not depend on the order labels come in', () => {
    expect(fingerprintOf({ b: '2', a: '1' })).toBe(fingerprintOf({ a: '1', b: '2' }));
  });
});

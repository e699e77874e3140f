import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { IntakeRequest } from '../../../../alerts/sources/types.ts';

export const RECEIVED_AT = new Date('2026-11-26T21:10:00.000Z');

/** Builds a request the way the HTTP layer would. */
export function intakeRequest(body: string | Buffer | object, init: Partial<Omit<IntakeRequest, 'rawBody'>> = {}): IntakeRequest {
  const rawBody = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return { params: {}, query: {}, headers: {}, receivedAt: RECEIVED_AT, ...init, rawBody };
}

export function fixture(name: string): Buffer {
  return readFileSync(fileURLToPath(new URL(`../../../fixtures/sources/${name}`, import.meta.url)));
}

export function fixtureJson<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(fixture(name).toString('utf8')) as T;
}

import type { DingTalkMessage } from './render.ts';

/** What DingTalk answered to a robot message POST (session webhook or custom robot). */
export interface DingTalkAnswer {
  status: number;
  /** `0` is success; absent when the body was not DingTalk's JSON. */
  errcode?: number;
  errmsg?: string;
  /** From a `Retry-After` header, when there was one. */
  retryAfterMs?: number;
}

/**
 * POSTs a robot message as JSON. Network failures and timeouts throw (with the cause); any HTTP
 * answer is returned for the caller to judge.
 */
export async function postDingTalk(url: string, message: DingTalkMessage, timeoutMs: number): Promise<DingTalkAnswer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', accept: 'application/json' },
    body: JSON.stringify(message),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const answer: DingTalkAnswer = { status: res.status };
  const retryAfter = res.headers.get('retry-after');
  if (retryAfter !== null) {
    const seconds = Number(retryAfter);
    const at = Date.parse(retryAfter);
    if (Number.isFinite(seconds)) answer.retryAfterMs = seconds * 1000;
    else if (Number.isFinite(at)) answer.retryAfterMs = Math.max(0, at - Date.now());
  }
  const text = await res.text();
  try {
    const body = JSON.parse(text) as { errcode?: unknown; errmsg?: unknown };
    if (typeof body.errcode === 'number') answer.errcode = body.errcode;
    if (typeof body.errmsg === 'string') answer.errmsg = body.errmsg;
  } catch {
    answer.errmsg = text.slice(0, 200);
  }
  return answer;
}

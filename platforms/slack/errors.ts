import { webApi } from '@slack/bolt';

/** Slack error codes that mean "try again later" rather than "this will never work". */
const retryableCodes = new Set(['ratelimited', 'rate_limited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/** What a failed Web API call means: retry (and when), or give up. */
export interface SlackFailure {
  retryable: boolean;
  /** From Retry-After, when Slack sent one. */
  retryAfterMs?: number;
  /** Slack's error code (`channel_not_found`), `HTTP 503`, or the network error message. */
  reason: string;
}

/**
 * Classifies an error thrown by `WebClient`: rate limits (HTTP 429 or `ratelimited`), Slack-side
 * failures, 5xx/408 and network errors are retryable; every other Slack error code and 4xx is not.
 */
export function slackFailure(err: unknown): SlackFailure {
  const e = err as {
    code?: string;
    retryAfter?: number;
    statusCode?: number;
    data?: { error?: string; response_metadata?: { retryAfter?: number } };
    message?: string;
  };
  switch (e.code) {
    case webApi.ErrorCode.RateLimitedError:
      return { retryable: true, retryAfterMs: ms(e.retryAfter), reason: 'rate limited' };
    case webApi.ErrorCode.PlatformError: {
      const code = e.data?.error ?? 'unknown_error';
      return retryableCodes.has(code)
        ? { retryable: true, retryAfterMs: ms(e.data?.response_metadata?.retryAfter), reason: code }
        : { retryable: false, reason: code };
    }
    case webApi.ErrorCode.HTTPError: {
      const status = e.statusCode ?? 0;
      return { retryable: status >= 500 || status === 408 || status === 429, reason: `HTTP ${status}` };
    }
    default:
      // Request errors (connection refused, reset, timeout) and anything unexpected from the client.
      return { retryable: true, reason: e.message ?? String(err) };
  }
}

/** The Slack error code of a platform error (`message_not_found`), if it is one. */
export function slackErrorCode(err: unknown): string | undefined {
  const e = err as { code?: string; data?: { error?: string } };
  return e.code === webApi.ErrorCode.PlatformError ? e.data?.error : undefined;
}

function ms(sec: number | undefined): number | undefined {
  return sec !== undefined && Number.isFinite(sec) && sec >= 0 ? sec * 1000 : undefined;
}

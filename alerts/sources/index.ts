/**
 * Every intake format, in one explicit list. For each source the HTTP layer:
 * - registers `routes` (POST) with a raw-buffer body parser, so `rawBody` is byte-exact and still
 *   compressed (sources undo `Content-Encoding` themselves, with an inflation limit);
 * - answers 415 when `contentTypes` is non-empty and the media type is not in it (an empty list
 *   accepts any content type, or none: Sentry SDKs send none or `text/plain`);
 * - checks the per-source bearer token when `bearerAuth` is true (Sentry sources carry their own
 *   credential and check it in `parse`);
 * - enforces the raw body limit (413), then calls `parse` with the request and the options from
 *   the configuration, answers a failure with `{error, details}` and its status, and enqueues
 *   `alerts` (plus what the frequency counter makes of `events`) before answering 202.
 */
import { alertmanagerApiSource } from './alertmanager-api.ts';
import { alertmanagerSource } from './alertmanager.ts';
import { genericSource } from './generic.ts';
import { kubernetesSource } from './kubernetes.ts';
import { sentryEnvelopeSource, sentryStoreSource } from './sentry-sdk.ts';
import { sentryWebhookSource } from './sentry-webhook.ts';
import type { Source } from './types.ts';

export const sources: Source[] = [
  alertmanagerSource,
  alertmanagerApiSource,
  sentryEnvelopeSource,
  sentryStoreSource,
  sentryWebhookSource,
  kubernetesSource,
  genericSource,
];

export { sourceOptionsSchema } from './options.ts';
export { createSentryFrequencyCounter, evaluateFrequency, frequencyRuleSchema } from './sentry-frequency.ts';
export type { FrequencyRule, SentryFrequencyCounter, SentryFrequencyDeps } from './sentry-frequency.ts';
export type {
  IntakeFailure,
  IntakeIssue,
  IntakeRequest,
  IntakeResult,
  IntakeSuccess,
  SentryEvent,
  Source,
  SourceOptions,
} from './types.ts';

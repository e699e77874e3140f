/**
 * Every intake format, in one explicit list: the HTTP layer registers each source's routes and
 * calls its `parse`.
 */
import { alertmanagerSource } from './alertmanager.ts';
import { genericSource } from './generic.ts';
import { kubernetesSource } from './kubernetes.ts';
import { sentryEnvelopeSource, sentryStoreSource } from './sentry-sdk.ts';
import { sentryWebhookSource } from './sentry-webhook.ts';
import type { Source } from './types.ts';

export const sources: Source[] = [
  alertmanagerSource,
  sentryEnvelopeSource,
  sentryStoreSource,
  sentryWebhookSource,
  kubernetesSource,
  genericSource,
];

export type { IntakeFailure, IntakeIssue, IntakeRequest, IntakeResult, IntakeSuccess, SentryEvent, Source, SourceOptions } from './types.ts';

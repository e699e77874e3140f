/**
 * The contract between the HTTP layer and the intake formats. Sources are transport-free: the HTTP
 * layer builds an {@link IntakeRequest} from the request as received, calls `parse` and enqueues
 * the result. Parsing is pure and never rejects; it is asynchronous only so that decompression
 * runs off the event loop.
 */
import type { Alert, AlertSubject } from '../model.ts';
import type { SourceOptions } from './options.ts';

export type { SourceOptions } from './options.ts';

/** One delivery exactly as received. */
export interface IntakeRequest {
  /** Route parameters (e.g. `projectId` for the Sentry SDK routes). */
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  /** Header names in lower case, as Node delivers them. */
  headers: Record<string, string | string[] | undefined>;
  /** The body exactly as received, possibly gzip/deflate-encoded (see `Content-Encoding`). */
  rawBody: Buffer;
  receivedAt: Date;
}

/** One problem with a delivery: `path` is dotted/bracketed (`alerts[3].labels.severity`), `''` for the body itself. */
export interface IntakeIssue {
  path: string;
  message: string;
}

export type IntakeFailureStatus = 400 | 401 | 413 | 415;

export interface IntakeFailure {
  ok: false;
  status: IntakeFailureStatus;
  error: string;
  details?: IntakeIssue[];
}

export interface IntakeSuccess {
  ok: true;
  alerts: Alert[];
  /** Sentry SDK events, for frequency rules; `[]` for every other format. */
  events: SentryEvent[];
}

export type IntakeResult = IntakeSuccess | IntakeFailure;

export type SentryLevel = 'fatal' | 'error' | 'warning' | 'info' | 'debug';

/** A Sentry SDK event reduced to what grouping, frequency rules and messages need. */
export interface SentryEvent {
  projectId: string;
  /** Stable hash of the project and the grouping components: one per Sentry-style issue. */
  groupKey: string;
  /** The grouping components the key was computed from (after `{{ default }}` expansion). */
  grouping: string[];
  eventId: string;
  title: string;
  message?: string;
  level: SentryLevel;
  environment?: string;
  release?: string;
  platform?: string;
  serverName?: string;
  /** ISO 8601. */
  timestamp: string;
  culprit?: string;
  transaction?: string;
  tags: Record<string, string>;
  /** Scalar fields of the well-known contexts (`os`, `runtime`, `app`, `device`, `trace`, `cloud_resource`, `k8s`). */
  contexts: Record<string, Record<string, string>>;
  subject: AlertSubject;
}

/** One intake format. */
export interface Source {
  /** Unique, stable name of the intake (for logs and metrics); the alerts carry the monitor's name as `source`. */
  name: string;
  /** POST routes in fastify syntax. */
  routes: string[];
  /** Content types the format is sent with; the HTTP layer answers 415 for others. */
  contentTypes: string[];
  /** Whether the HTTP layer's bearer token applies (false where the format has its own credential). */
  bearerAuth: boolean;
  /**
   * For sources with their own credential: whether the options configure one. A source without a
   * credential takes deliveries only when `alerts.sources.open` lists it.
   */
  credentialed?: (options: SourceOptions) => boolean;
  /** Keys naming one delivery, so a replayed delivery is processed once (within `alerts.sources.replayWindow`). */
  replayKeys?: (req: IntakeRequest) => string[];
  parse(req: IntakeRequest, options: SourceOptions): Promise<IntakeResult>;
}

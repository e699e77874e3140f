import { existsSync, readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { SECRET_KEY, redactText } from '../core/redact.ts';

export { secretValues } from '../core/redact.ts';
import { configSchema, type Config } from './config-schema.ts';

/** One problem found while loading the configuration, with the path of what is wrong. */
export interface ConfigProblem {
  path: string;
  message: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: ConfigProblem[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
  }
}

type Env = Record<string, string | undefined>;

/**
 * Environment variables and the config path each one sets. Every one may also be given as
 * `<NAME>_FILE` naming a file that holds the value (Kubernetes secrets, Docker secrets).
 */
export const envBindings: ReadonlyArray<{ name: string; path: string[]; secret?: boolean }> = [
  { name: 'PORT', path: ['server', 'port'] },
  { name: 'FIRSTMATE_HOST', path: ['server', 'host'] },
  { name: 'FIRSTMATE_PUBLIC_URL', path: ['server', 'publicUrl'] },
  { name: 'LOG_LEVEL', path: ['log', 'level'] },
  { name: 'REDIS_URL', path: ['redis', 'url'], secret: true },
  { name: 'FIRSTMATE_REDIS_PREFIX', path: ['redis', 'prefix'] },
  { name: 'KUBECONFIG', path: ['kube', 'kubeconfig'] },
  { name: 'FIRSTMATE_KUBE_MODE', path: ['kube', 'mode'] },
  { name: 'POD_NAME', path: ['kube', 'leaderElection', 'identity'] },
  { name: 'POD_NAMESPACE', path: ['kube', 'leaderElection', 'namespace'] },
  { name: 'SLACK_BOT_TOKEN', path: ['chat', 'slack', 'botToken'], secret: true },
  { name: 'SLACK_APP_TOKEN', path: ['chat', 'slack', 'appToken'], secret: true },
  { name: 'SLACK_SIGNING_SECRET', path: ['chat', 'slack', 'signingSecret'], secret: true },
  { name: 'SLACK_API_URL', path: ['chat', 'slack', 'apiUrl'] },
  { name: 'DINGTALK_CLIENT_ID', path: ['chat', 'dingtalk', 'clientId'] },
  { name: 'DINGTALK_CLIENT_SECRET', path: ['chat', 'dingtalk', 'clientSecret'], secret: true },
  { name: 'DINGTALK_GATEWAY_URL', path: ['chat', 'dingtalk', 'gatewayUrl'] },
  { name: 'DINGTALK_ROBOT_URL', path: ['chat', 'dingtalk', 'robotUrl'] },
];

/** Reads the YAML file (if any) and the environment, validates, and lists every problem at once. */
export function loadConfig(opts: { env?: Env; file?: string } = {}): { config?: Config; problems: ConfigProblem[]; file?: string } {
  const env = opts.env ?? process.env;
  const problems: ConfigProblem[] = [];
  const file = opts.file ?? env.FIRSTMATE_CONFIG ?? (existsSync('firstmate.yaml') ? 'firstmate.yaml' : undefined);
  let raw: Record<string, unknown> = {};
  if (file) {
    const parsed = readYaml(file, problems);
    if (parsed) raw = parsed;
  }
  for (const binding of envBindings) {
    const value = envValue(env, binding.name, problems);
    if (value !== undefined) setPath(raw, binding.path, value);
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) problems.push({ path: formatPath(issue.path), message: issue.message });
  }
  return problems.length > 0 || !result.success ? { problems, file } : { config: result.data, problems, file };
}

/** Like `loadConfig` but throws a `ConfigError` listing every problem. */
export function mustLoadConfig(opts: { env?: Env; file?: string } = {}): Config {
  const { config, problems } = loadConfig(opts);
  if (!config) throw new ConfigError(problems);
  return config;
}

function readYaml(file: string, problems: ConfigProblem[]): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push({ path: file, message: `cannot read: ${(err as Error).message}` });
    return undefined;
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  for (const e of doc.errors)
    problems.push({ path: `${file}:${e.linePos?.[0].line ?? '?'}`, message: e.message.split('\n')[0] ?? e.message });
  if (doc.errors.length > 0) return undefined;
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ path: file, message: 'the file must hold a mapping at the top level' });
    return undefined;
  }
  return value as Record<string, unknown>;
}

function envValue(env: Env, name: string, problems: ConfigProblem[]): string | undefined {
  const direct = env[name];
  const fromFile = env[`${name}_FILE`];
  if (direct !== undefined && fromFile !== undefined) {
    problems.push({ path: `env.${name}`, message: `set either ${name} or ${name}_FILE, not both` });
    return undefined;
  }
  if (fromFile === undefined) return direct === '' ? undefined : direct;
  try {
    return readFileSync(fromFile, 'utf8').trim();
  } catch (err) {
    problems.push({ path: `env.${name}_FILE`, message: `cannot read ${fromFile}: ${(err as Error).message}` });
    return undefined;
  }
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${String(part)}` : String(part);
  return out || '(root)';
}

/**
 * A copy of any config-like value with secrets replaced, fit for printing and logging: every
 * value under a secret-named key (token lists and header maps included, at any depth) and
 * credentials inside URLs.
 */
export function redact<T>(value: T, secret = false): T {
  if (Array.isArray(value)) return value.map((v) => redact(v, secret)) as T;
  if (typeof value === 'string') return (secret ? '[redacted]' : redactText(value)) as T;
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redact(v, secret || SECRET_KEY.test(k));
  return out as T;
}

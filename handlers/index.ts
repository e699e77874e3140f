import { audit } from './audit.ts';
import { help } from './help.ts';
import { kb } from './kb.ts';
import type { Handler } from './types.ts';
import { whoami } from './whoami.ts';

/** Every chat command, registered explicitly. `help` lists them in this order. */
export const handlers: readonly Handler[] = [help, whoami, kb, audit];

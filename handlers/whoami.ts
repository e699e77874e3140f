import { reply } from '../core/reply.ts';
import type { Handler } from './types.ts';

/** `whoami`: the identity firstmate sees, the user it maps to, role and namespaces. */
export const whoami: Handler = {
  name: 'whoami',
  role: 'anyone',
  usage: 'whoami',
  summary: 'your identity, role and namespaces',
  async run({ identity, user }) {
    return reply({
      kind: 'fields',
      fields: [
        { label: 'user', value: user.name },
        { label: 'role', value: user.role },
        { label: 'namespaces', value: user.namespaces.join(', ') },
        { label: 'platform', value: identity.platform },
        { label: 'platform id', value: identity.userId },
        { label: 'channel', value: identity.channelId },
      ],
    });
  },
};

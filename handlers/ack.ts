import { reply } from '../core/reply.ts';
import { UserError } from '../core/errors.ts';
import { assertAlertsInScope } from './scope.ts';
import type { Handler } from './types.ts';

/** `ack <ref>`: marks an incident acknowledged; repeats stop and its message shows who acked. */
export const ack: Handler = {
  name: 'ack',
  role: 'operator',
  usage: 'ack <ref>',
  summary: 'acknowledge an incident: stops repeats, shows who took it',
  async run({ services, args, user }) {
    const ref = args[0];
    if (!ref) throw new UserError('missing the ref: `ack <ref>` with the ref shown on the alert message (e.g. `ack 3fa9c2`)');
    if (args.length > 1) throw new UserError(`one incident at a time: \`ack ${ref}\` (got ${args.length} arguments)`);
    if (!/^[0-9a-f]{4,16}$/i.test(ref))
      throw new UserError(`"${ref}" is not an incident ref (4 to 16 hex digits such as 3fa9c2d1, shown on the alert message)`);
    const incident = await services.incidents.byRef(ref);
    // Every alert the incident holds, not only the top ones its message shows.
    if (incident)
      assertAlertsInScope(user, [
        ...(incident.last ? [...incident.last.firing, ...incident.last.resolved] : []),
        ...(await services.incidents.alertsOf(ref)),
      ]);
    const result = await services.incidents.ack(ref, user.name);
    if (!result.ok)
      throw new UserError(
        result.reason === 'unknown' ? `no incident with ref ${ref}; \`alerts\` lists the open ones` : `incident ${ref} is already resolved`,
      );
    const i = result.incident;
    return reply(
      {
        kind: 'text',
        text: `acked incident ${i.ref} (${
          Object.entries(i.groupLabels)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ') || 'all alerts'
        }); repeats stop, the message will show it.`,
      },
      { kind: 'context', text: `${i.firing} firing · receiver ${i.receiver}` },
    );
  },
};

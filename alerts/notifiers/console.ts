import { renderText } from '../../platforms/console/render-text.ts';
import { renderNotification, type NotificationDisplay } from '../render/notification.ts';
import type { Notifier } from './types.ts';

/**
 * Prints notifications on the console chat output. The terminal cannot edit what it printed, so
 * an update is printed again, marked as an update of the same ref.
 */
export function createConsoleNotifier(write: (text: string) => void, display?: () => NotificationDisplay): Notifier {
  return {
    kind: 'console',
    async send(_destination, notification, previous) {
      const text = renderText(renderNotification(notification, display?.()));
      write(`${previous ? `(update of ${notification.ref}) ` : ''}${text}\n`);
      return { id: notification.incidentId, channel: 'console' };
    },
  };
}

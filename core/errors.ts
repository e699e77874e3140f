/** An error whose message is meant for the chat user and is shown as is. */
export class UserError extends Error {
  override name = 'UserError';
}

/** An error that retrying cannot fix (a permanent 4xx, invalid data): jobs fail at once. */
export class TerminalError extends Error {
  override name = 'TerminalError';
}

/**
 * A start refused for a reason the person starting it can fix (a bad variable, a busy port, a data
 * folder in use): `npm start` prints its message as one line, with no stack trace, and exits 1.
 */
export class StartRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartRefused';
  }
}

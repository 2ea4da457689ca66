import { connect, credsAuthenticator, type NatsConnection } from 'nats';
import { withRevokedUsers } from '@aptic/contracts';

const REQUEST_MS = 5_000;
const ATTEMPTS = 2;
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/**
 * The NATS side of kiosk revocation: the platform account's JWT, read from the server's account
 * resolver, re-signed with the revoked users listed, and pushed back. Needs a resolver that takes
 * updates (`full`, or `cache`); the server then closes the revoked users' connections at once.
 * One system-account connection, opened on first use and closed with the service.
 */
export class AccountRevocations {
  private readonly url: string;
  private readonly systemCreds: string;
  private readonly accountPublicKey: string;
  private readonly operatorSigningSeed: string;
  private connection: Promise<NatsConnection> | undefined;

  constructor(options: { url: string; systemCreds: string; accountPublicKey: string; operatorSigningSeed: string }) {
    this.url = options.url;
    this.systemCreds = options.systemCreds;
    this.accountPublicKey = options.accountPublicKey;
    this.operatorSigningSeed = options.operatorSigningSeed;
  }

  private async request(verb: 'LOOKUP' | 'UPDATE', body = ''): Promise<string> {
    // Reconnects forever: after an outage the next push (or the periodic sync) must get through.
    this.connection ??= connect({
      servers: this.url,
      name: 'qualification-revocations',
      maxReconnectAttempts: -1,
      authenticator: credsAuthenticator(new TextEncoder().encode(this.systemCreds)),
    });
    const nc = await this.connection;
    const subject = `$SYS.REQ.ACCOUNT.${this.accountPublicKey}.CLAIMS.${verb}`;
    for (let attempt = 1; ; attempt++) {
      try {
        return text((await nc.request(subject, new TextEncoder().encode(body), { timeout: REQUEST_MS })).data);
      } catch (err) {
        // A server that has just restarted answers once this connection is back (it tries again every
        // 2 s, later on a loaded machine): a timeout is asked once more before the periodic sync takes over.
        if (attempt < ATTEMPTS && (err as { code?: string }).code === 'TIMEOUT') continue;
        // No responder: the server's resolver keeps account JWTs in memory only (`MEMORY`), or this is not a system account user.
        throw new Error(
          `NATS account resolver did not answer ${verb} (${String(err)}): it must be of type full or cache, and NATS_SYSTEM_CREDS_FILE a system account user`,
        );
      }
    }
  }

  /** Lists these users (public key → unix seconds) as revoked in the account JWT; false when it already did. */
  async revoke(users: Record<string, number>): Promise<boolean> {
    const current = await this.request('LOOKUP');
    if (!current) throw new Error(`the NATS server does not know account ${this.accountPublicKey}`);
    const updated = await withRevokedUsers(current, users, this.operatorSigningSeed);
    if (!updated) return false;
    const answer = JSON.parse(await this.request('UPDATE', updated)) as {
      data?: { code: number };
      error?: { code: number; description: string };
    };
    if (answer.data?.code !== 200)
      throw new Error(
        `the NATS server refused the account update: ${answer.error?.description ?? JSON.stringify(answer)}`,
      );
    return true;
  }

  async close(): Promise<void> {
    if (this.connection) await (await this.connection).close();
  }
}

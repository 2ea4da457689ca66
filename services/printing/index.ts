import { fileURLToPath } from 'node:url';
import {
  businessDate,
  contractAction,
  passCodeKey,
  passLookupKey,
  type ConsumerDefinition,
  type ServiceDefinition,
} from '@aptic/runtime';
import { logosOf } from './db/logos.ts';
import { expireProofs } from './db/proofs.ts';
import * as schema from './db/schema.ts';
import { issuePasses } from './db/issuance.ts';
import { feedbackPass } from './db/feedback-pass.ts';
import { printingRoutes } from './http.ts';

/**
 * Printing: issues the passes of paid orders, proofs (BAT) and print jobs until delivery, which
 * releases the passes; blocks lost ones. (Print files and mailings are still to come.)
 */
export const printing: ServiceDefinition = {
  name: 'printing',
  migrations: fileURLToPath(new URL('./db/migrations', import.meta.url)),
  tables: schema,
  consumers: (ctx): ConsumerDefinition<'order.paid'>[] => {
    const keys = { code: passCodeKey(ctx.config), lookup: passLookupKey(ctx.config) };
    return [
      {
        name: 'issuance',
        events: ['order.paid'],
        apply: async (tx, events, emit) => {
          for (const e of events) await issuePasses(tx, emit, e, keys);
        },
      },
    ];
  },
  moleculer: (ctx) => ({
    actions: {
      feedbackPass: contractAction('printing.feedbackPass', ({ code }) =>
        feedbackPass(ctx.db, passCodeKey(ctx.config), code),
      ),
      orderLogo: contractAction('printing.orderLogo', async ({ orderId }) => {
        const logos = await logosOf(ctx.db, orderId);
        const logo = logos.cover ?? logos.pass;
        return logo ? { mime: logo.mime, base64: logo.data.toString('base64') } : null;
      }),
    },
  }),
  routes: printingRoutes,
  async start(ctx) {
    ctx.every(
      'proof-expiry',
      3_600_000,
      async () => void (await ctx.transaction((tx, emit) => expireProofs(tx, emit, businessDate()))),
    );
  },
};

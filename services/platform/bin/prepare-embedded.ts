/**
 * Run by `npm ci` and `npm install` (postinstall): prepares the empty embedded database that each
 * new data folder starts as a copy of (services/runtime/db/prepared-database.ts), so that a first
 * `npm start` does not spend its time creating one. Never fails the install, and says one line
 * when it cannot prepare it (an install of the kiosk's workspace alone has no runtime, say):
 * without it, the first start prepares it.
 */
try {
  const { preparedDatabase } = await import('@aptic/runtime');
  console.log(`aptic: empty embedded database prepared in ${await preparedDatabase()}`);
} catch (err) {
  const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0];
  console.error(
    `aptic: the empty embedded database could not be prepared (${reason}); the first start will prepare it.`,
  );
}

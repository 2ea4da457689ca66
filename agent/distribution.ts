/**
 * Distribution mode (`AGENT_MODE=distribution`): the same scanner, at a prescripteur's desk. Each
 * carnet's cover barcode read is a hand-out (remise) recorded at once by printing's admin HTTP with
 * the prescripteur's token; the answer (recorded, or the refusal in French) is on the screen. Before
 * the carnet, the prescripteur may type the beneficiary's public (`public:jeunes`) and commune of
 * residence (`commune:16015`), or `renouvellement` then the renewed carnet's barcode: nothing else
 * about the beneficiary is asked or sent. Nothing is journaled: a hand-out the platform did not
 * record is shown refused, and the carnet stays in the prescripteur's hands until it is.
 */
import type { Logger } from 'pino';
import { parseBarcode } from '@aptic/contracts';
import { parseSelector, nodeHid, type DeviceSelector } from './hid/device.ts';
import { HidSource } from './hid/hid-source.ts';
import type { LayoutName } from './hid/layouts.ts';
import type { ScannerSource } from './source.ts';
import { StdinSource } from './stdin-source.ts';

export interface DistributionConfig {
  /** Printing's admin URL. */
  platformUrl: string;
  /** A token of role prescriber, scoped to this prescripteur. */
  token: string;
  prescriberId: string;
  /** The order whose carnets are handed out at this desk. */
  orderId: string;
  source: 'hid' | 'stdin';
  device: DeviceSelector;
  layout: LayoutName;
}

const VARIABLES = {
  platformUrl: 'AGENT_PLATFORM_URL',
  token: 'AGENT_TOKEN',
  prescriberId: 'AGENT_PRESCRIBER_ID',
  orderId: 'AGENT_ORDER_ID',
} as const;

export function isDistributionMode(env: NodeJS.ProcessEnv): boolean {
  return env.AGENT_MODE === 'distribution';
}

/** AGENT_* variables of the distribution mode; a missing one stops the start, naming it. */
export function loadDistributionConfig(env: NodeJS.ProcessEnv): DistributionConfig {
  const required = (key: keyof typeof VARIABLES) => {
    const value = env[VARIABLES[key]];
    if (!value) throw new Error(`${VARIABLES[key]}: required in distribution mode`);
    return value;
  };
  return {
    platformUrl: required('platformUrl').replace(/\/$/, ''),
    token: required('token'),
    prescriberId: required('prescriberId'),
    orderId: required('orderId'),
    source: env.AGENT_SOURCE === 'stdin' ? 'stdin' : 'hid',
    device: device(env.AGENT_DEVICE ?? 'auto'),
    layout: env.AGENT_LAYOUT === 'fr' ? 'fr' : 'us',
  };
}

function device(value: string): DeviceSelector {
  const selector = parseSelector(value);
  if (!selector) throw new Error(`AGENT_DEVICE: "${value}" is neither auto, vid:pid nor usage:<page>`);
  return selector;
}

interface Pending {
  publicCode?: string;
  communeCode?: string;
  renewal?: 'awaiting' | number;
}

/** Reads the scanner and records each carnet handed out; `print` is the prescripteur's screen. */
export async function startDistribution(
  config: DistributionConfig,
  options: { log: Logger; print?: (line: string) => void; source?: ScannerSource },
): Promise<{ stop(): Promise<void> }> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const source =
    options.source ??
    (config.source === 'stdin'
      ? new StdinSource()
      : new HidSource({ backend: nodeHid(), selector: config.device, layout: config.layout }));
  let pending: Pending = {};
  // One hand-out at a time, in the order scanned.
  let queue = Promise.resolve();
  const record = async (carnet: number, next: Pending) => {
    const body = {
      orderId: config.orderId,
      carnet,
      ...(next.publicCode ? { publicCode: next.publicCode } : {}),
      ...(next.communeCode ? { communeCode: next.communeCode } : {}),
      ...(typeof next.renewal === 'number' ? { renewsCarnet: next.renewal } : {}),
    };
    try {
      const response = await fetch(`${config.platformUrl}/prescribers/${config.prescriberId}/hand-outs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${config.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      const answer = (await response.json()) as { code?: string; message?: string };
      options.log.info({ carnet, status: response.status, code: answer.code }, 'hand-out');
      print(
        response.status === 201
          ? `✔ Carnet ${carnet} remis${typeof next.renewal === 'number' ? ` (renouvelle le carnet ${next.renewal})` : ''}`
          : `✘ Carnet ${carnet} non remis — ${answer.message ?? `erreur ${response.status}`}`,
      );
    } catch (err) {
      options.log.warn({ err, carnet }, 'hand-out not sent');
      print(`✘ Carnet ${carnet} non remis — plateforme injoignable : scannez-le de nouveau dans un instant.`);
    }
  };
  const onLine = (text: string) => {
    const line = text.trim();
    const setting = /^(public|commune):(\S{1,64})$/i.exec(line);
    if (setting) {
      pending = { ...pending, [setting[1]!.toLowerCase() === 'public' ? 'publicCode' : 'communeCode']: setting[2] };
      return;
    }
    if (/^renouvellement$/i.test(line)) {
      pending = { ...pending, renewal: 'awaiting' };
      print('Scannez le carnet renouvelé, puis le nouveau carnet.');
      return;
    }
    const barcode = parseBarcode(line);
    if (barcode.kind !== 'carnet') {
      print('✘ Ce code n’est pas celui d’un carnet : scannez le code-barres de la couverture.');
      return;
    }
    if (pending.renewal === 'awaiting') {
      pending = { ...pending, renewal: barcode.carnetNumber };
      return;
    }
    const next = pending;
    pending = {};
    queue = queue.then(() => record(barcode.carnetNumber, next));
  };
  await source.start({
    barcode: onLine,
    status: (state, detail, screen) => {
      options.log.info({ state, detail }, 'scanner');
      print(screen);
    },
  });
  print('Mode distribution : scannez la couverture de chaque carnet remis.');
  return {
    async stop() {
      await source.stop();
      await queue;
    },
  };
}

import type { ServiceDefinition } from '@aptic/runtime';
import { qualification } from '@aptic/qualification';
import { catalogue } from '@aptic/catalogue';
import { ordering } from '@aptic/ordering';
import { printing } from '@aptic/printing';
import { redemption } from '@aptic/redemption';
import { settlement } from '@aptic/settlement';
import { analytics } from '@aptic/analytics';

/** The seven services, in start order. */
export const allServices: ServiceDefinition[] = [
  qualification,
  catalogue,
  ordering,
  printing,
  redemption,
  settlement,
  analytics,
];

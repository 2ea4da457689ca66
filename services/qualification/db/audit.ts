import { auditTrail, auditWriter, type Queryable } from '@aptic/runtime';
import { auditLog } from './schema.ts';

/** Writes qualification's audit rows; `scopeId` is the place the change belongs to. */
export const audit = auditWriter<'place' | 'assessment' | 'charter' | 'kit' | 'kiosk' | 'invitation' | 'rating'>(
  auditLog,
);

/** A place's trail (its assessments, charter, kit and kiosks included), oldest first. */
export const placeAudit = (db: Queryable, placeId: string) => auditTrail(db, auditLog, placeId);

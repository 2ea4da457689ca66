import type { FastifyReply } from 'fastify';

const MEDIA_TYPES = {
  csv: 'text/csv; charset=utf-8',
  pdf: 'application/pdf',
  xml: 'application/xml; charset=utf-8',
} as const;

/** Answers a document: its media type, and its file name for the browser to show (`inline`) or save. */
export function sendDocument(
  reply: FastifyReply,
  kind: keyof typeof MEDIA_TYPES,
  disposition: 'inline' | 'attachment',
  filename: string,
  body: unknown,
): FastifyReply {
  return reply
    .type(MEDIA_TYPES[kind])
    .header('content-disposition', `${disposition}; filename="${filename}"`)
    .send(body);
}

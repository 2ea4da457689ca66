import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { reportView, type ReportFigures } from '../domain/report.ts';

/** Escaped placeholders only ({{ }}): every string the template shows is made by reportView. */
const template = Handlebars.compile(readFileSync(new URL('./report.hbs', import.meta.url), 'utf8'), { strict: true });

/** The activity report as self-contained HTML, for the runtime's Chromium. */
export const reportHtml = (figures: ReportFigures): string => template(reportView(figures));
